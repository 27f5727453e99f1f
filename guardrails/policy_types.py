"""The Organizations policy types the landing zone manages, as data: API name, document kind, limits.

One record per type. Its `key` names everything the program keeps for it: the config section
(`guardrails.<key>.targets`), the template folder (`guardrails/templates/<key>/`, with a SOURCE.md
naming what each template follows) and the limit fields of `guardrails.limits`. Two kinds of
document exist (Organizations User Guide, orgs_manage_policies.html, checked 2026-12):

- authorization policies (SCP, RCP): IAM policy documents; the templates of a target are one
  statement each, merged into statement lists;
- management policies (tag, declarative EC2, S3, AI opt-out, backup): JSON trees of keys and
  inheritance operators (`@@assign`, `@@operators_allowed_for_child_policies`, ...,
  orgs_manage_policies_inheritance_mgmt.html); the templates of a target are merged key by key.

Limits are the defaults of `guardrails.limits`, each with where it is stated. The quotas page
(orgs_reference_limits.html, a 2026 copy read 2026-12-02: the tables "Maximum size of a policy
document" and "Number of policies that you can attach to an entity") gives SCP 10 per target and
10,240 characters (raised in 2026 from 5 and 5,120), RCP 5 (counting RCPFullAWSAccess) and 5,120,
declarative 10 and 10,000, backup 10 and 10,000, tag 10 and 10,000, AI opt-out 5 and 2,500.
S3 policies are not on that page: 10,000 characters and 10 per target as for the other management
policies is not confirmed offline, so, like every limit, it is config.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

STATEMENTS = "statements"
"""An IAM policy document: templates are statements, merged into one `Statement` list."""
MANAGEMENT = "management"
"""A management policy: templates are JSON trees, merged key by key."""

TEMPLATES = Path(__file__).resolve().parent / "templates"
ORGS_GUIDE = "https://docs.aws.amazon.com/organizations/latest/userguide/"
QUOTAS = ORGS_GUIDE + "orgs_reference_limits.html"


@dataclass(frozen=True)
class PolicyType:
    key: str
    """Config section, template folder and limit-field stem."""
    api_type: str
    """The `type` of `aws.organizations.Policy` and an entry of the root's `enabled_policy_types`
    (pulumi-aws 7.51.1 organizations/policy.py lists the valid values)."""
    label: str
    """How messages name one document of the type."""
    plural: str
    """And several."""
    kind: str
    """STATEMENTS or MANAGEMENT."""
    max_chars_field: str
    """The `guardrails.limits` field of the maximum document size, minified."""
    per_target_field: str
    """The `guardrails.limits` field of the documents one root, OU or account can hold."""
    default_policy: Optional[str]
    """The AWS managed policy Organizations attaches to every target while the type is enabled
    (it takes a slot and cannot be detached without a replacement), or None."""
    resource_prefix: str
    """Prefix of the documents' keys (`<prefix><target>-<first template>`), which name the policy
    resources; empty for SCPs, whose keys predate the other types."""
    source: str
    """The user-guide page of the type's syntax."""
    trusted_service: Optional[str] = None
    """A service principal the type needs trusted access for, or None."""

    @property
    def template_dir(self) -> Path:
        return TEMPLATES / self.key


SCP = PolicyType(
    "scp",
    "SERVICE_CONTROL_POLICY",
    "SCP",
    "SCPs",
    STATEMENTS,
    "scp_max_chars",
    "scps_per_target",
    "FullAWSAccess",
    "",
    ORGS_GUIDE + "orgs_reference_scp-syntax.html",
)
RCP = PolicyType(
    "rcp",
    "RESOURCE_CONTROL_POLICY",
    "RCP",
    "RCPs",
    STATEMENTS,
    "rcp_max_chars",
    "rcps_per_target",
    "RCPFullAWSAccess",
    "rcp-",
    ORGS_GUIDE + "orgs_manage_policies_rcps_syntax.html",
)
TAG = PolicyType(
    "tag_policy",
    "TAG_POLICY",
    "tag policy",
    "tag policies",
    MANAGEMENT,
    "tag_policy_max_chars",
    "tag_policies_per_target",
    None,
    "tag-",
    ORGS_GUIDE + "orgs_manage_policies_example-tag-policies.html",
)
DECLARATIVE_EC2 = PolicyType(
    "declarative_ec2",
    "DECLARATIVE_POLICY_EC2",
    "declarative policy",
    "declarative policies",
    MANAGEMENT,
    "declarative_ec2_max_chars",
    "declarative_ec2_policies_per_target",
    None,
    "ec2-",
    ORGS_GUIDE + "orgs_manage_policies_declarative_syntax.html",
    # "You must enable trusted access for the service where the declarative policy will enforce a
    # baseline configuration" (orgs_manage_policies_declarative_status-report.html; the console does
    # it when it enables the type); EC2's principal: services-that-can-integrate-ec2.html.
    "ec2.amazonaws.com",
)
S3 = PolicyType(
    "s3_policy",
    "S3_POLICY",
    "S3 policy",
    "S3 policies",
    MANAGEMENT,
    "s3_policy_max_chars",
    "s3_policies_per_target",
    None,
    "s3-",
    ORGS_GUIDE + "orgs_manage_policies_s3_syntax.html",
)
AI_OPT_OUT = PolicyType(
    "ai_opt_out",
    "AISERVICES_OPT_OUT_POLICY",
    "AI services opt-out policy",
    "AI services opt-out policies",
    MANAGEMENT,
    "ai_opt_out_max_chars",
    "ai_opt_out_policies_per_target",
    None,
    "ai-",
    ORGS_GUIDE + "orgs_manage_policies_ai-opt-out_syntax.html",
)
BACKUP = PolicyType(
    "backup_policy",
    "BACKUP_POLICY",
    "backup policy",
    "backup policies",
    MANAGEMENT,
    "backup_policy_max_chars",
    "backup_policies_per_target",
    None,
    "backup-",
    ORGS_GUIDE + "orgs_manage_policies_backup_syntax.html",
    # AWS Backup's cross-account management (backup policies, monitoring) runs through trusted
    # access for its principal (Backup Developer Guide, manage-cross-account.html); not confirmed
    # offline that AttachPolicy needs it.
    "backup.amazonaws.com",
)

POLICY_TYPES: dict[str, PolicyType] = {t.key: t for t in (SCP, RCP, TAG, DECLARATIVE_EC2, S3, AI_OPT_OUT, BACKUP)}
"""Config key -> type, in the order the plan and docs/guardrails.md list them."""
BY_API_TYPE: dict[str, PolicyType] = {t.api_type: t for t in POLICY_TYPES.values()}


def template_names(policy_type: PolicyType) -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in policy_type.template_dir.glob("*.json")))
