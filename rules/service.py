"""Service rules: what AWS itself enforces, checked on the plan before a deploy meets it.

Each rule states one thing a service refuses (or a limit it keeps), names the document that says
so (`source`), and is blocking (MANDATORY: AWS would refuse the deploy) or a warning (ADVISORY).
They see the planned resources as the policy rules do (`ResourceView`s); rules about the
organisation (accounts, OUs, the landing zone) also take `organization`: the management stack's
resources, which `lzctl` plans for the audit and log stacks; the policy pack has only its own
stack's, so there those rules check what they can see (documented per rule).
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator, Optional

from config.regions import CONTROL_TOWER_REGIONS
from config.resolve import MAX_EMAIL_CHARS
from config.schema import Limits
from delivery.policies import LIFECYCLE_SOURCE, REGISTRY_POLICY_ACTIONS, lifecycle_policy_problems
from guardrails.control_tower import BASELINE_VERSION, CONTROL_OPERATIONS, LANDING_ZONE_VERSION
from guardrails.plan_policies import ACCOUNT, BASELINE, CONTROL, LANDING_ZONE, ORGANIZATION, json_list, planned_organization, provider_account, providers
from names import OTHER_ACCOUNTS_OUTPUT
from rules.core import ADVISORY, MANDATORY, STACK_TYPE, ResourceView, Rule
from rules.service_policies import RULES as POLICY_RULES
from security.alerting import CHATBOT_STACKS

CONFORMANCE_PACK = "aws:cfg/organizationConformancePack:OrganizationConformancePack"
RECORDER = "aws:cfg/recorder:Recorder"
CHATBOT_CHANNEL = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"
REGISTRY_POLICY = "aws:ecr/registryPolicy:RegistryPolicy"
LIFECYCLE_POLICY = "aws:ecr/lifecyclePolicy:LifecyclePolicy"
ACCOUNT_QUOTA = Limits.model_fields["accounts"].default
"""The default of `guardrails.limits.accounts`; the stack's guardrailLimits output gives the configured one."""

CT_API = "https://docs.aws.amazon.com/controltower/latest/APIReference/"


def _of_type(resources: Iterable[ResourceView], type_: str) -> list[ResourceView]:
    return [r for r in resources if r.type == type_]


def _manifest(landing_zone: ResourceView) -> dict:
    try:
        document = json.loads(landing_zone.props.get("manifestJson") or "{}")
    except (TypeError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}


def _major(version) -> int:
    head = str(version or "").split(".", 1)[0]
    return int(head) if head.isdigit() else 0


def _tail(arn) -> str:
    return str(arn or "").rsplit("/", 1)[-1]


def _with_organization(resources: list[ResourceView], organization: Optional[list[ResourceView]]) -> list[ResourceView]:
    """The stack's resources and, for another stack than management, the management stack's."""
    if organization is None or _of_type(resources, ORGANIZATION):
        return list(resources)
    return [*resources, *organization]


def no_baseline_on_the_security_ou(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    for landing_zone in _of_type(resources, LANDING_ZONE):
        if _major(landing_zone.props.get("version")) < 4:
            continue
        shared = {str(section.get("accountId")) for section in _manifest(landing_zone).values() if isinstance(section, dict) and section.get("accountId")}
        security = {str(a.props.get("parentId")) for a in _of_type(resources, ACCOUNT) if a.id in shared}
        for baseline in _of_type(resources, BASELINE):
            if _tail(baseline.props.get("targetIdentifier")) in security:
                yield (
                    baseline.urn,
                    (
                        f"registers the OU of the landing zone's shared accounts ({_tail(baseline.props.get('targetIdentifier'))}): landing zone "
                        f"{landing_zone.props.get('version')} refuses AWSControlTowerBaseline there; leave the Security OU unregistered"
                    ),
                )


def _ancestors(resources: list[ResourceView]):
    graph = {r.urn: set(r.dependencies) for r in resources}
    seen: dict[str, set[str]] = {}

    def walk(urn: str) -> set[str]:
        if urn not in seen:
            seen[urn] = set()
            for dependency in graph.get(urn, ()):
                seen[urn] |= {dependency, *walk(dependency)}
        return seen[urn]

    return walk


def one_operation_at_a_time(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    landing_zones = {r.urn for r in _of_type(resources, LANDING_ZONE)}
    if not landing_zones:
        return
    before = _ancestors(resources)
    baselines = _of_type(resources, BASELINE)
    for index, baseline in enumerate(baselines):
        if not landing_zones & before(baseline.urn):
            yield baseline.urn, "does not wait for the landing zone: an OU registration must follow the landing zone's creation"
        for other in baselines[index + 1 :]:
            if other.urn not in before(baseline.urn) and baseline.urn not in before(other.urn):
                yield baseline.urn, f"may run at the same time as {other.urn.rsplit('::', 1)[-1]}: Control Tower runs one OU operation at a time"
    registered = {_tail(b.props.get("targetIdentifier")): b.urn for b in baselines}
    for control in _of_type(resources, CONTROL):
        target = registered.get(_tail(control.props.get("targetIdentifier")))
        if not landing_zones & before(control.urn):
            yield control.urn, "does not wait for the landing zone: controls can be enabled only once it exists"
        elif target and target not in before(control.urn):
            yield control.urn, f"does not wait for its OU's registration ({target.rsplit('::', 1)[-1]}), which would be refused as a concurrent operation"


def _most_at_once(urns: list[str], before) -> int:
    """How many of `urns` can run at once: the largest set of them none of which waits for another.

    By Dilworth's theorem that is len(urns) minus a maximum matching of the bipartite graph with an
    edge u -> v wherever v waits for u (Kuhn's augmenting paths; a few hundred controls at most).
    """
    waits = {u: [v for v in urns if u in before(v)] for u in urns}
    matched: dict[str, str] = {}

    def augment(u: str, seen: set[str]) -> bool:
        for v in waits[u]:
            if v not in seen:
                seen.add(v)
                if v not in matched or augment(matched[v], seen):
                    matched[v] = u
                    return True
        return False

    return len(urns) - sum(augment(u, set()) for u in urns)


def control_operations_within_the_limit(resources: list[ResourceView], limit: int = CONTROL_OPERATIONS) -> Iterator[tuple[str, str]]:
    """Each control is one operation (enabling it, or disabling it when it is replaced or removed);
    as many as the planned dependencies let run at once must stay within Control Tower's limit,
    whatever `pulumi up --parallel` is (Pulumi Deployments sets none)."""
    controls = _of_type(resources, CONTROL)
    at_once = _most_at_once([c.urn for c in controls], _ancestors(resources)) if len(controls) > limit else 0
    if at_once > limit:
        yield (
            controls[0].urn,
            f"{at_once} control operations can be in progress at once, over Control Tower's {limit}: chain the controls in batches of {limit}",
        )


def disabled_before_replaced(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    """Control Tower enables a control or a baseline once per target; the provider replaces one whose
    identifier or target changes (control.go ForceNew, baseline.go RequiresReplace). Created before
    the old one is disabled, the new one would be enabled beside it on the same OU. That EnableControl
    or EnableBaseline then fails is inferred (the API Reference lists ConflictException and
    ValidationException, and says nothing of a duplicate), not seen."""
    for resource in resources:
        if resource.type in (CONTROL, BASELINE) and not resource.delete_before_replace:
            kind = "control" if resource.type == CONTROL else "baseline"
            yield (
                resource.urn,
                f"a replacement would enable the {kind} again on its OU before disabling the one enabled there; set delete_before_replace",
            )


def creatable_landing_zone_version(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    for landing_zone in _of_type(resources, LANDING_ZONE):
        version = landing_zone.props.get("version")
        if version is not None and version != LANDING_ZONE_VERSION:
            yield landing_zone.urn, f"landing zone version {version}: CreateLandingZone accepts only the latest, {LANDING_ZONE_VERSION}"
    for baseline in _of_type(resources, BASELINE):
        version = baseline.props.get("baselineVersion")
        if version is not None and version != BASELINE_VERSION:
            yield baseline.urn, f"AWSControlTowerBaseline {version}: landing zone {LANDING_ZONE_VERSION} registers OUs with {BASELINE_VERSION}"


def account_quota(resources: list[ResourceView], max_accounts: int) -> Iterator[tuple[str, str]]:
    accounts = _of_type(resources, ACCOUNT)
    if not accounts:
        return
    # Accounts the plan has no resource for count too: closed within 90 days, or not in the config.
    stack = next((r for r in resources if r.type == STACK_TYPE), None)
    outside = stack.props.get(OTHER_ACCOUNTS_OUTPUT) if stack else None
    outside = int(outside) if isinstance(outside, (int, float)) else 0
    total = len(accounts) + outside + 1
    if total > max_accounts:
        anchor = next(iter(_of_type(resources, ORGANIZATION)), accounts[0])
        others = f", {outside} accounts outside the plan (closed within 90 days or not in the config)" if outside else ""
        yield (
            anchor.urn,
            (
                f"{len(accounts)} member accounts{others} and the management account make {total}, over the organisation's quota of {max_accounts} "
                "(suspended and recently closed accounts count too): before deploying, request an increase of AWS Organizations' "
                '"Default maximum number of accounts" in the Service Quotas console (us-east-1), then raise guardrails.limits.accounts'
            ),
        )


def account_email_length(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    for account in _of_type(resources, ACCOUNT):
        email = account.props.get("email")
        if isinstance(email, str) and len(email) > MAX_EMAIL_CHARS:
            yield account.urn, f"root e-mail is {len(email)} characters; CreateAccount accepts at most {MAX_EMAIL_CHARS}"


def conformance_pack_targets_record(resources: list[ResourceView], organization: Optional[list[ResourceView]]) -> Iterator[tuple[str, str]]:
    """An organisation conformance pack deploys to every account but `excludedAccounts`; an account
    that records nothing with AWS Config fails it. Recording is seen in the plans: recorders the
    plans create (their provider names the account), and with the landing zone's Config integration
    the accounts Control Tower records in: those of registered OUs and the shared accounts its
    manifest names (the latter is an assumption: the 4.0 guide does not list what the integration
    records in the unregistered Security OU). In the policy pack, without the management stack's
    resources, the rule sees no organisation and checks nothing."""
    packs = _of_type(resources, CONFORMANCE_PACK)
    everything = _with_organization(resources, organization)
    planned = planned_organization(everything)
    if not packs or planned is None:
        return
    keys = {identifier: key for key, identifier in planned.account_ids.items()}
    known = providers(everything)
    recorded = {provider_account(r, known) for r in _of_type(everything, RECORDER)}
    for landing_zone in _of_type(everything, LANDING_ZONE):
        manifest = _manifest(landing_zone)
        if not (manifest.get("config") or {}).get("enabled"):
            continue
        registered = {_tail(b.props.get("targetIdentifier")) for b in _of_type(everything, BASELINE)}
        recorded |= {a.id for a in _of_type(everything, ACCOUNT) if str(a.props.get("parentId")) in registered}
        recorded |= {str(s.get("accountId")) for s in manifest.values() if isinstance(s, dict) and s.get("accountId")}
    for pack in packs:
        excluded = {str(a) for a in json_list(pack.props.get("excludedAccounts"))}
        for identifier in sorted(set(keys) - excluded - recorded):
            yield (
                pack.urn,
                (
                    f"targets {keys[identifier]} ({identifier}), which records nothing with AWS Config: the pack fails there; add it to "
                    "excludedAccounts or record there"
                ),
            )


def chatbot_in_authorised_accounts(resources: list[ResourceView], organization: Optional[list[ResourceView]]) -> Iterator[tuple[str, str]]:
    """In the policy pack, without the organisation, accounts are not named and nothing is checked."""
    everything = _with_organization(resources, organization)
    planned = planned_organization(everything)
    if planned is None:
        return
    keys = {identifier: key for key, identifier in planned.account_ids.items()}
    known = providers(everything)
    for channel in _of_type(resources, CHATBOT_CHANNEL):
        account = provider_account(channel, known)
        key = keys.get(account, account)
        if key not in CHATBOT_STACKS:
            yield (
                channel.urn,
                (
                    f"a Slack channel configuration in {key or 'an unknown account'}: Chatbot refuses it until the Slack workspace is authorised "
                    f"in that account, which the deployment steps do only in {' and '.join(CHATBOT_STACKS)}"
                ),
            )


def control_tower_regions(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    known = providers(resources)
    for landing_zone in _of_type(resources, LANDING_ZONE):
        reference = (landing_zone.provider or "").rsplit("::", 1)[0]
        home = known.get(reference, {}).get("region")
        governed = _manifest(landing_zone).get("governedRegions") or []
        for region in [*([home] if home else []), *governed]:
            if region not in CONTROL_TOWER_REGIONS:
                yield landing_zone.urn, f"region {region} is not one where Control Tower runs (config/regions.py CONTROL_TOWER_REGIONS)"


def registry_policy_actions(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    allowed = (*REGISTRY_POLICY_ACTIONS, "ecr:*")
    for registry in _of_type(resources, REGISTRY_POLICY):
        try:
            document = json.loads(registry.props.get("policy") or "{}")
        except (TypeError, ValueError):
            continue
        statements = document.get("Statement", []) if isinstance(document, dict) else []
        for statement in statements if isinstance(statements, list) else [statements]:
            actions = statement.get("Action", []) if isinstance(statement, dict) else []
            refused = [action for action in ([actions] if isinstance(actions, str) else actions) if action not in allowed]
            if refused:
                yield (
                    registry.urn,
                    f"registry policy names {', '.join(map(str, refused))}; ECR accepts only {', '.join(REGISTRY_POLICY_ACTIONS)} (or ecr:*) there",
                )


def lifecycle_policy_rules(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    for lifecycle in _of_type(resources, LIFECYCLE_POLICY):
        try:
            document = json.loads(lifecycle.props.get("policy") or "{}")
        except (TypeError, ValueError):
            yield lifecycle.urn, "the lifecycle policy is not JSON"
            continue
        for problem in lifecycle_policy_problems(document):
            yield lifecycle.urn, problem


RULES = (
    Rule(
        "AWS-CT-SECURITY-OU-BASELINE",
        "Landing zone 4.x refuses AWSControlTowerBaseline on the OU of its shared (audit, log) accounts.",
        MANDATORY,
        no_baseline_on_the_security_ou,
        source="https://docs.aws.amazon.com/controltower/latest/controlreference/exception-to-controls-security-ou.html",
    ),
    Rule(
        "AWS-CT-ONE-OPERATION",
        "Control Tower runs one landing-zone or OU operation at a time: registrations form one chain from the landing zone; controls wait for it.",
        MANDATORY,
        one_operation_at_a_time,
        source="https://docs.aws.amazon.com/controltower/latest/userguide/limits.html",
    ),
    Rule(
        "AWS-CT-CONTROL-OPERATIONS",
        f"At most {CONTROL_OPERATIONS} control operations are in progress at once: the planned dependencies let no more run together.",
        MANDATORY,
        control_operations_within_the_limit,
        source="https://docs.aws.amazon.com/controltower/latest/userguide/limits.html",
    ),
    Rule(
        "AWS-CT-ENABLE-ONCE",
        "A control or baseline is enabled once per target: one that is replaced is disabled before it is enabled again.",
        MANDATORY,
        disabled_before_replaced,
        source=CT_API + "API_EnableControl.html",
    ),
    Rule(
        "AWS-CT-LANDING-ZONE-VERSION",
        f"CreateLandingZone creates only the latest version ({LANDING_ZONE_VERSION}), whose OUs take AWSControlTowerBaseline {BASELINE_VERSION}.",
        MANDATORY,
        creatable_landing_zone_version,
        source=CT_API + "API_CreateLandingZone.html",
    ),
    Rule(
        "AWS-CT-REGIONS",
        "Control Tower's home region and governed regions are regions Control Tower supports.",
        MANDATORY,
        control_tower_regions,
        source="https://docs.aws.amazon.com/general/latest/gr/controltower.html",
    ),
    Rule(
        "AWS-ORG-ACCOUNT-QUOTA",
        "The organisation holds at most its account quota (10 by default), management account included.",
        ADVISORY,
        account_quota,
        {"max_accounts": {"type": "integer", "minimum": 1, "default": ACCOUNT_QUOTA, "description": "guardrails.limits.accounts"}},
        limits={"max_accounts": "accounts"},
        source="https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html",
    ),
    Rule(
        "AWS-ORG-ACCOUNT-EMAIL",
        f"An account's root e-mail is at most {MAX_EMAIL_CHARS} characters.",
        MANDATORY,
        account_email_length,
        source="https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html",
    ),
    Rule(
        "AWS-CONFIG-PACK-RECORDERS",
        "Every account an organisation conformance pack targets records with AWS Config.",
        MANDATORY,
        conformance_pack_targets_record,
        source="https://docs.aws.amazon.com/config/latest/developerguide/conformance-pack-organization-apis.html",
        needs_organization=True,
    ),
    Rule(
        "AWS-CHATBOT-WORKSPACE",
        "Every Chatbot Slack channel configuration sits in an account whose Slack workspace the deployment steps authorise first.",
        MANDATORY,
        chatbot_in_authorised_accounts,
        source="https://docs.aws.amazon.com/chatbot/latest/adminguide/slack-setup.html",
        needs_organization=True,
    ),
    Rule(
        "AWS-ECR-REGISTRY-POLICY-ACTIONS",
        "A private registry policy names only the actions ECR enforces at registry level.",
        MANDATORY,
        registry_policy_actions,
        source="https://docs.aws.amazon.com/AmazonECR/latest/userguide/registry-permissions.html",
    ),
    Rule(
        "AWS-ECR-LIFECYCLE-POLICY",
        "A repository's lifecycle policy follows ECR's rules: unique priorities, the tagStatus any rule last, one untagged rule, tag lists only on tagged rules.",
        MANDATORY,
        lifecycle_policy_rules,
        source=LIFECYCLE_SOURCE,
    ),
    *POLICY_RULES,
)
