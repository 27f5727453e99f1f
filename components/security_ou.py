"""The Security OU's two accounts: audit (security tooling) and log archive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

import pulumi

from components.account import MemberAccount, create_member_account
from config import AccountSpec


@dataclass(frozen=True)
class SecurityOUArgs:
    audit: AccountSpec
    """The audit account: delegated administrator of the security services."""
    log: AccountSpec
    """The log archive account: CloudTrail and Config logs, log analysis."""
    ou_ids: Mapping[str, pulumi.Input[str]]
    """OU key -> OU id, from `Organization.ou_ids`."""
    access_role_name: str
    """Role Organizations creates in each account; the account providers assume it."""
    region: str
    """Home region of the account providers."""
    control_tower_trusts: Optional[str] = None
    """Management account id when Control Tower is on: each active account gets its execution role."""


class SecurityOU(pulumi.ComponentResource):
    audit: MemberAccount
    log: MemberAccount
    account_ids: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SecurityOUArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:security_ou:SecurityOU", name, None, opts)
        self.audit, self.log = (
            create_member_account(self, name, spec, args.ou_ids, args.access_role_name, args.region, args.control_tower_trusts)
            for spec in (args.audit, args.log)
        )
        self.account_ids = {args.audit.key: self.audit.account.id, args.log.key: self.log.account.id}
        self.register_outputs({"accountIds": self.account_ids})
