"""Service rules for the Organizations policies: what Organizations, IAM and AWS Backup refuse or break.

Registered in rules/service.py's RULES; the same shape (checks over `ResourceView`s yielding
`(urn, message)`, a `source`, a severity). They read the policies, their attachments and the
organisation tree from the management stack's plan (guardrails/plan_policies.py), so in the policy
pack they check the management stack; the audit and log stacks plan none of these resources.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator, Mapping, Optional

import names
from config.schema import Limits
from guardrails.plan_policies import (
    ATTACHMENT,
    BASELINE,
    LANDING_ZONE,
    ORGANIZATION,
    POLICY,
    json_list,
    planned_organization,
    provider_account,
    providers,
)
from guardrails.policies import measured
from guardrails.policy_types import BACKUP, BY_API_TYPE, DECLARATIVE_EC2, S3, SCP
from rules.core import MANDATORY, ResourceView, Rule

ORGS_API = "https://docs.aws.amazon.com/organizations/latest/APIReference/"
ORGS_GUIDE = "https://docs.aws.amazon.com/organizations/latest/userguide/"
ORGANIZATIONS_FEATURES = "aws:iam/organizationsFeatures:OrganizationsFeatures"
BACKUP_VAULT = "aws:backup/vault:Vault"
IAM_ROLE = "aws:iam/role:Role"
CONTROL_TOWER_SLOT = "Control Tower's guardrail SCP"


MAX_CHARS_FIELDS = {t.api_type: t.max_chars_field for t in BY_API_TYPE.values() if t is not SCP}
"""Policy type -> its `guardrails.limits` size field (the SCPs' is LZ-SCP-SIZE's)."""
PER_TARGET_FIELDS = {t.api_type: t.per_target_field for t in BY_API_TYPE.values()}
"""Policy type -> its `guardrails.limits` per-target field."""


def _defaults(fields: Mapping[str, str]) -> dict[str, int]:
    return {api_type: Limits.model_fields[field].default for api_type, field in fields.items()}


OWNED_SETTINGS: Mapping[str, tuple[str, tuple[str, ...], str]] = {
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": (
        S3.api_type,
        ("s3_attributes", "public_access_block_configuration"),
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html",
    ),
    "aws:ec2/serialConsoleAccess:SerialConsoleAccess": (DECLARATIVE_EC2.api_type, ("ec2_attributes", "serial_console_access"), DECLARATIVE_EC2.source),
    "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess": (
        DECLARATIVE_EC2.api_type,
        ("ec2_attributes", "image_block_public_access"),
        DECLARATIVE_EC2.source,
    ),
    "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess": (
        DECLARATIVE_EC2.api_type,
        ("ec2_attributes", "snapshot_block_public_access"),
        DECLARATIVE_EC2.source,
    ),
    "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults": (
        DECLARATIVE_EC2.api_type,
        ("ec2_attributes", "instance_metadata_defaults"),
        DECLARATIVE_EC2.source,
    ),
    "aws:ec2/vpcBlockPublicAccessOptions:VpcBlockPublicAccessOptions": (
        DECLARATIVE_EC2.api_type,
        ("ec2_attributes", "vpc_block_public_access"),
        DECLARATIVE_EC2.source,
    ),
}
"""Account-level settings a management policy takes over: resource type -> (policy type, the key
that sets it, where AWS says the account can no longer change it). The declarative policy page:
"Account administrators will not be able to modify the value of the service attribute at the
individual account level", listing the refused operations per attribute (ModifyInstanceMetadataDefaults
is not listed for `instance_metadata_defaults`; taken to be refused like the others). The S3 User
Guide: "If your account is managed by an organization-level Block Public Access policy, you cannot
modify these account-level settings"."""


def _of_type(resources: Iterable[ResourceView], type_: str) -> list[ResourceView]:
    return [r for r in resources if r.type == type_]


def _content(policy: ResourceView) -> Optional[dict]:
    content = policy.props.get("content")
    try:
        document = json.loads(content) if isinstance(content, str) else None
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _attached(resources: list[ResourceView]) -> dict[str, list[ResourceView]]:
    """Target id -> the planned policies attached to it."""
    policies = {r.id: r for r in _of_type(resources, POLICY)}
    attached: dict[str, list[ResourceView]] = {}
    for attachment in _of_type(resources, ATTACHMENT):
        policy = policies.get(str(attachment.props.get("policyId")))
        if policy is not None:
            attached.setdefault(str(attachment.props.get("targetId")), []).append(policy)
    return attached


def _account_paths(resources: list[ResourceView]) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """(account id -> the target ids above it, root first, management included at the root; id -> account key)."""
    planned = planned_organization(resources)
    if planned is None:
        return {}, {}
    organization = planned.organization
    paths = {account: tuple(t.id for t in path) for account, path in organization.paths.items()}
    root = next((path[0] for path in paths.values()), "")
    if root:
        paths[organization.management_account_id] = (root,)
    return paths, {identifier: key for key, identifier in planned.account_ids.items()}


def _policies_over(account: str, paths: Mapping[str, tuple[str, ...]], attached: Mapping[str, list[ResourceView]], api_type: str) -> list[ResourceView]:
    return [p for target in paths.get(account, ()) for p in attached.get(target, []) if p.props.get("type") == api_type]


def policy_types_enabled(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    for organization in _of_type(resources, ORGANIZATION):
        enabled = set(json_list(organization.props.get("enabledPolicyTypes")))
        for policy in _of_type(resources, POLICY):
            policy_type = policy.props.get("type") or SCP.api_type
            if policy_type not in enabled:
                yield (
                    policy.urn,
                    f"is a {policy_type}, which the root does not enable (enabledPolicyTypes: {', '.join(sorted(enabled)) or 'none'}): "
                    "AttachPolicy fails with PolicyTypeNotEnabledException",
                )


def policy_size(resources: list[ResourceView], max_chars: Mapping[str, int]) -> Iterator[tuple[str, str]]:
    """Every type but SCPs, which LZ-SCP-SIZE checks (with their minification)."""
    for policy in _of_type(resources, POLICY):
        content, policy_type = policy.props.get("content"), policy.props.get("type") or SCP.api_type
        limit = max_chars.get(policy_type) if policy_type != SCP.api_type else None
        if isinstance(content, str) and limit is not None and len(measured(content)) > limit:
            yield policy.urn, f"{policy_type} content is {len(measured(content))} characters, over the {limit} Organizations accepts"


def _governed(resources: list[ResourceView]) -> set[str]:
    """OU ids carrying Control Tower's own SCP: registered OUs and the OU of the shared accounts."""
    governed = {str(b.props.get("targetIdentifier", "")).rsplit("/", 1)[-1] for b in _of_type(resources, BASELINE)}
    shared: set[str] = set()
    for landing_zone in _of_type(resources, LANDING_ZONE):
        try:
            manifest = json.loads(landing_zone.props.get("manifestJson") or "{}")
        except (TypeError, ValueError):
            manifest = {}
        shared |= {str(s.get("accountId")) for s in manifest.values() if isinstance(s, dict) and s.get("accountId")}
    return governed | {str(a.props.get("parentId")) for a in _of_type(resources, "aws:organizations/account:Account") if a.id in shared}


def policy_slots(resources: list[ResourceView], per_target: Mapping[str, int]) -> Iterator[tuple[str, str]]:
    governed = _governed(resources)
    for target, policies in _attached(resources).items():
        by_type: dict[str, list[ResourceView]] = {}
        for policy in policies:
            by_type.setdefault(policy.props.get("type") or SCP.api_type, []).append(policy)
        for policy_type, planned in by_type.items():
            known = BY_API_TYPE.get(policy_type)
            reserved = [known.default_policy] if known and known.default_policy else []
            if policy_type == SCP.api_type and target in governed:
                reserved.append(CONTROL_TOWER_SLOT)
            limit = per_target.get(policy_type)
            if limit is not None and len(planned) + len(reserved) > limit:
                plus = f" plus {' and '.join(reserved)}" if reserved else ""
                yield (
                    planned[-1].urn,
                    f"target {target} would hold {len(planned)} {policy_type}{plus}: {len(planned) + len(reserved)}, over the {limit} per target "
                    "Organizations allows (AttachPolicy: ConstraintViolationException)",
                )


def root_access_has_trusted_access(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    organizations = _of_type(resources, ORGANIZATION)
    for features in _of_type(resources, ORGANIZATIONS_FEATURES):
        trusted = {p for o in organizations for p in json_list(o.props.get("awsServiceAccessPrincipals"))}
        if names.ROOT_ACCESS_SERVICE not in trusted:
            yield features.urn, f"centralised root access needs trusted access for {names.ROOT_ACCESS_SERVICE}, which the organisation does not grant"
        elif not {o.urn for o in organizations} & set(features.dependencies):
            yield features.urn, f"does not wait for the organisation, which grants {names.ROOT_ACCESS_SERVICE} its trusted access first"


def _leaf(document: dict, path: tuple[str, ...]) -> bool:
    node = document
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def settings_not_owned_by_a_policy(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    paths, keys = _account_paths(resources)
    attached = _attached(resources)
    known = providers(resources)
    management = next(iter(_of_type(resources, ORGANIZATION)), None)
    default_account = provider_account(management, known) if management is not None else ""
    for resource in resources:
        owned = OWNED_SETTINGS.get(resource.type)
        if owned is None:
            continue
        policy_type, path, source = owned
        account = provider_account(resource, known) or default_account
        for policy in _policies_over(account, paths, attached, policy_type):
            document = _content(policy)
            if document is not None and _leaf(document, path):
                yield (
                    resource.urn,
                    f"sets in {keys.get(account, account)} what {policy.props.get('name') or policy.urn} ({policy_type}) sets for it "
                    f"({'.'.join(path)}): the account can no longer change it ({source}); drop the resource or the template",
                )


def _assigned(node) -> list:
    value = node.get("@@assign") if isinstance(node, dict) else None
    return value if isinstance(value, list) else [value] if value is not None else []


def _backup_needs(document: dict) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(vault name, role ARN template, regions) of each plan of a backup policy."""
    for plan in (document.get("plans") or {}).values():
        regions = tuple(str(r) for r in _assigned(plan.get("regions")))
        roles = [str(r) for s in ((plan.get("selections") or {}).get("tags") or {}).values() for r in _assigned(s.get("iam_role_arn"))]
        for rule in (plan.get("rules") or {}).values():
            for vault in _assigned(rule.get("target_backup_vault_name")):
                for role in roles or [""]:
                    yield str(vault), role, regions


def backup_vaults_and_roles_exist(resources: list[ResourceView]) -> Iterator[tuple[str, str]]:
    paths, keys = _account_paths(resources)
    attached = _attached(resources)
    known = providers(resources)
    vaults = {
        (provider_account(v, known), known.get((v.provider or "").rsplit("::", 1)[0], {}).get("region"), v.props.get("name"))
        for v in _of_type(resources, BACKUP_VAULT)
    }
    roles = {names.Role(r.props.get("name") or "", r.props.get("path") or "/").arn(provider_account(r, known)) for r in _of_type(resources, IAM_ROLE)}
    for account in sorted(paths):
        for policy in _policies_over(account, paths, attached, BACKUP.api_type):
            for vault, role, regions in _backup_needs(_content(policy) or {}):
                where = keys.get(account, account)
                for region in regions:
                    if (account, region, vault) not in vaults:
                        yield policy.urn, f"names vault {vault}, which is not planned in {where} ({region}): every backup job there would fail"
                arn = role.replace("$account", account)
                if role and arn not in roles:
                    yield policy.urn, f"names role {arn}, which is not planned in {where}: every backup job there would fail"


RULES = (
    Rule(
        "AWS-ORG-POLICY-TYPE-ENABLED",
        "Every planned Organizations policy's type is enabled on the root.",
        MANDATORY,
        policy_types_enabled,
        source=ORGS_API + "API_AttachPolicy.html",
    ),
    Rule(
        "AWS-ORG-POLICY-SIZE",
        "Every Organizations policy but the SCPs (LZ-SCP-SIZE) is within its type's size limit, measured as sent.",
        MANDATORY,
        policy_size,
        {
            "max_chars": {
                "type": "object",
                "default": _defaults(MAX_CHARS_FIELDS),
                "description": "policy type -> guardrails.limits.<type>_max_chars",
            }
        },
        limits={"max_chars": MAX_CHARS_FIELDS},
        source=ORGS_GUIDE + "orgs_reference_limits.html",
    ),
    Rule(
        "AWS-ORG-POLICY-SLOTS",
        "No root, OU or account holds more policies of a type than Organizations allows, counting the AWS managed default and Control Tower's SCP.",
        MANDATORY,
        policy_slots,
        {
            "per_target": {
                "type": "object",
                "default": _defaults(PER_TARGET_FIELDS),
                "description": "policy type -> guardrails.limits.<type>_per_target",
            }
        },
        limits={"per_target": PER_TARGET_FIELDS},
        source=ORGS_GUIDE + "orgs_reference_limits.html",
    ),
    Rule(
        "AWS-IAM-ROOT-ACCESS-TRUSTED",
        "Centralised root access is enabled after trusted access for IAM.",
        MANDATORY,
        root_access_has_trusted_access,
        source="https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-enable-root-access.html",
    ),
    Rule(
        "AWS-ORG-POLICY-OWNS-SETTING",
        "No account-level setting is planned in an account whose declarative or S3 policy sets it.",
        MANDATORY,
        settings_not_owned_by_a_policy,
        source=DECLARATIVE_EC2.source,
    ),
    Rule(
        "AWS-BACKUP-VAULT-AND-ROLE",
        "Every account a backup policy covers has the vault (in each of its regions) and the role the policy names.",
        MANDATORY,
        backup_vaults_and_roles_exist,
        source=ORGS_GUIDE + "orgs_manage_policies_backup_create.html",
    ),
)
