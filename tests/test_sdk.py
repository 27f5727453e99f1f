"""The SDK internals the offline plan needs are all there; when Pulumi changes one, this says which."""

from __future__ import annotations

from lzctl import sdk


def test_the_installed_pulumi_still_has_what_lzctl_sdk_uses():
    missing = sdk.problems()
    assert missing == [], f"pulumi {sdk.PULUMI_VERSION} changed internals lzctl/sdk.py relies on: " + "; ".join(missing)
