"""The SDK clients adopt reads with: every one in adaptive retry mode."""

from __future__ import annotations

from botocore.config import Config

RETRIES = Config(retries={"mode": "adaptive", "total_max_attempts": 10})
"""Adopt reads a whole organisation in one go, and Identity Center's and Organizations' request rates
are low (sso-admin throttles with ThrottlingException; Organizations' quotas page: "too many
requests"): botocore's adaptive mode waits client-side once throttled, instead of failing the run
(boto3 guide "Retries", "Adaptive retry mode"; 10 attempts in all, where standard mode makes 3)."""


def client(session, service: str, region: str):
    return session.client(service, region_name=region, config=RETRIES)
