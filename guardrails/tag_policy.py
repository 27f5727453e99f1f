"""The organisation tag policy: the configured tag keys, required on the configured resource types."""

from __future__ import annotations

from typing import Sequence


def tag_policy(required_tags: Sequence[str], resource_types: Sequence[str]) -> dict:
    """A TAG_POLICY document.

    `report_required_tag_for` marks each key as required on those types: AWS reports resources
    missing it, and IaC tools that read tag policies (Pulumi's and CloudFormation's) refuse them.
    `tag_key` pins the key's spelling, so `App` and `app` cannot drift apart.
    """
    return {
        "tags": {
            tag.lower(): {
                "tag_key": {"@@assign": tag},
                "report_required_tag_for": {"@@assign": list(resource_types)},
            }
            for tag in required_tags
        }
    }
