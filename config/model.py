"""The validated landing zone, resolved into what the components build.

Components never read YAML or pydantic models; they get these frozen records, in which every
reference has been checked and every default (account names, templated e-mails, assignment
scopes) has been applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional

import names
from config.schema import LandingZoneConfig

if TYPE_CHECKING:
    from config.delivery_checks import DeliveryPlan
    from config.guardrail_checks import GuardrailPlan

AUDIT = "audit"
LOG = "log"


def parents_first(parents: Mapping[str, Optional[str]]) -> list[str]:
    """OU keys (key -> parent key or None) ordered so that every parent precedes its children.

    Assumes a tree: validation refuses cycles and unknown parents before anything calls this.
    """

    def depth(key: str) -> int:
        parent = parents[key]
        return 0 if parent is None else 1 + depth(parent)

    return sorted(parents, key=depth)


@dataclass(frozen=True)
class AccountSpec:
    """One member account, as it should exist in Organizations."""

    key: str
    """Friendly key: `audit`, `log` or `<app>-<env>`; names its resources and fills the e-mail template."""
    name: str
    """Account name in Organizations."""
    email: str
    """Root user e-mail."""
    ou: str
    """Key of the OU the account lives in (the suspended OU once suspended)."""
    application: Optional[str] = None
    """Application key, for workload accounts."""
    environment: Optional[str] = None
    """Environment key, for workload accounts."""
    suspended: bool = False
    """Parked in the suspended OU with no access assigned; never closed by this program."""
    existing_account_id: Optional[str] = None
    """Adopted with Pulumi's import instead of created (the single-account migration)."""

    @property
    def tags(self) -> dict[str, str]:
        tags = dict(names.MANAGED_BY_TAG)
        if self.application:
            tags[names.APP_TAG] = self.application
        if self.environment:
            tags[names.ENV_TAG] = self.environment
        return tags


@dataclass(frozen=True)
class AssignmentSpec:
    """One Identity Center account assignment: a group gets a permission set on an account."""

    group: str
    permission_set: str
    account: str
    """Account key, or `management`."""

    @property
    def key(self) -> str:
        return f"{self.group}-{self.account}-{self.permission_set}"


@dataclass(frozen=True)
class UserAssignmentSpec:
    """A permission set assigned to one person directly: the time-boxed migration access."""

    person: str
    permission_set: str
    account: str

    @property
    def key(self) -> str:
        return f"{self.person}-{self.account}-{self.permission_set}"


def membership_key(group: str, person: str) -> str:
    return f"{group}-{person}"


def attachment_key(permission_set: str, policy: str) -> str:
    return f"{permission_set}-{names.managed_policy_key(policy)}"


@dataclass(frozen=True)
class LandingZone:
    """Everything the stacks build, validated."""

    config: LandingZoneConfig
    source: Path
    """The YAML file this came from; inline policy paths are relative to its folder."""
    accounts: tuple[AccountSpec, ...]
    assignments: tuple[AssignmentSpec, ...]
    inline_policies: dict[str, str] = field(default_factory=dict)
    """Permission set name -> its inline policy, minified JSON."""
    guardrails: Optional["GuardrailPlan"] = None
    """SCPs, OU registrations, controls and the tag policy, checked against AWS limits."""
    migration_assignments: tuple[UserAssignmentSpec, ...] = ()
    """Temporary direct assignments still within their `until` date."""
    delivery: Optional["DeliveryPlan"] = None
    """Repositories, pipelines and teams; None without a github section."""
    warnings: tuple[str, ...] = ()

    @property
    def organization(self):
        return self.config.organization

    def account(self, key: str) -> AccountSpec:
        return next(account for account in self.accounts if account.key == key)

    def application_accounts(self, application: str) -> tuple[AccountSpec, ...]:
        return tuple(a for a in self.accounts if a.application == application)
