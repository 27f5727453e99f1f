"""The pure logs package: bucket lifecycle and policy documents, trail locations."""

from __future__ import annotations

import pytest

from logs.buckets import LifecycleRule, bucket_policy, key_policy, lifecycle_rule
from logs.cloudtrail import trail_arn, trail_location


@pytest.mark.parametrize(
    "expire, glacier, expected",
    [
        (None, None, LifecycleRule("clean-up", None, None, 7)),
        (30, None, LifecycleRule("expire", None, 30, 7)),
        (None, 90, LifecycleRule("archive", 90, None, 7)),
        (400, 90, LifecycleRule("archive-and-expire", 90, 400, 7)),
    ],
)
def test_one_lifecycle_rule_names_what_it_does(expire, glacier, expected):
    assert lifecycle_rule(expire, glacier) == expected


def test_bucket_policy_refuses_plain_http_before_any_grant():
    grant = {"Sid": "Writer", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": "*"}
    document = bucket_policy("logs-1", [grant])
    assert document["Version"] == "2012-10-17"
    assert document["Statement"][0] == {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::logs-1", "arn:aws:s3:::logs-1/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert document["Statement"][1] == grant


def test_key_policy_starts_with_the_owning_account():
    [owner] = key_policy("111122223333")["Statement"]
    assert owner == {
        "Sid": "AccountAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


@pytest.mark.parametrize(
    "bucket, organization, prefix, expected",
    [
        ("trail-b", "o-abc", "", "s3://trail-b/AWSLogs/o-abc/"),
        ("aws-controltower-logs-1-ap-northeast-1", "o-abc", "o-abc", "s3://aws-controltower-logs-1-ap-northeast-1/o-abc/AWSLogs/o-abc/"),
    ],
)
def test_trail_location(bucket, organization, prefix, expected):
    assert trail_location(bucket, organization, key_prefix=prefix) == expected


def test_an_organisation_trail_belongs_to_the_management_account():
    assert trail_arn("ap-northeast-1", "123456789012") == "arn:aws:cloudtrail:ap-northeast-1:123456789012:trail/landing-zone-organization-trail"
