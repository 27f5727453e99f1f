"""The landing zone never denies itself (issue 11, item 7): a rule over planned resources.

For every AWS resource a stack plans, find where it lands and who deploys it:

- the account is its provider's `allowedAccountIds[0]` (every provider here pins one), the region
  the provider's `region`;
- the deployer is the provider's `assumeRoles[0].roleArn` when it assumes one (member accounts are
  reached through the organisation access role), otherwise the stack's own Pulumi Deployments role,
  `names.pulumi_deploy_role(stack)` in that account (components/stack_deployments.py), the stack
  read from the resource's URN;

then ask the simulator whether the organisation's SCPs and RCPs (the plan's own, Control Tower's
controls and its mandatory SCPs) deny any IAM action that creating, updating or deleting the
resource needs (guardrails/deploy_actions.py). Each application's GitHub deploy role
(`names.github_deploy_role(env)`) is also checked for what an application deploy does
(`APP_DEPLOYS`), where its permissions boundary allows it.

`never_denies_itself(resources)` has the shape of a policy rule: it yields `(urn, message)`. The
audit and log stacks plan no organisation: pass the management plan's resources as
`organization_resources` to check them. Resources without a `provider` reference (a policy-pack view
that lacks one) are taken to land in the management account, where no SCP applies.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Iterator, Optional

import names
from guardrails import deploy_actions
from guardrails.iam_matching import PolicyError
from guardrails.plan_policies import json_list, name_of, planned_organization, props, providers
from guardrails.simulator import Decision, PrincipalError, Request, Statement, evaluate, parse_policy, parse_principal, statement_applies

PHASES = ("create", "update", "delete")
IAM_ROLE = "aws:iam/role:Role"
IAM_POLICY = "aws:iam/policy:Policy"
APP_DEPLOY_ROLE = re.compile(r"^github-deploy-(?P<env>[a-z][a-z0-9-]*)$")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
ACCOUNT_ID = re.compile(r"\d{12}")


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::...` -> the stack."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


def deploy_role_arn(account: str, stack: str) -> str:
    return names.pulumi_deploy_role(stack).arn(account)


def _provider_of(resource: Any, known: dict[str, dict]) -> dict:
    return known.get((getattr(resource, "provider", "") or "").rsplit("::", 1)[0], {})


def _deployer(resource: Any, provider: dict, account: str) -> str:
    assumed = json_list(provider.get("assumeRoles"))
    if assumed and isinstance(assumed[0], dict) and assumed[0].get("roleArn"):
        return str(assumed[0]["roleArn"])
    return deploy_role_arn(account, stack_of(resource.urn))


def _evaluable(principal: str, account: str) -> bool:
    try:
        parse_principal(principal)
    except PrincipalError:
        return False
    return ACCOUNT_ID.fullmatch(account) is not None


def _known(value: Any) -> bool:
    return isinstance(value, str) and value not in ("", "[unknown]", "[secret]")


def _arn(template: str, resource: Any, account: str, region: str, role_paths: dict[tuple[str, str], str]) -> str:
    """The resource's ARN from the type's template; '' when an input it needs is not known."""
    inputs = props(resource)
    values = {"account": account, "region": region, "name": inputs.get("name") or name_of(resource)}
    values.update({k: v for k, v in inputs.items() if _known(v)})
    if _known(inputs.get("url")):
        values["urlHost"] = inputs["url"].removeprefix("https://")
    if _known(inputs.get("role")):
        values["rolePath"] = role_paths.get((account, inputs["role"]), "/")
    values.setdefault("path", "/")
    missing = [key for key in _PLACEHOLDER.findall(template) if not _known(values.get(key))]
    return "" if template == "*" or missing else _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _denials(decision: Decision) -> str:
    parts = [match.describe() for match in decision.denials] + [f"no Allow for it: {level}" for level in decision.implicit]
    return "; ".join(dict.fromkeys(parts))


def _denied(organization, principal: str, account: str, region: str, wanted: Iterable[tuple[str, str, str]]) -> Iterator[str]:
    """One message per set of guardrails that deny `principal` some of the (phase, action, resource) it needs."""
    phases: dict[str, dict[str, list[str]]] = {}
    for phase, action, resource in wanted:
        decision = evaluate(Request(principal, action, account, resource, region), organization)
        if not decision.allowed:
            phases.setdefault(_denials(decision), {}).setdefault(action, []).append(phase)
    for why, actions in phases.items():
        listed = ", ".join(f"{action} ({', '.join(dict.fromkeys(p))})" for action, p in actions.items())
        yield f"{listed} {'is' if len(actions) == 1 else 'are'} denied by {why}"


def _boundary_allows(boundary: Optional[list[Statement]], action: str, resource: str) -> bool:
    if boundary is None:
        return True
    matching = [s for s in boundary if statement_applies(s, action, resource, {}, [])]
    return any(s.effect == "Allow" for s in matching) and not any(s.effect == "Deny" for s in matching)


def never_denies_itself(resources: Iterable[Any], organization_resources: Optional[Iterable[Any]] = None) -> Iterator[tuple[str, str]]:
    resources = list(resources)
    everything = resources + list(organization_resources or [])
    planned = planned_organization(everything)
    if planned is None:
        return
    organization = planned.organization
    keys = {identifier: key for key, identifier in planned.account_ids.items()}
    known = providers(everything)
    role_paths = {}
    for role in (r for r in everything if r.type == IAM_ROLE):
        account = json_list(_provider_of(role, known).get("allowedAccountIds"))
        role_paths[(str(account[0]) if account else organization.management_account_id, props(role).get("name") or name_of(role))] = (
            props(role).get("path") or "/"
        )
    for resource in resources:
        if not resource.type.startswith("aws:") or getattr(resource, "read", False):
            continue
        actions = deploy_actions.ACTIONS.get(resource.type)
        if actions is None:
            yield resource.urn, f"no IAM actions are known for {resource.type}: add them to guardrails/deploy_actions.py so this rule can check it"
            continue
        provider = _provider_of(resource, known)
        allowed = json_list(provider.get("allowedAccountIds"))
        account = str(allowed[0]) if allowed else organization.management_account_id
        region = str(provider.get("region") or "")
        principal = _deployer(resource, provider, account)
        if not _evaluable(principal, account):
            continue  # a preview before the account or its role is known: nothing to evaluate yet
        arn = _arn(actions.arn, resource, account, region, role_paths)
        wanted = [(phase, action, arn) for phase in PHASES for action in getattr(actions, phase)]
        for problem in _denied(organization, principal, account, region, wanted):
            yield resource.urn, f"deploying it as {principal} in {keys.get(account, account)} ({region}): {problem}"
    yield from _app_deploy_roles(resources, everything, organization, keys, known)


def _app_deploy_roles(resources, everything, organization, keys, known) -> Iterator[tuple[str, str]]:
    boundaries = {}
    for policy in (r for r in everything if r.type == IAM_POLICY):
        account = json_list(_provider_of(policy, known).get("allowedAccountIds"))
        arn = (
            f"arn:aws:iam::{account[0] if account else organization.management_account_id}:policy{props(policy).get('path') or '/'}{props(policy).get('name')}"
        )
        try:
            boundaries[arn] = list(parse_policy(arn, "BOUNDARY", props(policy).get("policy") or "{}").statements)
        except (PolicyError, ValueError):
            continue
    for role in (r for r in resources if r.type == IAM_ROLE):
        inputs = props(role)
        match = APP_DEPLOY_ROLE.match(str(inputs.get("name") or ""))
        if not match or inputs.get("path") != names.GITHUB_PATH:
            continue
        provider = _provider_of(role, known)
        allowed = json_list(provider.get("allowedAccountIds"))
        account = str(allowed[0]) if allowed else organization.management_account_id
        region = str(provider.get("region") or "")
        account_key = keys.get(account, account)
        app = json.loads(provider.get("defaultTags") or "{}").get("tags", {}).get("app") or account_key.rsplit("-", 1)[0]
        boundary = boundaries.get(str(inputs.get("permissionsBoundary") or ""))
        fill = {"account": account, "region": region, "app": app, "account_key": account_key}
        wanted = [("deploy", action, template.format(**fill)) for action, template in deploy_actions.APP_DEPLOYS]
        wanted = [w for w in wanted if _boundary_allows(boundary, w[1], w[2])]
        principal = names.Role(inputs["name"], names.GITHUB_PATH).arn(account)
        if not _evaluable(principal, account):
            continue
        for problem in _denied(organization, principal, account, region, wanted):
            yield role.urn, f"the application's deploys as {principal} in {account_key} ({region}): {problem}"
