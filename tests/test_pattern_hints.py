"""Every string pattern of the config models has a hint (config/loader.py PATTERN_HINTS), and each hint
is true to its pattern: a value it describes is accepted, one it rules out is refused."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import StringConstraints, TypeAdapter, ValidationError

from components.organization import TRUSTED_SERVICES
from config.loader import PATTERN_HINTS
from config.schema import LandingZoneConfig
from config.types import ServicePrincipal
from guardrails.control_tower import LANDING_ZONE_VERSION

UUID = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"


def model_patterns(schema: object) -> set[str]:
    """The patterns of every string in a pydantic core schema: every model reachable from the root,
    through Annotated metadata, optional and union members, dict keys and values, list items."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "str" and "pattern" in node:
                found.add(node["pattern"])
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
    return found


PATTERNS = model_patterns(LandingZoneConfig.__pydantic_core_schema__)


def test_the_walk_reaches_dict_keys_field_patterns_and_optional_lists():
    # action_pins' keys (delivery_schema), conformance_pack's Field(pattern=) (security_schema), protected_log_buckets'
    # Optional[list[...]] (schema): if the walk missed any of these, the next test would pass on too few patterns.
    assert {r"^[\w.-]+/[\w.-]+$", r"^[a-z][a-z0-9-]{0,63}$", r"^[a-z0-9.*-]{3,63}$"} <= PATTERNS


def test_every_pattern_of_the_config_models_has_a_hint():
    assert sorted(PATTERNS - PATTERN_HINTS.keys()) == []
    assert sorted(PATTERN_HINTS.keys() - PATTERNS) == []


# pattern -> a value the hint describes, a value it rules out. When the hint gives an example, the accepted
# value is that example.
VALUES = {
    r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$|^[a-z]$": ("shop-prod", "shop-"),
    r"^\d{12}$": ("123456789012", "12345678901"),
    r"^[\x20-\x7e]{1,50}$": ("Shop (prod)", "Shop\tprod"),
    r"^[^\x00-\x1f\x7f]{1,128}$": ("Workloads: prod", "Work\nloads"),
    r"^[A-Za-z0-9_+=,.@-]{1,32}$": ("ReadOnly.Access@1", "Read Only"),
    r"^[A-Za-z0-9_+=,.@-]{1,64}$": ("OrganizationAccountAccessRole", "Organizati\u00f6nAccessRole"),
    r"^[*/A-Za-z0-9_+=,.@-]{1,128}$": ("aws-reserved/sso.amazonaws.com/*AWSReservedSSO_*", "Admin Role"),
    r"^[A-Za-z0-9_.-]{1,100}$": ("shop.api_v2", "shop/api"),
    r"^[a-z0-9_{}-]{1,80}$": ("{app}-releases", "Releases"),
    r"^[a-z][a-z0-9-]{0,63}$": ("landing-zone", "1pack"),
    r"^[\p{L}\p{Z}\p{N}_.:/=+@-]+$": ("cost center:team/a", "env!"),
    r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$": ("taro-y", "taro--y"),
    r"^T[A-Z0-9]{6,12}$": ("T0ACME1234", "t0acme1234"),
    r"^[UW][A-Z0-9]{6,12}$": ("U0NOTIFY01", "u0notify01"),
    r"^[A-Z_][A-Z0-9_]*$": ("RAILS_MASTER_KEY", "1PASSWORD"),
    r"^[0-9A-Za-z]{1,64}$": ("1A2B3C4D5E6F", "landingzone/1A2B"),
    r"^arn:aws[a-z-]*:controltower:[a-z0-9-]+:\d{12}:enabledbaseline/[0-9A-Za-z]+$": (
        "arn:aws:controltower:ap-northeast-1:123456789012:enabledbaseline/XALULM96QHI525UOC",
        "XALULM96QHI525UOC",
    ),
    r"^[A-Za-z0-9_.-]{1,128}$": ("AWS-GR_RESTRICTED_SSH", "AWS GR"),
    r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]+$": (
        "arn:aws:kms:ap-northeast-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws:kms:ap-northeast-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab",
    ),
    r"^o-[a-z0-9]{10,32}$": ("o-a1b2c3d4e5", "o-a1b2c3d4"),
    r"^r-[0-9a-z]{4,32}$": ("r-ab12", "r-AB12"),
    r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$": ("ou-ab12-cd34ef56", "ou-ab12"),
    r"^p-[0-9a-zA-Z_]{8,128}$": ("p-FullAWSAccess", "p-abc"),
    r"^[A-Za-z0-9_+=,.@-]{1,128}$": ("config.amazonaws.com", "c\u00f6nfig.amazonaws.com"),
    r"^[\s\S]{1,128}$": ("FullAWSAccess", ""),
    r"^([0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$": (
        f"9067c2a4f1-{UUID}",
        f"d-9067c2a4f1-{UUID}",
    ),
    r"^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$": ("d-9067c2a4f1", "d-9067C2A4F1"),
    r"^arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$": (
        "arn:aws:sso:::instance/ssoins-1234567890abcdef",
        "ssoins-1234567890abcdef",
    ),
    r"^arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$": (
        "arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef",
        "arn:aws:sso:::permissionSet/ps-1234567890abcdef",
    ),
    r"^(arn:aws:iam::aws:policy/)?[A-Za-z0-9_+=,.@-]+(/[A-Za-z0-9_+=,.@-]+)*$": ("job-function/ViewOnlyAccess", "job-function//ViewOnlyAccess"),
    r"^\d+\.\d+$": (LANDING_ZONE_VERSION, f"v{LANDING_ZONE_VERSION}"),
    r"^cron\([^ ()]+( [^ ()]+){5}\)$": ("cron(0 17 * * ? *)", "cron(0 17 * * *)"),
    r"^[\w.:/=+@ -]+$": ("true", "yes!"),
    r"^[a-z0-9-]+:[a-z0-9-]+$": ("ec2:instance", "EC2:Instance"),
    r"^[a-z0-9.*-]{3,63}$": ("aws-controltower-logs-*", "Logs_Bucket"),
    r"^[0-9a-f]{40}$": (SHA, SHA[:7]),
    r"^[\w.-]+/[\w.-]+$": ("actions/checkout", "actions/checkout@v4"),
    r"^[a-z0-9_-]{1,80}$": ("shop-releases", "Shop Releases"),
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$": ("acme-platform", "-acme"),
}


def test_every_hint_has_an_accepted_and_a_refused_value():
    assert sorted(PATTERN_HINTS.keys() ^ VALUES.keys()) == []


def matches(pattern: str, value: str) -> bool:
    # pydantic's own (Rust) regex engine, as the models run it: Python's re has no \p{L}.
    try:
        TypeAdapter(Annotated[str, StringConstraints(pattern=pattern)]).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("pattern", sorted(VALUES))
def test_each_hint_is_true_to_its_pattern(pattern):
    accepted, refused = VALUES[pattern]
    assert (matches(pattern, accepted), matches(pattern, refused)) == (True, False)
    if "e.g." in PATTERN_HINTS[pattern]:
        assert accepted in PATTERN_HINTS[pattern]


# Service principals with digits, several dots and hyphens, as EnableAWSServiceAccess takes them: the program's own and
# some that `lzctl adopt` may find enabled (Organizations user guide, "AWS services that you can use with AWS Organizations").
PRINCIPALS = sorted({*TRUSTED_SERVICES, "storage-lens.s3.amazonaws.com", "reporting.trustedadvisor.amazonaws.com", "ipam.amazonaws.com"})


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_the_ascii_service_principal_takes_every_real_one(principal):
    assert TypeAdapter(ServicePrincipal).validate_python(principal) == principal
