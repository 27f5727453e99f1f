"""Service control policies: what the SCP templates (templates/scp/) are filled with.

Every deny exempts the roles the landing zone manages itself with (`exemptions`); an exemption
may name one account (a stack's deploy role, in that stack's account), whose id the document holds
as a slot until the account exists (guardrails/policies.py fills, packs and measures documents of
every policy type).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import names
from guardrails.policies import account_slot


@dataclass(frozen=True)
class ScpParameters:
    governed_regions: tuple[str, ...]
    """Regions left open by the region deny."""
    privileged_role_arns: tuple[str, ...]
    """Principals every deny exempts, so the landing zone can still manage itself."""
    protected_bucket_resources: tuple[str, ...]
    """Bucket and object ARNs of the log buckets."""

    def values(self) -> dict[str, list[str]]:
        return {
            "GOVERNED_REGIONS": list(self.governed_regions),
            "PRIVILEGED_ROLE_ARNS": list(self.privileged_role_arns),
            "PROTECTED_BUCKET_RESOURCES": list(self.protected_bucket_resources),
            "BACKUP_ROLE_ARNS": [names.BACKUP_ROLE.arn()],
            # The backup role itself may still expire what its plans made (its managed policies delete recovery points).
            "BACKUP_EXEMPT_ROLE_ARNS": [*self.privileged_role_arns, names.BACKUP_ROLE.arn()],
        }


@dataclass(frozen=True)
class Exemption:
    """A role every deny of the SCPs exempts, in every account or in one."""

    role: names.Role
    """The role, built by the same names.py function its component uses."""
    account: Optional[str] = None
    """Key of the one account it lives in; None: every account has it."""

    @property
    def arn(self) -> str:
        """As the SCP names it: the account's slot, or `*`."""
        return self.role.arn(account_slot(self.account) if self.account else "*")


def exemptions(
    access_role_name: str,
    extra_roles: Sequence[str] = (),
    control_tower: bool = True,
    deploy_roles: Optional[Mapping[str, str]] = None,
    pinned_access_roles: Optional[Mapping[str, str]] = None,
) -> tuple[Exemption, ...]:
    """Control Tower's execution role (with Control Tower on), the access role most accounts share
    and any extra role names in every account; an access role only some accounts have
    (`pinned_access_roles`: account key -> role) and each stack's Pulumi Deployments role
    (`deploy_roles`: stack -> key of its account) in those accounts only. Exempting a name an
    account lacks would let anyone who can create a role of that name there escape every SCP."""
    everywhere = [*([names.CONTROL_TOWER_EXECUTION_ROLE] if control_tower else []), names.Role(access_role_name)]
    pinned = [Exemption(names.Role(role), account) for account, role in (pinned_access_roles or {}).items()]
    pinned += [Exemption(names.pulumi_deploy_role(stack), account) for stack, account in (deploy_roles or {}).items()]
    unique: dict[str, Exemption] = {}
    for exemption in [*map(Exemption, everywhere), *pinned, *(Exemption(names.Role(role)) for role in extra_roles)]:
        unique.setdefault(exemption.arn, exemption)
    return tuple(unique.values())


def bucket_resources(bucket_patterns: Sequence[str]) -> tuple[str, ...]:
    """`aws-controltower-logs-*` -> the bucket ARN and its objects' ARN."""
    return tuple(arn for pattern in bucket_patterns for arn in (names.bucket_arn(pattern), f"{names.bucket_arn(pattern)}/*"))
