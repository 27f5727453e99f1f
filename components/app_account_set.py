"""One application's accounts: one per environment, each in its environment's OU, with a provider."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.account import AccountPlacement, MemberAccounts
from config import AccountSpec


@dataclass(frozen=True)
class AppAccountSetArgs:
    accounts: Sequence[AccountSpec]
    """The application's accounts, one per environment (suspended ones included, so they stay managed)."""
    placement: AccountPlacement
    """OUs, access roles and region of the accounts."""


class AppAccountSet(MemberAccounts):
    accounts: dict[str, aws.organizations.Account]
    account_ids: dict[str, pulumi.Output[str]]
    providers: dict[str, aws.Provider]
    """Environment -> provider assuming the access role in that account; active accounts only."""

    def __init__(self, name: str, args: AppAccountSetArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:app_account_set:AppAccountSet", name, None, opts)
        members = {spec.environment: self._member_account(name, spec, args.placement) for spec in args.accounts}
        self.accounts = {env: member.account for env, member in members.items()}
        self.account_ids = {env: account.id for env, account in self.accounts.items()}
        self.providers = {env: member.provider for env, member in members.items() if member.provider is not None}
        self.register_outputs({"accountIds": self.account_ids})
