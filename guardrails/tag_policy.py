"""The organisation tag policy's tags: the configured tag keys, required on the configured resource types."""

from __future__ import annotations

from typing import Sequence


def required_tags(required: Sequence[str], resource_types: Sequence[str]) -> dict:
    """The `tags` of a TAG_POLICY document (the `required-tags` template's ${REQUIRED_TAGS}).

    `report_required_tag_for` marks each key as required on those types: AWS reports resources
    missing it, and IaC tools that read tag policies (Pulumi's and CloudFormation's) refuse them.
    `tag_key` pins the key's spelling, so `App` and `app` cannot drift apart.
    """
    return {
        tag.lower(): {
            "tag_key": {"@@assign": tag},
            "report_required_tag_for": {"@@assign": list(resource_types)},
        }
        for tag in required
    }
