"""The Security OU's two accounts: audit (security tooling) and log archive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi

from components.account import AccountPlacement, MemberAccount, MemberAccounts
from config import AccountSpec


@dataclass(frozen=True)
class SecurityOUArgs:
    audit: AccountSpec
    """The audit account: delegated administrator of the security services."""
    log: AccountSpec
    """The log archive account: CloudTrail and Config logs, log analysis."""
    placement: AccountPlacement
    """OUs, access roles and region of the accounts."""


class SecurityOU(MemberAccounts):
    audit: MemberAccount
    log: MemberAccount
    account_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SecurityOUArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:security_ou:SecurityOU", name, None, opts)
        self.audit, self.log = (self._member_account(name, spec, args.placement) for spec in (args.audit, args.log))
        self.account_ids = {args.audit.key: self.audit.account.id, args.log.key: self.log.account.id}
        self.register_outputs({"accountIds": self.account_ids})
