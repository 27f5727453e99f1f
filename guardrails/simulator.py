"""The guardrail simulator: would the organisation's SCPs or RCPs deny this request? Offline, pure.

Given an `Organization` (each member account's path root -> OUs -> account, with the SCPs and RCPs
attached at every level) and a `Request` (principal, action, resource, region, context keys),
`evaluate` applies AWS's documented evaluation (checked 2026-12):

- SCPs (Organizations User Guide, orgs_manage_policies_scps.html and
  orgs_manage_policies_scps_evaluation.html) limit principals of member accounts: never users or
  roles of the management account, never service-linked roles, never principals outside the
  organisation; the root user of a member account is limited. Every level of the path must have an
  Allow that matches (FullAWSAccess is attached to every level by default, `FULL_AWS_ACCESS`), and
  a matching Deny at any level denies.
- RCPs (orgs_manage_policies_rcps.html, orgs_manage_policies_rcps_evaluation.html) limit what
  anyone may do to resources of member accounts, for the services listed in `RCP_SERVICES` and
  only for actions that authorize a resource; never resources of the management account, never
  calls by service-linked roles, never `kms:RetireGrant`. `RCPFullAWSAccess` is attached to every
  level and cannot be detached. AWS service principals are evaluated like anyone else: the
  documented RCP examples exempt them with `aws:PrincipalIsAWSService` conditions.

Statement matching (Action / NotAction, Resource / NotResource, conditions) is in
`guardrails.iam_matching`. A request without a resource is answered conservatively: statements
limited to some resources are taken to apply, and the decision says what was assumed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from guardrails import iam_actions
from guardrails.iam_matching import Context, PolicyError, any_action_matches, arn_matches, condition_holds, glob_match, parse_operator

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
EVALUATED_TYPES = (SCP, RCP)
TYPE_LABELS = {SCP: "SCP", RCP: "RCP"}

RCP_SERVICES = frozenset(
    """
    appstream dsql clouddirectory cloudfront cloudsearch logs networkmonitor cognito-identity cognito-idp
    comprehend comprehendmedical firehose dynamodb dax autoscaling ecr ecr-public gamelift inspector-scan
    kendra kinesisvideo memorydb aoss personalize polly s3 swf sqs textract timestream-influxdb transcribe
    translate workspaces appconfig autoscaling-plans budgets servicediscovery cloudtrail-data codeartifact
    codebuild codecommit codepipeline compute-optimizer cost-optimization-hub events fms fis health
    rolesanywhere kms opensearch pricing pca-connector-ad resource-groups secretsmanager sts signin support
    transfer notifications wafv2 xray
    """.split()
)
"""Service prefixes whose actions RCPs apply to. Source: Organizations User Guide,
orgs_manage_policies_rcps.html#rcp-supported-services (stored copy read 2026-12; at launch in
November 2024 it was s3, sts, kms, sqs, secretsmanager)."""
RCP_EXEMPT_ACTIONS = frozenset({"kms:retiregrant"})
"""Same page, "Resources and entities not restricted by RCPs"."""

FULL_AWS_ACCESS_NAME = "FullAWSAccess"
RCP_FULL_AWS_ACCESS_NAME = "RCPFullAWSAccess"
SERVICE_LINKED_ROLE_PATH = "/aws-service-role/"
"""IAM User Guide, using-service-linked-roles.html: service-linked roles live under this path."""


@dataclass(frozen=True)
class Condition:
    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Policy:
    name: str
    type: str
    statements: tuple[Statement, ...]
    source: str = ""
    """Where the document comes from: the plan's resource, an AWS managed policy, a Control Tower control."""


@dataclass(frozen=True)
class Target:
    kind: str
    """`root`, `ou` or `account`."""
    key: str
    """The config key (OU key, account key) or `root`."""
    id: str
    policies: tuple[Policy, ...] = ()

    @property
    def label(self) -> str:
        return "root" if self.kind == "root" else f"{'OU' if self.kind == 'ou' else 'account'} {self.key}"


@dataclass(frozen=True)
class Organization:
    id: str
    management_account_id: str
    paths: Mapping[str, tuple[Target, ...]]
    """Member account id -> its targets, root first, the account last."""
    enabled_types: frozenset[str] = frozenset({SCP})


@dataclass(frozen=True)
class Request:
    principal: str
    """An IAM ARN (role, user, root, `sts::...:assumed-role/...`) or an AWS service principal (`cloudtrail.amazonaws.com`)."""
    action: str
    resource_account: str
    """12-digit id of the account the call lands in: the resource's owner."""
    resource: str = ""
    """The resource ARN; empty when not given."""
    region: str = ""
    """Becomes `aws:RequestedRegion`; empty leaves the key out of the context."""
    context: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """More context keys (any case), e.g. `aws:MultiFactorAuthPresent`; they override the derived ones."""


@dataclass(frozen=True)
class Match:
    policy: str
    policy_type: str
    target: str
    sid: str
    source: str = ""

    def describe(self) -> str:
        sid = f"statement {self.sid}" if self.sid else "an unnamed statement"
        return f"{TYPE_LABELS[self.policy_type]} {self.policy} on {self.target}, {sid}"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    denials: tuple[Match, ...] = ()
    """Every Deny statement that matched."""
    implicit: tuple[str, ...] = ()
    """Levels with no matching Allow, as `SCP at OU prod` (an implicit deny)."""
    reasons: tuple[str, ...] = ()
    """Which policy types did not apply and why, and which allowed the request."""
    assumptions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class PrincipalError(ValueError):
    """The principal is neither an IAM ARN nor a service principal."""


@dataclass(frozen=True)
class Principal:
    arn: str
    """Value of `aws:PrincipalArn` (a role's ARN for its sessions), or the service principal."""
    account: str
    """Its account id; empty for a service principal."""
    kind: str
    """`root`, `user`, `role`, `federated-user`, `web-identity` or `service`."""
    service_linked: bool = False
    notes: tuple[str, ...] = ()


def parse_principal(text: str) -> Principal:
    """What `aws:PrincipalArn` and friends say about a principal (IAM User Guide, reference_policies_condition-keys.html)."""
    if text.endswith(".amazonaws.com") and ":" not in text:
        return Principal(text, "", "service")
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] not in ("iam", "sts") or not (parts[4].isdigit() and len(parts[4]) == 12):
        raise PrincipalError(
            f"not an IAM principal ARN (got {text!r}). Hint: arn:aws:iam::123456789012:role/NAME, "
            "arn:aws:sts::123456789012:assumed-role/NAME/SESSION, arn:aws:iam::123456789012:root, or a service such as cloudtrail.amazonaws.com"
        )
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    if service == "iam" and resource == "root":
        return Principal(text, account, "root")
    if service == "iam" and resource.startswith("role/"):
        return Principal(text, account, "role", service_linked=resource.startswith("role" + SERVICE_LINKED_ROLE_PATH))
    if service == "iam" and resource.startswith("user/"):
        return Principal(text, account, "user")
    if service == "iam" and resource.startswith("oidc-provider/"):
        # A caller of sts:AssumeRoleWithWebIdentity, known by the OIDC provider it presents a token
        # of; the token's claims (`<issuer>:sub`, ...) come as context keys.
        return Principal(text, account, "web-identity")
    if service == "sts" and resource.startswith("assumed-role/") and resource.count("/") >= 2:
        role = resource.split("/")[1]
        # A session ARN drops the role's path, which aws:PrincipalArn keeps (CloudTrail's sessionIssuer has it).
        return Principal(
            f"arn:{partition}:iam::{account}:role/{role}",
            account,
            "role",
            service_linked=role.startswith("AWSServiceRoleFor"),
            notes=(f"aws:PrincipalArn taken as arn:{partition}:iam::{account}:role/{role}: a session ARN does not say the role's path",),
        )
    if service == "sts" and resource.startswith("federated-user/"):
        return Principal(text, account, "federated-user")
    raise PrincipalError(
        f"not an IAM principal ARN (got {text!r}). Hint: a role, user, root, assumed-role session, federated user or OIDC provider (oidc-provider/HOST)"
    )


# Parsing policy documents --------------------------------------------------------------------


def _strings(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, (str, bool, int, float)) for item in items):
        raise PolicyError(f"{where}: expected a string or a list of strings (got {value!r})")
    return tuple(str(item).lower() if isinstance(item, bool) else str(item) for item in items)


def parse_statement(raw: Mapping, where: str) -> Statement:
    if not isinstance(raw, Mapping):
        raise PolicyError(f"{where}: a statement is a JSON object (got {json.dumps(raw)[:80]})")
    effect = raw.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f"{where}: Effect must be Allow or Deny (got {effect!r})")
    if "NotPrincipal" in raw or raw.get("Principal", "*") not in ("*", {"AWS": "*"}):
        raise PolicyError(f'{where}: SCPs take no Principal and RCPs only "Principal": "*"')
    conditions = []
    for operator, keys in (raw.get("Condition") or {}).items():
        parse_operator(operator)
        if not isinstance(keys, Mapping):
            raise PolicyError(f"{where}: Condition {operator} must map keys to values")
        conditions += [Condition(operator, key, _strings(values, f"{where} {operator} {key}")) for key, values in keys.items()]
    statement = Statement(
        sid=str(raw.get("Sid", "")),
        effect=effect,
        actions=_strings(raw.get("Action"), where),
        not_actions=_strings(raw.get("NotAction"), where),
        resources=_strings(raw.get("Resource"), where),
        not_resources=_strings(raw.get("NotResource"), where),
        conditions=tuple(conditions),
    )
    if bool(statement.actions) == bool(statement.not_actions):
        raise PolicyError(f"{where}: exactly one of Action and NotAction")
    if statement.resources and statement.not_resources:
        raise PolicyError(f"{where}: at most one of Resource and NotResource")
    return statement


def parse_policy(name: str, type_: str, document, source: str = "") -> Policy:
    """A policy from its JSON text or parsed document."""
    data = json.loads(document) if isinstance(document, str) else document
    raw = data.get("Statement", []) if isinstance(data, Mapping) else None
    if raw is None:
        raise PolicyError(f"policy {name}: not a policy document")
    raw = raw if isinstance(raw, list) else [raw]
    return Policy(name, type_, tuple(parse_statement(s, f"policy {name} statement {i + 1}") for i, s in enumerate(raw)), source)


FULL_AWS_ACCESS = parse_policy(
    FULL_AWS_ACCESS_NAME,
    SCP,
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    "AWS managed, arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
)
RCP_FULL_AWS_ACCESS = parse_policy(
    RCP_FULL_AWS_ACCESS_NAME,
    RCP,
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]},
    "AWS managed, arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess",
)


# Evaluation -----------------------------------------------------------------------------------


def _could_name(pattern: str, action: str) -> bool:
    """Whether a resource pattern could name a resource of the action's service (for a request without one)."""
    if pattern == "*":
        return True
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return False
    services = iam_actions.arn_services(action.split(":", 1)[0])
    return any(glob_match(parts[2], service) for service in services)


def _resource_applies(statement: Statement, action: str, resource: str, context: Context, assumptions: list[str]) -> bool:
    if statement.resources:
        if resource:
            return any(arn_matches(pattern, resource, context) for pattern in statement.resources)
        candidates = [p for p in statement.resources if _could_name(p, action)]
        if candidates and "*" not in candidates:
            assumptions.append(f"the resource is not given: taken to be among {', '.join(candidates)}")
        return bool(candidates)
    if resource:
        return not any(arn_matches(pattern, resource, context) for pattern in statement.not_resources)
    if "*" in statement.not_resources:
        return False
    excluded = [p for p in statement.not_resources if _could_name(p, action)]
    if excluded:
        assumptions.append(f"the resource is not given: taken to be outside {', '.join(excluded)}")
    return True


def statement_applies(statement: Statement, action: str, resource: str, context: Context, assumptions: list[str]) -> bool:
    if statement.actions and not any_action_matches(statement.actions, action):
        return False
    if statement.not_actions and any_action_matches(statement.not_actions, action):
        return False
    if not all(condition_holds(c.operator, c.key, c.values, context) for c in statement.conditions):
        return False
    tentative: list[str] = []
    if not _resource_applies(statement, action, resource, context, tentative):
        return False
    assumptions += tentative
    return True


def _context(request: Request, principal: Principal, organization: Organization) -> dict[str, tuple[str, ...]]:
    # A web-identity caller is no principal of any account yet: it carries no aws:PrincipalOrgID ("not
    # the case with federated users", aws-samples/data-perimeter-policy-examples, RCP README).
    in_org = principal.kind != "web-identity" and (principal.account == organization.management_account_id or principal.account in organization.paths)
    derived: dict[str, tuple[str, ...]] = {
        "aws:principalarn": (principal.arn,),
        "aws:principalisawsservice": ("true" if principal.kind == "service" else "false",),
        "aws:resourceaccount": (request.resource_account,),
        # "This key is always included in the request context" (IAM User Guide,
        # reference_policies_condition-keys.html#condition-keys-securetransport): calls are HTTPS
        # unless the request's context says otherwise (`--context aws:SecureTransport=false`).
        "aws:securetransport": ("true",),
    }
    if principal.kind == "service":
        derived["aws:principalservicename"] = (principal.arn,)
    elif principal.kind == "web-identity":
        del derived["aws:principalarn"]
        derived["aws:federatedprovider"] = (principal.arn,)
    else:
        derived["aws:principalaccount"] = (principal.account,)
    if in_org:
        derived["aws:principalorgid"] = (organization.id,)
    if request.resource_account == organization.management_account_id or request.resource_account in organization.paths:
        derived["aws:resourceorgid"] = (organization.id,)
    if request.region:
        derived["aws:requestedregion"] = (request.region,)
    for key, values in request.context.items():
        derived[key.lower()] = tuple([values] if isinstance(values, str) else values)
    return derived


def _derive_source_org(context: dict[str, tuple[str, ...]], organization: Organization) -> Optional[str]:
    """Add aws:SourceOrgID where a service acts for an account of the organisation and the request
    does not give it (CloudTrail records never do): AWS includes it "only if ... the source
    resource's account is a member of an organization" (IAM User Guide,
    reference_policies_condition-keys.html#condition-keys-sourceorgid), which then always holds.
    The note it returns says so."""
    accounts = context.get("aws:sourceaccount", ())
    members = {organization.management_account_id, *organization.paths}
    if "aws:sourceorgid" in context or not accounts or not all(a in members for a in accounts):
        return None
    context["aws:sourceorgid"] = (organization.id,)
    return f"aws:SourceOrgID taken as {organization.id}: aws:SourceAccount {', '.join(accounts)} is an account of the organisation"


def _evaluate_type(policy_type: str, path: Sequence[Target], request: Request, context: Context, assumptions: list[str]) -> tuple[list[Match], list[str]]:
    """(matching denies, levels with no matching allow) of one policy type along one path."""
    denials: list[Match] = []
    unallowed: list[str] = []
    for target in path:
        allowed_here = False
        for policy in target.policies:
            if policy.type != policy_type:
                continue
            for statement in policy.statements:
                found: list[str] = []
                if not statement_applies(statement, request.action, request.resource, context, found):
                    continue
                if statement.effect == "Deny":
                    denials.append(Match(policy.name, policy_type, target.label, statement.sid, policy.source))
                    assumptions += found
                else:
                    allowed_here = True
        if not allowed_here:
            unallowed.append(f"{TYPE_LABELS[policy_type]} at {target.label}")
    return denials, unallowed


def _scp_exemption(principal: Principal, organization: Organization) -> Optional[str]:
    if principal.kind == "service":
        return "SCPs do not apply: an AWS service principal is not a principal of a member account"
    if principal.kind == "web-identity":
        return "SCPs do not apply: a web-identity caller is not a principal of a member account until it has assumed a role"
    if principal.account == organization.management_account_id:
        return "SCPs do not apply: the principal belongs to the management account"
    if principal.account not in organization.paths:
        return f"SCPs do not apply: account {principal.account} of the principal is not in the organisation"
    if principal.service_linked:
        return "SCPs do not apply: service-linked roles are never restricted by SCPs"
    if SCP not in organization.enabled_types:
        return "SCPs do not apply: the SCP policy type is not enabled"
    return None


def _rcp_exemption(request: Request, principal: Principal, organization: Organization, notes: list[str]) -> Optional[str]:
    service = request.action.split(":", 1)[0].lower()
    if RCP not in organization.enabled_types:
        return "RCPs do not apply: the RCP policy type is not enabled"
    if request.resource_account == organization.management_account_id:
        return "RCPs do not apply: the resource belongs to the management account"
    if request.resource_account not in organization.paths:
        return f"RCPs do not apply: account {request.resource_account} of the resource is not in the organisation"
    if service not in RCP_SERVICES:
        return f"RCPs do not apply: {service} is not among the services RCPs support"
    if request.action.lower() in RCP_EXEMPT_ACTIONS:
        return f"RCPs do not apply: {request.action} is never restricted by RCPs"
    if principal.service_linked:
        return "RCPs do not apply: calls by service-linked roles are never restricted by RCPs"
    authorizes = iam_actions.authorizes_resource(request.action)
    if authorizes is False:
        return f"RCPs do not apply: {request.action} authorizes no resource"
    if authorizes is None:
        notes.append(f"{request.action} is not in the IAM action data: RCPs evaluated as if it authorizes a resource")
    return None


def evaluate(request: Request, organization: Organization) -> Decision:
    """Whether the organisation's SCPs and RCPs deny the request, and why."""
    principal = parse_principal(request.principal)
    context = _context(request, principal, organization)
    assumptions: list[str] = []
    notes = list(principal.notes)
    derived = _derive_source_org(context, organization)
    if derived:
        notes.append(derived)
    if not iam_actions.known_action(request.action):
        notes.append(f"{request.action} is not in the IAM action data (parliament's copy); evaluated as written")
    denials: list[Match] = []
    unallowed: list[str] = []
    reasons: list[str] = []
    scp_exempt = _scp_exemption(principal, organization)
    if scp_exempt:
        reasons.append(scp_exempt)
    else:
        found, missing = _evaluate_type(SCP, organization.paths[principal.account], request, context, assumptions)
        denials += found
        unallowed += missing
        if not found and not missing:
            reasons.append(f"SCPs allow it at every level of account {organization.paths[principal.account][-1].key}'s path")
    rcp_exempt = _rcp_exemption(request, principal, organization, notes)
    if rcp_exempt:
        reasons.append(rcp_exempt)
    else:
        found, missing = _evaluate_type(RCP, organization.paths[request.resource_account], request, context, assumptions)
        denials += found
        unallowed += missing
        if not found and not missing:
            reasons.append(f"RCPs allow it at every level of account {organization.paths[request.resource_account][-1].key}'s path")
    allowed = not denials and not unallowed
    return Decision(
        allowed=allowed,
        denials=tuple(denials),
        implicit=tuple(unallowed),
        reasons=tuple(reasons),
        assumptions=tuple(dict.fromkeys(assumptions)),
        notes=tuple(notes),
    )
