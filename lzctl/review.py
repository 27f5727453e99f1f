"""The plan as a platform engineer reviews it before a first `pulumi up` (issue 12.1).

Sections in the order one reads an organisation: where each account sits, who gets in, what
guards it, what deploys to it; then the totals. Built from the resolved config (what the program
was asked to build, with its keys) and the plan (what it would send: totals, import ids). Pure:
text in, text out, at most `WIDTH` columns; long lists wrap, names are never cut.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Iterable, Optional, Sequence

import names
from config.model import STACK_ACCOUNTS, LandingZone
from guardrails.policy_types import BY_API_TYPE
from lzctl.runtime import STACK_TYPE, Plan, PlannedResource
from names import STACKS

WIDTH = 100
INDENT = "  "


def _wrapped(head: str, items: Iterable[str], indent: str = INDENT, separator: str = ", ") -> list[str]:
    """`head` then the items, wrapped under the first item at `WIDTH` columns; an item is never
    split (one longer than a line gets a line of its own)."""
    items = list(items)
    first = f"{indent}{head}" + (" " if head and items else "")
    subsequent = " " * len(first) if len(first) < WIDTH // 2 else indent + INDENT
    gap = separator[len(separator.rstrip()) :] or " "
    lines, line = [], first
    for index, item in enumerate(items):
        piece = item + (separator.rstrip() if index < len(items) - 1 else "")
        if line.strip() and line not in (first, subsequent) and len(line) + len(gap) + len(piece) > WIDTH:
            lines.append(line)
            line = subsequent
        line += ("" if line in (first, subsequent) else gap) + piece
    return [*lines, line.rstrip()]


def totals(plan: Plan) -> str:
    counts = Counter(resource.op for resource in plan.resources if resource.type != STACK_TYPE)
    return ", ".join(f"{counts[op]} to {op}" for op in ("create", "import", "read") if counts[op])


def _ou_children(landing_zone: LandingZone) -> dict[Optional[str], list[str]]:
    children: dict[Optional[str], list[str]] = defaultdict(list)
    for key, ou in landing_zone.organization.organizational_units.items():
        children[ou.parent].append(key)
    return children


def organisation(landing_zone: LandingZone, plan: Plan) -> list[str]:
    org = landing_zone.organization
    imports = {r.name.removesuffix("-account"): r.import_id for r in plan.resources if r.import_id and r.type == "aws:organizations/account:Account"}
    accounts: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    for account in (*landing_zone.accounts, *landing_zone.closed_accounts):
        notes = [f"import {imports.get(account.key, account.existing_account_id)}"] if account.existing_account_id else []
        notes += ["suspended"] if account.suspended else []
        notes += ["armed for closure: unprotected, close_on_deletion"] if account.closing else []
        notes += [f"closed on {account.closed_on}: left out, so pulumi up closes it"] if account.closed_on else []
        accounts[account.ou].append((account.key, [repr(account.name), account.email, *(f"[{note}]" for note in notes)]))
    children = _ou_children(landing_zone)
    lines = ["Organisation", f"{INDENT}root  (management account {org.management_account_id}, home region {org.home_region})"]

    def walk(parent: Optional[str], prefix: str) -> None:
        for index, key in enumerate(children.get(parent, [])):
            last = index == len(children[parent]) - 1
            lines.append(f"{INDENT}{prefix}{'└─ ' if last else '├─ '}{org.organizational_units[key].name} ({key})")
            below = prefix + ("   " if last else "│  ")
            for key_, parts in accounts.get(key, []):
                lines.extend(_wrapped(f"· {key_} ", parts, indent=f"{INDENT}{below}", separator="  "))
            walk(key, below)

    walk(None, "")
    return lines


def _account_order(landing_zone: LandingZone) -> list[str]:
    return ["management", *(a.key for a in landing_zone.accounts)]


def access(landing_zone: LandingZone) -> list[str]:
    """Group x account -> permission sets: a matrix when it fits `WIDTH`, else a line per account."""
    cells: dict[tuple[str, str], list[str]] = defaultdict(list)
    for assignment in landing_zone.assignments:
        cells[(assignment.group, assignment.account)].append(assignment.permission_set)
    groups = [g for g in landing_zone.groups if any(group == g for group, _ in cells)]
    accounts = [a for a in _account_order(landing_zone) if any(account == a for _, account in cells)]
    lines = ["Access (group × account → permission sets; – none)"]
    if not cells:
        lines.append(f"{INDENT}no assignments: nobody signs in through Identity Center yet")
    first = max((len(a) for a in accounts), default=0)
    widths = [max(len(g), *(len(", ".join(cells[(g, a)])) for a in accounts)) for g in groups]
    if not cells:
        pass
    elif len(INDENT) + first + sum(w + 2 for w in widths) <= WIDTH:
        lines.append(f"{INDENT}{'':<{first}}" + "".join(f"  {g:<{w}}" for g, w in zip(groups, widths, strict=True)).rstrip())
        for account in accounts:
            row = "".join(f"  {(', '.join(cells[(g, account)]) or '–'):<{w}}" for g, w in zip(groups, widths, strict=True))
            lines.append(f"{INDENT}{account:<{first}}{row}".rstrip())
    else:
        for account in accounts:
            lines += _wrapped(f"{account}:", (f"{g} {'+'.join(cells[(g, account)])}" for g in groups if cells[(g, account)]), separator="; ")
    lines.append(f"{INDENT}people per group:" if landing_zone.groups else f"{INDENT}no groups")
    for key, group in landing_zone.groups.items():
        lines += _wrapped(f"{INDENT}{key}:", group.members or ("(nobody)",))
    for grant in landing_zone.migration_assignments:
        until = next((m.until for m in landing_zone.config.identity_center.migration_access if grant.person in m.people and m.account == grant.account), None)
        lines.append(f"{INDENT}migration access: {grant.person} → {grant.account} as {grant.permission_set} until {until}")
    return lines


def guardrails(landing_zone: LandingZone) -> list[str]:
    plan = landing_zone.guardrails
    lines = [
        "Guardrails (an OU's accounts get the policies of the OU and of every parent, root first;",
        f"{INDENT}SCPs and RCPs never apply to the management account, the other policy types do)",
    ]
    if plan is None:
        return lines + [f"{INDENT}none"]
    by_target: dict[str, list[tuple[str, Sequence[str]]]] = defaultdict(list)
    for document in plan.policies:
        marked = [f"{name} (config folder)" if name in document.from_folder else name for name in document.templates]
        by_target[document.target].append((document.policy_type.label, marked))
    for adopted in landing_zone.adopted_policies:
        label = BY_API_TYPE[adopted.type].label if adopted.type in BY_API_TYPE else adopted.type
        for attachment in adopted.attachments:
            by_target[attachment.target].append((f"{label} (adopted)", [f"{adopted.name} [{adopted.existing_id}]"]))
    children = _ou_children(landing_zone)
    order = ["root"]

    def walk(parent: Optional[str]) -> None:
        for key in children.get(parent, []):
            order.append(key)
            walk(key)

    walk(None)
    order += [key for key in _account_order(landing_zone) if key in by_target]
    for target in order:
        if not by_target.get(target) and not plan.controls.get(target):
            continue
        lines.append(f"{INDENT}{target}")
        for label, templates in by_target.get(target, []):
            lines += _wrapped(f"{INDENT}{label}:", templates)
        if plan.controls.get(target):
            lines += _wrapped(f"{INDENT}controls ({len(plan.controls[target])}):", plan.controls[target])
    if plan.registered_ous:
        lines.append(f"{INDENT}Control Tower adds its mandatory controls and its own SCP on every registered OU:")
        lines += _wrapped("", plan.registered_ous, indent=INDENT * 2)
    return lines


ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
INLINE = "aws:iam/rolePolicy:RolePolicy"
REPOSITORY = "github:index/repository:Repository"
AWS_MANAGED = "arn:aws:iam::aws:policy/"


def _pinned(provider: Optional[PlannedResource]) -> list[str]:
    pinned = provider.inputs.get("allowedAccountIds") if provider is not None else None
    return json.loads(pinned) if isinstance(pinned, str) else list(pinned or [])


class _Roles:
    """What each planned IAM role may do, by (account key, role name): read from the plan itself
    (attachments, inline policies and the boundary the program sends), not from the config."""

    def __init__(self, plan: Plan):
        by_urn = {r.urn: r for r in plan.resources}
        key_of = {account_id: key for key, account_id in (plan.outputs.get("accountIds") or {}).items()}
        self.roles: dict[tuple[str, str], PlannedResource] = {}
        for role in plan.of_type(ROLE):
            for account_id in _pinned(by_urn.get(role.provider.rsplit("::", 1)[0])):
                self.roles[(key_of.get(account_id, account_id), role.inputs.get("name", ""))] = role
        self.policies: dict[tuple[str, str], list[str]] = defaultdict(list)
        for resource in (*plan.of_type(ATTACHMENT), *plan.of_type(INLINE)):
            policy = resource.inputs.get("policyArn", "").removeprefix(AWS_MANAGED) or f"inline {resource.inputs.get('name', resource.name)}"
            self.policies[(resource.provider, resource.inputs.get("role", ""))].append(policy)

    def permissions(self, account: str, role_name: str) -> Optional[list[str]]:
        """Managed policies (AWS's by name), inline policies, then the boundary; None when not planned.
        An attachment names its role by name (or by id, which IAM sets to the name)."""
        role = self.roles.get((account, role_name))
        if role is None:
            return None
        attached = self.policies.get((role.provider, role_name), []) + (self.policies.get((role.provider, role.id), []) if role.id != role_name else [])
        boundary = role.inputs.get("permissionsBoundary")
        return [*attached, f"boundary {boundary.rsplit('/', 1)[-1]}" if boundary else "no boundary"]


def _role_lines(roles: _Roles, label: str, where: Sequence[tuple[str, str, str]]) -> list[str]:
    """`label` (place, ...): permissions, one line per set of places whose roles may do the same.
    `where`: (place shown, account key, role name)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for place, account, role_name in where:
        permissions = roles.permissions(account, role_name)
        if permissions is not None:
            groups.setdefault(tuple(permissions), []).append(place)
    return [line for permissions, places in groups.items() for line in _wrapped(f"{INDENT}{label} ({', '.join(places)}):", permissions)]


def _adopted(plan: Plan, repository: str) -> str:
    """`[adopted: import <id>, retained]` when the plan imports the repository, else ``."""
    for resource in plan.of_type(REPOSITORY):
        if resource.inputs.get("name") == repository and resource.import_id:
            return f"[adopted: import {resource.import_id}{', retained' if resource.retain_on_delete else ''}]"
    return ""


def _marked(line: str, mark: str) -> list[str]:
    """`line` with `mark` after it, or on the next line when both do not fit `WIDTH`."""
    if not mark:
        return [line]
    return [f"{line}  {mark}"] if len(line) + 2 + len(mark) <= WIDTH else [line, f"{INDENT * 2}{mark}"]


def delivery(landing_zone: LandingZone, plan: Plan) -> list[str]:
    lines = ["Delivery (repository → environment → account; what each deploy role may do there)"]
    delivery_plan = landing_zone.delivery
    if delivery_plan is None:
        return lines + [f"{INDENT}none: no github section"]
    owner = landing_zone.config.github.owner
    roles = _Roles(plan)
    for pipeline in delivery_plan.pipelines:
        lines += _marked(f"{INDENT}{pipeline.application} ({pipeline.kind}): {owner}/{pipeline.repository}", _adopted(plan, pipeline.repository))
        release = pipeline.release
        for branch, environment in pipeline.branches.items():
            line = f"{INDENT * 2}{branch} → {environment} → {pipeline.accounts[environment]}"
            if (branch, environment) == release and delivery_plan.environment_reviewers:
                reviewers = [f"team {t}" for t in pipeline.reviewers.teams] + [f"@{login}" for login in pipeline.reviewers.logins]
                line += f"  (reviewers: {', '.join(reviewers) or 'none'})"
            lines.append(line)
        environments = dict.fromkeys(pipeline.branches.values())
        lines += _role_lines(roles, "deploy role", [(env, pipeline.accounts[env], names.github_deploy_role(env).name) for env in environments])
        # A terraform app's release environment also has a read-only role for its plan before the review.
        lines += _role_lines(roles, "plan role", [(env, pipeline.accounts[env], names.github_plan_role(env).name) for env in environments])
        if pipeline.slack_channel:
            # A channel the application names may predate the program: taken over, never archived.
            kept = "[named: an existing one is taken over, kept on removal]" if pipeline.slack_channel_named else ""
            lines += _marked(f"{INDENT * 2}Slack: #{pipeline.slack_channel}", kept)
    if delivery_plan.infrastructure_repository:
        repository = delivery_plan.infrastructure_repository
        reviewers = [f"team {t}" for t in delivery_plan.infrastructure_reviewers.teams] + [
            f"@{login}" for login in delivery_plan.infrastructure_reviewers.logins
        ]
        lines += _marked(f"{INDENT}this landing zone: {owner}/{repository} → stacks {', '.join(STACKS)}", _adopted(plan, repository))
        if delivery_plan.environment_reviewers:
            lines.append(f"{INDENT * 2}(reviewers: {', '.join(reviewers) or 'none'})")
        for label, role in (("Pulumi Deployments role", names.pulumi_deploy_role), ("pull-request preview role", names.github_plan_role)):
            lines += _role_lines(roles, label, [(stack, STACK_ACCOUNTS[stack], role(stack).name) for stack in STACKS])
    return lines


def management_review(landing_zone: LandingZone, plan: Plan) -> str:
    sections = (organisation(landing_zone, plan), access(landing_zone), guardrails(landing_zone), delivery(landing_zone, plan))
    return "\n\n".join("\n".join(section) for section in sections)


def _where(provider: PlannedResource, account: str) -> tuple[str, str]:
    """(account, region) a provider lands in: the stack's own account when pinned (the audit and
    log stacks pin every provider that acts to the id they read from the management stack's
    handoff, stacks/shared.py), else unpinned. Offline that id is the mock's answer, so it is
    never printed as if it were the organisation's."""
    pinned = provider.inputs.get("allowedAccountIds")
    return (f"the {account} account" if pinned else "the credentials' account"), str(provider.inputs.get("region", ""))


def stack_review(plan: Plan) -> str:
    """The audit and log stacks: what each top-level component builds, by resource type, and where."""
    root = next(r.urn for r in plan.resources if r.type == STACK_TYPE)
    by_urn = {r.urn: r for r in plan.resources}
    account = STACK_ACCOUNTS.get(plan.stack, plan.stack)

    def top(urn: str) -> str:
        while by_urn[urn].parent and by_urn[urn].parent != root:
            urn = by_urn[urn].parent
        return by_urn[urn].name

    kinds: dict[str, Counter] = defaultdict(Counter)
    places: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for resource in plan.resources:
        if resource.custom and not resource.type.startswith("pulumi:"):
            component = top(resource.urn)
            kinds[component][resource.type.split(":")[-1]] += 1
            provider = by_urn.get(resource.provider.rsplit("::", 1)[0])
            if provider is not None:
                where, region = _where(provider, account)
                places[component][where].add(region)
    lines = [
        f"What {plan.stack} builds, and where (in the {account} account, whose id it reads at deploy from the",
        f"{INDENT}management stack's parameters there: docs/deploying.md, 'Three stacks, deployed in order')",
    ]
    for component in sorted(kinds):
        where = "; ".join(f"{target} in {', '.join(sorted(regions))}" for target, regions in sorted(places[component].items()))
        lines.append(f"{INDENT}{component}" + (f" ({where})" if where else ""))
        lines += _wrapped("", (f"{kind} × {count}" if count > 1 else kind for kind, count in kinds[component].most_common()), indent=INDENT * 2)
    return "\n".join(lines)


def review(plan: Plan, landing_zone: Optional[LandingZone], warnings: Sequence[str], violations: Sequence[str]) -> str:
    """The whole review; `landing_zone` None for the audit and log stacks, which get `stack_review`."""
    body = management_review(landing_zone, plan) if landing_zone is not None else stack_review(plan)
    tail = [f"Total: {totals(plan)}"]
    tail += [line for warning in warnings for line in _wrapped("warning:", warning.split(" "), indent="", separator=" ")]
    tail += [line for violation in violations for line in _wrapped("rule:", violation.split(" "), indent="", separator=" ")]
    tail.append(f"{len(warnings)} warnings, {len(violations)} rule violations")
    return f"Review of {plan.project}/{plan.stack} (offline plan, mocked outputs)\n\n{body}\n\n" + "\n".join(tail)
