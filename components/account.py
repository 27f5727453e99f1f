"""Member accounts and the providers that deploy into them: the base of SecurityOU and AppAccountSet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi
import pulumi_aws as aws

import names
from config import AccountSpec

CLOSING_IGNORED = ("email", "name", "iam_user_access_to_billing")
"""What an account armed for closure ignores changes to: whatever could force its replacement."""


@dataclass(frozen=True)
class AccountPlacement:
    """Where member accounts go and how they are reached: the same for security and workload accounts."""

    ou_ids: Mapping[str, pulumi.Input[str]]
    """OU key -> OU id, from `Organization.ou_ids`."""
    access_role_names: Mapping[str, str]
    """Account key -> the role Organizations creates it with, which its provider assumes
    (`LandingZone.access_role_names`: AWSControlTowerExecution for workload accounts with Control
    Tower on; `organization.access_role_name` for the audit and log accounts and without it)."""
    region: str
    """Home region of the account providers."""


@dataclass(frozen=True)
class MemberAccount:
    account: aws.organizations.Account
    """The account in Organizations."""
    provider: Optional[aws.Provider]
    """None for a suspended account: nothing is deployed into it any more."""


class MemberAccounts(pulumi.ComponentResource):
    """A component owning member accounts; subclasses keep their own type token, so URNs are theirs."""

    def _member_account(self, name: str, spec: AccountSpec, placement: AccountPlacement) -> MemberAccount:
        """Create `spec` as a child, named `<name>-<suffix>-account`.

        The account is protected and never closed on deletion: dropping it from config makes
        `pulumi up` stop at the protection instead of detaching or closing it. Suspending it in
        config moves it to the suspended OU instead; nothing in it is deleted, the access role
        included (it is Organizations', not a resource here). Only an account armed for closure
        (`closed: pending`, config/closure_checks.py) is unprotected with close_on_deletion, so the
        `pulumi up` that leaves it out closes it (CloseAccount) rather than stopping or detaching it.

        With Control Tower on, a workload account's access role is AWSControlTowerExecution, which
        Organizations creates in CreateAccount (AdministratorAccess, trusting the management
        account, what Control Tower needs to enrol the account) before the provider moves the
        account from the root into its OU; an OU registered with auto-enrolment then enrols it on
        arrival. Control Tower's own SCP denies every other principal any change to that role, so no
        program could manage it once the OU is governed. The audit and log accounts are created
        with `organization.access_role_name` instead: CreateLandingZone creates
        AWSControlTowerExecution in them itself (config/model.py `access_role_name`).
        """
        role = names.Role(placement.access_role_names[spec.key])
        suffix = spec.environment or spec.key
        account = aws.organizations.Account(
            f"{name}-{suffix}-account",
            name=spec.name,
            email=spec.email,
            parent_id=placement.ou_ids[spec.ou],
            role_name=role.name,
            close_on_deletion=spec.closing,
            tags=spec.tags,
            # Organizations cannot read role_name back, so an imported account would otherwise
            # show a diff that forces replacement. An armed account is unprotected, and Pulumi
            # replaces an unprotected resource in the same update (pulumi/pulumi step_generator.go:
            # only `new.Protect && old.Protect` refuses): an edited e-mail (ForceNew in the
            # provider's organizations/account.go), name or billing access must not create a new
            # account and close or detach this one.
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=not spec.closing,
                ignore_changes=["role_name", *(CLOSING_IGNORED if spec.closing else ())],
                import_=spec.existing_account_id,
            ),
        )
        if spec.suspended:
            return MemberAccount(account, None)
        provider = account_provider(f"{name}-{suffix}-provider", account.id, role.name, placement.region, spec.tags, self)
        return MemberAccount(account, provider)


def account_provider(
    name: str, account_id: pulumi.Input[str], access_role_name: Optional[str], region: str, tags: Mapping[str, str], parent: pulumi.Resource
) -> aws.Provider:
    """A provider that acts in one member account only, through its access role (None: the caller's
    own credentials, for the management account)."""
    assume = None
    if access_role_name is not None:
        role_arn = pulumi.Output.from_input(account_id).apply(names.Role(access_role_name).arn)
        assume = [aws.ProviderAssumeRoleArgs(role_arn=role_arn, session_name=names.PROVIDER_SESSION_NAME)]
    return aws.Provider(
        name,
        region=region,
        allowed_account_ids=[account_id],
        assume_roles=assume,
        default_tags=aws.ProviderDefaultTagsArgs(tags=dict(tags)),
        opts=pulumi.ResourceOptions(parent=parent),
    )
