"""The organisation as the article draws it, read from plan documents (the shape of `plan --json`).

A pure function from one or more stacks' plans to a small graph: the management account, the root
and its OUs with their accounts, GitHub repositories, Slack channels and Pulumi Deployments, and
the links that matter (OIDC deploy trusts, notifications, findings and logs). `lzctl.mermaid` and
`lzctl.drawio` draw it. Everything is read from what the plan registers, never from the config,
so resources other components add later appear without changes here where their kind is known.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Mapping, Optional, Sequence

from delivery.policies import parse_github_subject

ORGANIZATION = "aws:organizations/organization:Organization"
OU = "aws:organizations/organizationalUnit:OrganizationalUnit"
ACCOUNT = "aws:organizations/account:Account"
AWS_PROVIDER = "pulumi:providers:aws"
GITHUB_PROVIDER = "pulumi:providers:github"
ROLE = "aws:iam/role:Role"
LANDING_ZONE = "aws:controltower/landingZone:LandingZone"
TRAIL = "aws:cloudtrail/trail:Trail"
REPOSITORY = "github:index/repository:Repository"
CONVERSATION = "slack:index/conversation:Conversation"
DEPLOYMENT_SETTINGS = "pulumiservice:index:DeploymentSettings"
WEBHOOK = "pulumiservice:index:Webhook"
GITHUB_OIDC = "token.actions.githubusercontent.com"

# Services named on the account that holds their resources (through the resource's provider).
SERVICES = (
    ("aws:organizations/", "Organizations"),
    ("aws:controltower/", "Control Tower"),
    ("aws:ssoadmin/", "Identity Center"),
    ("aws:identitystore/", "Identity Center"),
    ("aws:guardduty/", "GuardDuty"),
    ("aws:securityhub/", "Security Hub"),
    ("aws:inspector2/", "Inspector"),
    ("aws:accessanalyzer/", "Access Analyzer"),
    ("aws:cfg/", "Config"),
    ("aws:cloudtrail/", "CloudTrail"),
    ("aws:athena/", "log analysis (Athena)"),
    ("aws:glue/", "log analysis (Athena)"),
    ("aws:budgets/", "Budgets"),
    ("aws:ecr/", "ECR"),
)
# Resources that make another account the organisation's administrator of a service: the service
# is that account's, not the management account's that registers them. Input naming the account.
DELEGATIONS = {
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": ("GuardDuty", "adminAccountId"),
    "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount": ("Security Hub", "adminAccountId"),
    "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount": ("Inspector", "accountId"),
    "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount": ("CloudTrail", "accountId"),
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": (None, "accountId"),
}
SERVICE_PRINCIPALS = {
    "access-analyzer.amazonaws.com": "Access Analyzer",
    "config.amazonaws.com": "Config",
    "config-multiaccountsetup.amazonaws.com": "Config",
    "guardduty.amazonaws.com": "GuardDuty",
    "securityhub.amazonaws.com": "Security Hub",
    "inspector2.amazonaws.com": "Inspector",
    "cloudtrail.amazonaws.com": "CloudTrail",
}
FINDING_SERVICES = frozenset({"GuardDuty", "Security Hub", "Inspector", "Access Analyzer", "Config"})
NOTIFIERS = (("aws:chatbot/", "alerts (Chatbot)"), ("github:", "deploy notifications"))
# Colours (fill, stroke) shared by the renderers, diagrams.net's default palette.
NODE_COLOURS = {
    "management": ("#fff2cc", "#d6b656"),
    "account": ("#dae8fc", "#6c8ebf"),
    "repository": ("#f5f5f5", "#666666"),
    "deployments": ("#d5e8d4", "#82b366"),
    "channel": ("#e1d5e7", "#9673a6"),
}
GROUP_COLOURS = {
    "root": ("#fafafa", "#666666"),
    "ou": ("#ffffff", "#6c8ebf"),
    "github": ("#fafafa", "#666666"),
    "pulumi": ("#fafafa", "#82b366"),
    "slack": ("#fafafa", "#9673a6"),
}
EDGE_COLOURS = {"oidc": "#6c8ebf", "deploy": "#82b366", "notify": "#9673a6", "findings": "#b85450", "logs": "#d79b00"}
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{8,}$")
_ARN_ACCOUNT = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):")
DETAIL_WIDTH = 28
PULL_REQUESTS = "PR"
GROUP_IDS = ("org_root", "github", "pulumi_cloud", "slack")


class DiagramError(ValueError):
    """The plans hold no organisation to draw."""


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str
    """management, account, repository, channel or deployments."""
    details: tuple[str, ...] = ()
    """Short lines under the label: services, `import`, what is not managed here."""


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    kind: str
    """root, ou, github, slack or pulumi."""
    nodes: tuple[Node, ...] = ()
    groups: tuple["Group", ...] = ()

    def walk(self) -> Iterator["Group"]:
        yield self
        for group in self.groups:
            yield from group.walk()


@dataclass(frozen=True)
class Edge:
    source: str
    """A node id, or the id of a group for flows from everything inside it."""
    target: str
    label: str
    kind: str
    """oidc, deploy, notify, findings or logs."""


@dataclass(frozen=True)
class Diagram:
    title: str
    groups: tuple[Group, ...]
    edges: tuple[Edge, ...]

    def nodes(self) -> Iterator[Node]:
        for top in self.groups:
            for group in top.walk():
                yield from group.nodes


@dataclass
class _State:
    urn: str
    type: str
    name: str
    parent: str
    provider: str
    inputs: dict
    dependencies: tuple[str, ...]
    import_id: str


def _states(documents: Sequence[Mapping]) -> list[_State]:
    states = []
    for document in documents:
        for step in document["steps"]:
            new = step["newState"]
            states.append(
                _State(
                    new["urn"],
                    new["type"],
                    new["urn"].rsplit("::", 1)[-1],
                    new.get("parent", ""),
                    new.get("provider", "").rsplit("::", 1)[0],
                    new.get("inputs") or {},
                    tuple(new.get("dependencies") or ()),
                    new.get("importID", ""),
                )
            )
    return states


def _json(value: object) -> object:
    """Provider config and policy documents travel as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _first_allowed(provider: _State) -> str:
    allowed = _json(provider.inputs.get("allowedAccountIds"))
    return allowed[0] if isinstance(allowed, list) and len(allowed) == 1 else ""


def node_id(prefix: str, name: str, taken: set[str]) -> str:
    """`prefix_name` in [A-Za-z0-9_] (Mermaid's id alphabet), unique among `taken`."""
    base = f"{prefix}_{re.sub(r'[^A-Za-z0-9]+', '_', name).strip('_') or 'x'}"
    candidate, index = base, 2
    while candidate in taken:
        candidate, index = f"{base}_{index}", index + 1
    taken.add(candidate)
    return candidate


def _in_table_order(services: Iterable[str]) -> list[str]:
    labels = list(dict.fromkeys(label for _, label in SERVICES))
    return sorted(services, key=lambda label: (labels.index(label) if label in labels else len(labels), label))


def _lines(items: Iterable[str]) -> tuple[str, ...]:
    """Items joined with ` · ` into lines of at most DETAIL_WIDTH characters (longer items alone)."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 3 + len(item) <= DETAIL_WIDTH:
            lines[-1] += f" · {item}"
        else:
            lines.append(item)
    return tuple(lines)


def _subject_tail(claim: str) -> str:
    kind, _, value = claim.partition(":")
    if kind == "environment":
        return value
    if kind == "pull_request":
        return PULL_REQUESTS
    if kind == "ref":
        return value.removeprefix("refs/heads/").removeprefix("refs/tags/")
    return claim


def _github_subjects(role: _State) -> list[tuple[str, str]]:
    """(owner/repo, what the trust allows) for every GitHub OIDC subject the role's trust names."""
    policy = _json(role.inputs.get("assumeRolePolicy"))
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    found = []
    for statement in statements if isinstance(statements, list) else [statements]:
        principal = (statement.get("Principal") or {}).get("Federated", "")
        if not str(principal).endswith(GITHUB_OIDC):
            continue
        for condition in (statement.get("Condition") or {}).values():
            subjects = condition.get(f"{GITHUB_OIDC}:sub", [])
            for subject in [subjects] if isinstance(subjects, str) else subjects:
                parsed = parse_github_subject(subject)
                if parsed is not None:
                    found.append((parsed.full_name, _subject_tail(parsed.context)))
    return found


@dataclass
class _Builder:
    states: list[_State]
    taken: set[str] = field(default_factory=lambda: set(GROUP_IDS))
    services: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    delegated: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    edges: dict[tuple[str, str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.by_urn = {s.urn: s for s in self.states}
        organizations = [s for s in self.states if s.type == ORGANIZATION]
        if not organizations:
            raise DiagramError("no organisation in these plans: the management stack builds it")
        self.organization = organizations[0]
        self.management = node_id("management", "account", self.taken)
        self.accounts = {s.urn: node_id("acct", s.name, self.taken) for s in self.states if s.type == ACCOUNT}
        self.node_of_id: dict[str, str] = {}
        for provider in (s for s in self.states if s.type == AWS_PROVIDER):
            owner = next((self.accounts[d] for d in provider.dependencies if d in self.accounts), None)
            if owner and _first_allowed(provider):
                self.node_of_id[_first_allowed(provider)] = owner
        for account in (s for s in self.states if s.type == ACCOUNT and s.import_id):
            self.node_of_id[account.import_id] = self.accounts[account.urn]
        management_provider = self.by_urn.get(self.organization.provider)
        if management_provider and _first_allowed(management_provider):
            self.node_of_id[_first_allowed(management_provider)] = self.management
        self.repositories: dict[str, str] = {}
        self.channels = {s.urn: node_id("slack", s.inputs.get("name", s.name), self.taken) for s in self.states if s.type == CONVERSATION}

    def account_of(self, state: _State) -> Optional[str]:
        provider = self.by_urn.get(state.provider)
        return self.node_of_id.get(_first_allowed(provider)) if provider else None

    def repository(self, full_name: str) -> str:
        if full_name not in self.repositories:
            self.repositories[full_name] = node_id("repo", full_name, self.taken)
        return self.repositories[full_name]

    def link(self, source: str, target: str, kind: str, label: str) -> None:
        labels = self.edges[(source, target, kind)]
        if label not in labels:
            labels.append(label)

    def read_services(self) -> None:
        for state in self.states:
            if state.type in DELEGATIONS:
                service, key = DELEGATIONS[state.type]
                service = service or SERVICE_PRINCIPALS.get(state.inputs.get("servicePrincipal", ""))
                delegate = self.node_of_id.get(state.inputs.get(key, ""))
                if service and delegate:
                    self.services[delegate].add(service)
                    self.delegated[delegate].add(service)
                continue
            label = next((label for prefix, label in SERVICES if state.type.startswith(prefix)), None)
            holder = self.account_of(state)
            if label and holder:
                self.services[holder].add(label)

    def read_flows(self) -> tuple[set[str], dict[str, str]]:
        """Accounts that receive the organisation's findings, and log archives with what they keep.

        Findings go to the delegated administrators of the finding services (and Control Tower's
        audit account); logs to Control Tower's log archive, the CloudTrail delegated
        administrator, or whichever account holds an organisation trail.
        """
        findings = {n for n, services in self.delegated.items() if services & FINDING_SERVICES}
        logs = {n: "CloudTrail logs" for n, services in self.delegated.items() if "CloudTrail" in services}
        for trail in (s for s in self.states if s.type == TRAIL and s.inputs.get("isOrganizationTrail")):
            holder = self.account_of(trail)
            if holder:
                logs[holder] = "CloudTrail logs"
        for zone in (s for s in self.states if s.type == LANDING_ZONE):
            manifest = _json(zone.inputs.get("manifestJson"))
            manifest = manifest if isinstance(manifest, dict) else {}
            logging_, security = manifest.get("centralizedLogging", {}), manifest.get("securityRoles", {})
            if logging_.get("enabled") and logging_.get("accountId") in self.node_of_id:
                logs[self.node_of_id[logging_["accountId"]]] = "CloudTrail + Config logs"
            if security.get("enabled") and security.get("accountId") in self.node_of_id:
                findings.add(self.node_of_id[security["accountId"]])
        return findings, logs

    def read_links(self) -> None:
        for role in (s for s in self.states if s.type == ROLE):
            account = self.account_of(role)
            for full_name, allows in _github_subjects(role) if account else ():
                self.link(self.repository(full_name), account, "oidc", allows)
        channel_ids = {}
        for state in self.states:
            channels = [self.channels[d] for d in state.dependencies if d in self.channels]
            if len(channels) == 1:
                channel_ids.update({v: channels[0] for v in state.inputs.values() if isinstance(v, str) and _CHANNEL_ID.match(v)})
        for state in self.states:
            target = next((self.channels[d] for d in state.dependencies if d in self.channels), None)
            target = target or channel_ids.get(state.inputs.get("slackChannelId", ""))
            label = next((label for prefix, label in NOTIFIERS if state.type.startswith(prefix)), None)
            if not (target and label):
                continue
            repository = state.inputs.get("repository")
            source = self.repository(f"{self.github_owner(state)}/{repository}") if repository else self.account_of(state)
            if source:
                self.link(source, target, "notify", label)

    def github_owner(self, state: _State) -> str:
        provider = self.by_urn.get(state.provider)
        return provider.inputs.get("owner", "") if provider else ""

    def read_deployments(self) -> Optional[Node]:
        settings = [s for s in self.states if s.type == DEPLOYMENT_SETTINGS]
        if not settings:
            return None
        deployments = node_id("pulumi", "deployments", self.taken)
        for setting in settings:
            repository = (setting.inputs.get("github") or {}).get("repository")
            branch = ((setting.inputs.get("sourceContext") or {}).get("git") or {}).get("branch", "")
            if repository:
                self.link(self.repository(repository), deployments, "deploy", f"push to {branch.removeprefix('refs/heads/')}")
            role = (((setting.inputs.get("operationContext") or {}).get("oidc") or {}).get("aws") or {}).get("roleARN", "")
            match = _ARN_ACCOUNT.match(role)
            if match and match.group(1) in self.node_of_id:
                self.link(deployments, self.node_of_id[match.group(1)], "oidc", f"{setting.inputs.get('stack', '')} stack")
        if self.channels and any(s.type == WEBHOOK and s.inputs.get("format") == "slack" for s in self.states):
            self.link(deployments, "slack", "notify", "deploy results")
        stacks = sorted(s.inputs.get("stack", "") for s in settings)
        return Node(deployments, "Deployments", "deployments", _lines(stacks))


def _ou_tree(builder: _Builder, findings: set[str], logs: Mapping[str, str]) -> Group:
    ous = {s.urn: s for s in builder.states if s.type == OU}
    ou_ids = {urn: node_id("ou", s.name, builder.taken) for urn, s in sorted(ous.items())}

    def parent_ou(state: _State) -> Optional[str]:
        parents = [d for d in state.dependencies if d in ous]
        return parents[0] if len(parents) == 1 else None

    accounts_in: dict[Optional[str], list[_State]] = defaultdict(list)
    for account in (s for s in builder.states if s.type == ACCOUNT):
        accounts_in[parent_ou(account)].append(account)
    children: dict[Optional[str], list[str]] = defaultdict(list)
    for urn, ou in ous.items():
        children[parent_ou(ou)].append(urn)

    def account_node(account: _State) -> Node:
        node = builder.accounts[account.urn]
        details = (["import " + account.import_id] if account.import_id else []) + ([logs[node]] if node in logs else [])
        details += _in_table_order(builder.services[node])
        return Node(node, account.inputs.get("name", account.name), "account", _lines(details))

    def group(ou_urn: Optional[str]) -> tuple[tuple[Node, ...], tuple[Group, ...]]:
        nodes = tuple(account_node(a) for a in sorted(accounts_in[ou_urn], key=lambda a: (a.inputs.get("name", "").lower(), a.urn)))
        subgroups = tuple(
            Group(ou_ids[urn], f"{ous[urn].inputs.get('name', ous[urn].name)} OU", "ou", *group(urn))
            for urn in sorted(children[ou_urn], key=lambda u: (ous[u].inputs.get("name", "").lower(), u))
        )
        return nodes, subgroups

    nodes, subgroups = group(None)
    management = Node(builder.management, "Management account", "management", _lines(_in_table_order(builder.services[builder.management])))
    root = Group("org_root", "Root", "root", (management, *nodes), subgroups)
    for target in sorted(findings):
        _flows_into(builder, root, target, "findings", "findings")
    for target, label in sorted(logs.items()):
        _flows_into(builder, root, target, "logs", label)
    return root


def _flows_into(builder: _Builder, root: Group, target: str, kind: str, label: str) -> None:
    """Organisation-wide flows: from the management account and every top-level OU with accounts."""
    builder.link(builder.management, target, kind, label)
    for ou in root.groups:
        inside = {node.id for group in ou.walk() for node in group.nodes}
        if inside and target not in inside:
            builder.link(ou.id, target, kind, label)


def _edge_label(kind: str, labels: list[str]) -> str:
    text = ", ".join(sorted(labels, key=lambda label: (label == PULL_REQUESTS, label)))
    return f"OIDC: {text}" if kind == "oidc" else text


def build(documents: Sequence[Mapping], title: str = "landing zone") -> Diagram:
    """The diagram of the plans `documents` (one per stack; the management stack's among them)."""
    builder = _Builder(_states(documents))
    builder.read_services()
    findings, logs = builder.read_flows()
    builder.read_links()
    deployments = builder.read_deployments()
    root = _ou_tree(builder, findings, logs)
    groups = [root]
    managed = {f"{builder.github_owner(s)}/{s.inputs.get('name', s.name)}" for s in builder.states if s.type == REPOSITORY}
    if builder.repositories or managed:
        for full_name in managed:
            builder.repository(full_name)
        owners = sorted({name.split("/")[0] for name in builder.repositories})
        repositories = tuple(
            Node(node, name.split("/", 1)[-1] if len(owners) == 1 else name, "repository", () if name in managed else ("not managed here",))
            for name, node in sorted(builder.repositories.items())
        )
        groups.append(Group("github", f"GitHub: {', '.join(owners)}", "github", repositories))
    if deployments:
        organization = next(s.inputs.get("organization", "") for s in builder.states if s.type == DEPLOYMENT_SETTINGS)
        groups.append(Group("pulumi_cloud", f"Pulumi Cloud: {organization}", "pulumi", (deployments,)))
    if builder.channels:
        conversations = {s.urn: s for s in builder.states if s.type == CONVERSATION}
        channels = tuple(
            Node(node, f"#{conversations[urn].inputs.get('name', '')}", "channel", ("private",) if conversations[urn].inputs.get("isPrivate") else ())
            for urn, node in sorted(builder.channels.items(), key=lambda item: item[1])
        )
        groups.append(Group("slack", "Slack", "slack", channels))
    edges = tuple(Edge(source, target, _edge_label(kind, labels), kind) for (source, target, kind), labels in sorted(builder.edges.items()))
    return Diagram(title, tuple(groups), edges)
