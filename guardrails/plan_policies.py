"""The organisation a plan describes, as the simulator needs it: the tree and what is attached where.

Reads only planned resources (anything with `type`, `urn`, `id` and `inputs` or `props`, and a
`provider` reference for the management account), never config internals, so it keeps working as
policy types and templates are added:

- the tree from `Organization`, `OrganizationalUnit` (`parentId`) and `Account` (`parentId`); the
  root is the parent id of the form `r-...` (Organizations API: root ids match `^r-[0-9a-z]{4,32}$`);
- every `organizations.Policy` of type SCP or RCP joined to its `PolicyAttachment`s by `policyId` /
  `targetId` (other policy types are ignored: they deny nothing);
- `FullAWSAccess` on every level while SCPs are enabled, `RCPFullAWSAccess` while RCPs are
  (Organizations attaches them; the program never detaches them);
- Control Tower's preventive controls (`ControlTowerControl`: the control id, or its Control Catalog id, ends the
  `controlIdentifier`, the OU id ends the `targetIdentifier`), with their `ExemptedPrincipalArns`
  and `ExemptAssumeRoot` parameters, and the mandatory SCPs of the landing zone's version on every OU it governs (OUs with
  an enabled baseline, and the OU of the accounts the manifest names).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

from guardrails import control_policies
from guardrails.controls import GLOBAL_IDS
from guardrails.simulator import (
    EVALUATED_TYPES,
    FULL_AWS_ACCESS,
    RCP,
    RCP_FULL_AWS_ACCESS,
    SCP,
    Organization,
    Policy,
    Target,
    parse_policy,
)

ORGANIZATION = "aws:organizations/organization:Organization"
OU = "aws:organizations/organizationalUnit:OrganizationalUnit"
ACCOUNT = "aws:organizations/account:Account"
POLICY = "aws:organizations/policy:Policy"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
CONTROL = "aws:controltower/controlTowerControl:ControlTowerControl"
BASELINE = "aws:controltower/baseline:Baseline"
LANDING_ZONE = "aws:controltower/landingZone:LandingZone"
AWS_PROVIDER = "pulumi:providers:aws"
EXEMPTED_PRINCIPAL_ARNS = "ExemptedPrincipalArns"
EXEMPT_ASSUME_ROOT = "ExemptAssumeRoot"
_BY_GLOBAL_ID = {global_id: control for control, global_id in GLOBAL_IDS.items()}


def props(resource: Any) -> dict:
    """Inputs of a planned resource (`PlannedResource.inputs`) or a policy-pack view (`ResourceView.props`)."""
    value = getattr(resource, "props", None)
    return value if isinstance(value, dict) else getattr(resource, "inputs", None) or {}


def name_of(resource: Any) -> str:
    return getattr(resource, "name", "") or resource.urn.rsplit("::", 1)[-1]


def json_list(value) -> list:
    """Provider inputs such as `allowedAccountIds` arrive JSON-encoded in a plan."""
    if isinstance(value, list):
        return value
    try:
        decoded = json.loads(value) if isinstance(value, str) else []
    except ValueError:
        return []
    return decoded if isinstance(decoded, list) else []


def providers(resources: Iterable[Any]) -> dict[str, dict]:
    """Provider URN -> its inputs."""
    return {r.urn: props(r) for r in resources if r.type == AWS_PROVIDER}


def provider_account(resource: Any, known_providers: Mapping[str, dict]) -> str:
    """The account a resource's provider is pinned to (`allowedAccountIds`), or ''."""
    reference = getattr(resource, "provider", "") or ""
    allowed = json_list(known_providers.get(reference.rsplit("::", 1)[0], {}).get("allowedAccountIds"))
    return str(allowed[0]) if allowed else ""


@dataclass(frozen=True)
class PlannedOrganization:
    organization: Organization
    account_ids: Mapping[str, str]
    """Account key -> id, the management account as `management`."""
    ou_keys: Mapping[str, str]
    """OU id -> OU key."""


def _ou_key(resource: Any) -> str:
    tag = (props(resource).get("tags") or {}).get("ou")
    return tag or name_of(resource).removeprefix("organization-").removesuffix("-ou")


def _account_key(resource: Any, keys_by_id: Mapping[str, str]) -> str:
    if resource.id in keys_by_id:
        return keys_by_id[resource.id]
    tags = props(resource).get("tags") or {}
    if tags.get("app") and tags.get("env"):
        return f"{tags['app']}-{tags['env']}"
    return name_of(resource).removesuffix("-account").removeprefix("security-")


def _control_policy(resource: Any) -> Optional[Policy]:
    inputs = props(resource)
    # Regional ARNs end with the control's name, global (Control Catalog) ARNs with its catalog id.
    tail = str(inputs.get("controlIdentifier", "")).rsplit("/", 1)[-1]
    control_id = _BY_GLOBAL_ID.get(tail, tail)
    behaviour = control_policies.BEHAVIOUR.get(control_id)
    if behaviour is None or behaviour.behaviour != control_policies.PREVENTIVE:
        return None
    exempted: list[str] = []
    assume_root = False
    for parameter in inputs.get("parameters") or []:
        if parameter.get("key") == EXEMPTED_PRINCIPAL_ARNS:
            value = parameter.get("value")
            exempted = json_list(value) or ([value] if isinstance(value, str) and value.startswith("arn:") else [])
        # Present means exempt: the parameter takes no false.
        assume_root |= parameter.get("key") == EXEMPT_ASSUME_ROOT
    statements = control_policies.control_statements(control_id, exempted, assume_root)
    return parse_policy(control_id, SCP, {"Statement": statements}, f"Control Tower control, {behaviour.source}")


def _manifest_sections(landing_zone: Any) -> frozenset[str]:
    manifest = props(landing_zone).get("manifestJson") or "{}"
    try:
        data = json.loads(manifest) if isinstance(manifest, str) else manifest
    except ValueError:
        return frozenset()
    return frozenset(k for k, v in data.items() if isinstance(v, dict) and v.get("enabled")) if isinstance(data, dict) else frozenset()


def _manifest_accounts(landing_zone: Any) -> set[str]:
    try:
        data = json.loads(props(landing_zone).get("manifestJson") or "{}")
    except (TypeError, ValueError):
        return set()
    return {str(v["accountId"]) for v in data.values() if isinstance(v, dict) and v.get("accountId")} if isinstance(data, dict) else set()


def _mandatory_policies(version: str, sections: frozenset[str], scope: str) -> list[Policy]:
    return [
        parse_policy(f'Control Tower mandatory control "{control.title}"', SCP, {"Statement": list(control.statements)}, control.source)
        for control in control_policies.mandatory_controls(version, sections, scope)
    ]


def planned_organization(resources: Iterable[Any], account_ids: Optional[Mapping[str, str]] = None) -> Optional[PlannedOrganization]:
    """The organisation the resources plan, or None when they plan none (the audit and log stacks).

    `account_ids` (the management stack's `accountIds` output: key -> id) names the accounts; without
    it they are named from their tags or resource names.
    """
    resources = list(resources)
    organizations = [r for r in resources if r.type == ORGANIZATION]
    if not organizations:
        return None
    organization = organizations[0]
    keys_by_id = {str(v): k for k, v in (account_ids or {}).items()}
    management_id = str((account_ids or {}).get("management") or provider_account(organization, providers(resources)))
    enabled = frozenset(props(organization).get("enabledPolicyTypes") or ()) & set(EVALUATED_TYPES)

    ous = {r.id: r for r in resources if r.type == OU}
    accounts = {r.id: r for r in resources if r.type == ACCOUNT}
    parents = {identifier: str(props(r).get("parentId", "")) for identifier, r in {**ous, **accounts}.items()}
    attached: dict[str, list[Policy]] = {}
    policies = {}
    for r in resources:
        if r.type == POLICY and props(r).get("type") in EVALUATED_TYPES:
            policies[r.id] = parse_policy(str(props(r).get("name") or name_of(r)), props(r)["type"], props(r).get("content") or "{}", f"plan: {name_of(r)}")
    for r in resources:
        if r.type == ATTACHMENT and props(r).get("policyId") in policies:
            attached.setdefault(str(props(r).get("targetId")), []).append(policies[props(r)["policyId"]])
    for r in resources:
        if r.type == CONTROL:
            policy = _control_policy(r)
            if policy is not None:
                attached.setdefault(str(props(r).get("targetIdentifier", "")).rsplit("/", 1)[-1], []).append(policy)
    for landing_zone in (r for r in resources if r.type == LANDING_ZONE):
        sections = _manifest_sections(landing_zone)
        version = str(props(landing_zone).get("version") or "4.0")
        security = {parents.get(a, "") for a in _manifest_accounts(landing_zone)} - {""}
        governed = {str(props(r).get("targetIdentifier", "")).rsplit("/", 1)[-1] for r in resources if r.type == BASELINE} | security
        for ou_id in sorted(governed):
            attached.setdefault(ou_id, []).extend(_mandatory_policies(version, sections, "all"))
            if ou_id in security:
                attached[ou_id].extend(_mandatory_policies(version, sections, "security"))

    defaults = [p for p, policy_type in ((FULL_AWS_ACCESS, SCP), (RCP_FULL_AWS_ACCESS, RCP)) if policy_type in enabled]

    def target(kind: str, key: str, identifier: str) -> Target:
        return Target(kind, key, identifier, tuple([*defaults, *attached.get(identifier, [])]))

    ou_keys = {identifier: _ou_key(r) for identifier, r in ous.items()}
    paths: dict[str, tuple[Target, ...]] = {}
    named: dict[str, str] = {"management": management_id}
    for identifier, account in accounts.items():
        key = _account_key(account, keys_by_id)
        named[key] = identifier
        chain = [target("account", key, identifier)]
        parent = parents[identifier]
        while parent in ous and len(chain) < 8:
            chain.append(target("ou", ou_keys[parent], parent))
            parent = parents[parent]
        chain.append(target("root", "root", parent))
        paths[identifier] = tuple(reversed(chain))
    return PlannedOrganization(
        organization=Organization(str(organization.id), management_id, paths, enabled),
        account_ids=named,
        ou_keys=ou_keys,
    )
