"""Every Organizations policy type: templates, filling, packing, size and slot checks, defaults, enabled types."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pulumi_aws
import pytest

import config
from guardrails import policies
from guardrails.policies import GITHUB_LOGIN_SLOT, GITHUB_OWNER_SLOT, ORGANIZATION_SLOT, PolicyDocument, TemplateError, Unavailable
from guardrails.policy_types import BACKUP, DECLARATIVE_EC2, POLICY_TYPES, RCP, SCP, TAG, template_names
from tests.helpers import both, setter, shared_run


def config_error(config_dir, mutate) -> str:
    with pytest.raises(config.ConfigError) as caught:
        config.load(config_dir(mutate), refuse_example_domains=False)
    return str(caught.value)


def test_every_type_is_one_the_provider_accepts_with_templates_and_their_sources():
    documented = (Path(pulumi_aws.__file__).parent / "organizations" / "policy.py").read_text()
    accepted = {
        t for valid in re.findall(r"The type of policy to create\. Valid values are (.*?)\. Defaults", documented) for t in re.findall(r"`([A-Z_0-9]+)`", valid)
    }
    assert len(accepted) == 12
    for policy_type in POLICY_TYPES.values():
        assert policy_type.api_type in accepted, policy_type.api_type
        source = (policy_type.template_dir / "SOURCE.md").read_text()
        assert template_names(policy_type), policy_type.key
        assert all(f"`{name}`" in source for name in template_names(policy_type)), policy_type.key


# --- filling -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template, values, filled",
    [
        ({"a": "${X}"}, {"X": [1, 2]}, {"a": [1, 2]}),
        ({"${KEY}": "v"}, {"KEY": "token.example:sub"}, {"token.example:sub": "v"}),
        # None removes its key, and a mapping it leaves empty.
        ({"c": {"keep": "k", "drop": "${X}"}}, {"X": None}, {"c": {"keep": "k"}}),
        ({"lifecycle": {"cold": {"@@assign": "${X}"}, "delete": {"@@assign": "35"}}}, {"X": None}, {"lifecycle": {"delete": {"@@assign": "35"}}}),
        # A literal `${...}` inside a longer string is no placeholder.
        ({"a": "x ${X}"}, {"X": "y"}, {"a": "x ${X}"}),
    ],
)
def test_placeholders_stand_for_whole_values_and_keys(template, values, filled):
    assert policies._fill(template, values, "t") == filled


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, "t names ${X}, which no config value fills"),
        ({"X": Unavailable("the github section")}, "t needs the github section"),
    ],
)
def test_a_template_that_cannot_be_filled_says_why(values, message):
    with pytest.raises(TemplateError) as caught:
        policies._fill({"a": "${X}"}, values, "t")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "first, second, merged",
    [
        (
            {"ec2_attributes": {"a": {"@@assign": "1"}}},
            {"ec2_attributes": {"b": {"@@assign": "2"}}},
            {"ec2_attributes": {"a": {"@@assign": "1"}, "b": {"@@assign": "2"}}},
        ),
        ({"x": {"@@assign": "same"}}, {"x": {"@@assign": "same"}}, {"x": {"@@assign": "same"}}),
    ],
)
def test_management_templates_merge_key_by_key(first, second, merged):
    assert policies.merge_trees(first, second, "t") == merged


def test_two_templates_assigning_one_key_differently_are_refused():
    with pytest.raises(TemplateError) as caught:
        policies.merge_trees({"ec2_attributes": {"exception_message": {"@@assign": "a"}}}, {"ec2_attributes": {"exception_message": {"@@assign": "b"}}}, "t")
    assert str(caught.value) == 't sets ec2_attributes.exception_message.@@assign to "b", which an earlier template sets to "a"'


@pytest.mark.integration
def test_the_organisation_and_github_owner_ids_are_slots_measured_at_their_longest(example, management_plan):
    [rcp] = [d for d in example.guardrails.policies if d.policy_type is RCP]
    assert rcp.needs_organization_id and rcp.content.count(ORGANIZATION_SLOT) == 2
    assert rcp.needs_github_owner_id and rcp.content.count(GITHUB_OWNER_SLOT) == 1
    # Both subject patterns name the login; a login is at most 39 characters.
    assert rcp.needs_github_login and rcp.content.count(GITHUB_LOGIN_SLOT) == 2 and "repo:acme-inc" not in rcp.content
    assert rcp.size == len(rcp.content) + 2 * (34 - len(ORGANIZATION_SLOT)) + (19 - len(GITHUB_OWNER_SLOT)) + 2 * (39 - len(GITHUB_LOGIN_SLOT))
    planned = management_plan.named("guardrails-rcp-root-enforce-org-identities-policy").inputs["content"]
    organization = management_plan.outputs["organizationId"]
    # The owner id the organisation lookup answers, which the deploy roles' trusts carry too.
    owner = re.search(r"repo:acme-inc@(\d+)/", management_plan.named("shop-prod-deploy-role").inputs["assumeRolePolicy"]).group(1)
    assert "<" not in planned and planned == rcp.render({}, organization, owner, "acme-inc")
    statements = {statement["Sid"]: statement for statement in json.loads(planned)["Statement"]}
    assert statements["EnforceOrgIdentities"]["Condition"]["StringNotEqualsIfExists"] == {"aws:PrincipalOrgID": organization}
    assert statements["EnforceGitHubTenant"]["Condition"]["StringNotLikeIfExists"] == {
        "token.actions.githubusercontent.com:sub": ["repo:acme-inc/*", f"repo:acme-inc@{owner}/*"]
    }


# --- limits of every type -------------------------------------------------------------------------

DEFAULT_DOCUMENTS = {
    "scp": ("root", "root-deny-leaving-organization"),
    "rcp": ("root", "rcp-root-enforce-org-identities"),
    "tag_policy": ("member", "tag-member-required-tags"),
    "declarative_ec2": ("root", "ec2-root-instance-metadata-v2"),
    "s3_policy": ("root", "s3-root-block-public-access"),
    "ai_opt_out": ("root", "ai-root-opt-out-all"),
    "backup_policy": ("prod", "backup-prod-daily"),
}


def test_the_example_has_a_document_of_every_type(example):
    assert {(d.policy_type.key, d.target, d.key) for d in example.guardrails.policies} >= {(k, *v) for k, v in DEFAULT_DOCUMENTS.items()}


@pytest.mark.parametrize("key", POLICY_TYPES)
def test_a_document_over_its_types_size_limit_is_refused(config_dir, key):
    policy_type = POLICY_TYPES[key]
    target, document = DEFAULT_DOCUMENTS[key]
    # Every template is over this alone (the smallest, the S3 policy, is 74 characters).
    limit = 50
    message = config_error(config_dir, setter(f"guardrails.limits.{policy_type.max_chars_field}", limit))
    assert re.search(rf"guardrails\.{key}\.targets\.{target}: {policy_type.label} {document} is \d+ characters minified, over the limit of {limit}", message)


@pytest.mark.parametrize("key", POLICY_TYPES)
def test_each_type_counts_its_slots_with_its_aws_default(key):
    policy_type = POLICY_TYPES[key]
    reserved = [policy_type.default_policy] if policy_type.default_policy else []
    documents = [PolicyDocument(policy_type, "root", (f"t{i}",), "{}") for i in range(3)]
    assert policies.check_limits(documents, 10, 3 + len(reserved), reserved) == []
    [breach] = policies.check_limits(documents, 10, 2 + len(reserved), reserved)
    plus = f" plus {reserved[0]}: 4," if reserved else ","
    assert breach.message == f"target root needs 3 {policy_type.plural}{plus} over the limit of {2 + len(reserved)} per target"


def test_rcps_split_by_size_overflow_their_slots(config_dir):
    # Every RCP template fits 500 characters alone, no two together: 5 documents and RCPFullAWSAccess.
    message = config_error(config_dir, setter("guardrails.limits.rcp_max_chars", 500))
    assert "guardrails.rcp.targets.root: target root needs 5 RCPs plus RCPFullAWSAccess: 6, over the limit of 5 per target" in message
    assert "characters minified" not in message


def test_declarative_policies_split_by_size_overflow_their_slots(config_dir):
    message = config_error(
        config_dir, both(setter("guardrails.limits.declarative_ec2_max_chars", 374), setter("guardrails.limits.declarative_ec2_policies_per_target", 1))
    )
    assert "guardrails.declarative_ec2.targets.root: target root needs 2 declarative policies, over the limit of 1 per target" in message


# --- targets and templates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mutate, words",
    [
        (
            setter("guardrails.rcp.targets", {"root": ["enforce-org-identity"]}),
            "guardrails.rcp.targets.root: no such RCP template (got 'enforce-org-identity'). Hint: did you mean enforce-org-identities?",
        ),
        (
            setter("guardrails.ai_opt_out.targets", {"workloads": ["opt-out-all"]}),
            "guardrails.ai_opt_out.targets.workloads: no such AI services opt-out policy target",
        ),
        (
            both(
                setter("github", None),
                setter("deployments", None),
                setter("slack", None),
                setter("guardrails.rcp.targets", {"root": ["enforce-github-tenant"]}),
            ),
            "guardrails.rcp.targets.root: rcp template enforce-github-tenant needs the github section (its owner). Hint: configure what it needs",
        ),
    ],
    ids=["template typo", "unknown target", "needs github"],
)
def test_policy_mistakes_are_refused_before_deploy(config_dir, mutate, words):
    assert words in config_error(config_dir, mutate)


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"cold_storage_after_days": 30, "retention_days": 100}, "guardrails.backup_policy.retention_days: AWS Backup keeps a recovery point in cold storage"),
        (
            {"regions": ["eu-west-1"]},
            "guardrails.backup_policy.regions[0]: not a governed region: the region deny would stop the backups there (got 'eu-west-1')",
        ),
    ],
)
def test_backup_settings_aws_refuses_are_refused(config_dir, settings, words):
    assert words in config_error(config_dir, setter("guardrails.backup_policy", settings))


def test_without_a_prod_environment_the_backup_policy_needs_targets(config_dir):
    def rename(data):
        data["environments"]["production"] = data["environments"].pop("prod")
        for app in data["applications"].values():
            app.pop("environments", None)
        data["guardrails"]["backup_policy"] = {}

    message = config_error(config_dir, rename)
    assert "guardrails.backup_policy.targets: no OU to attach the backup policy to: there is no prod environment and no targets are given" in message


def test_without_github_and_deployments_the_perimeter_drops_their_tenant_rcps(config_dir):
    landing_zone = config.load(config_dir(both(setter("github", None), setter("deployments", None), setter("slack", None))), refuse_example_domains=False)
    [rcp] = [d for d in landing_zone.guardrails.policies if d.policy_type is RCP]
    assert rcp.templates == ("enforce-org-identities", "enforce-confused-deputy-protection", "enforce-secure-transport")


def test_trusted_accounts_join_the_perimeters_exceptions(config_dir):
    landing_zone = config.load(config_dir(setter("guardrails.rcp.trusted_accounts", ["999988887777"])), refuse_example_domains=False)
    [rcp] = [d for d in landing_zone.guardrails.policies if d.policy_type is RCP]
    identities, deputies = json.loads(rcp.content)["Statement"][:2]
    assert identities["Condition"]["StringNotEqualsIfExists"]["aws:PrincipalAccount"] == ["999988887777"]
    assert deputies["Condition"]["StringNotEqualsIfExists"]["aws:SourceAccount"] == ["999988887777"]


# --- which types the root enables ------------------------------------------------------------------


def enabled_types(config_dir, mutate) -> list[str]:
    plan, errors = shared_run(config_dir(mutate))
    assert not errors, errors
    return plan.named("organization-organization").inputs["enabledPolicyTypes"]


@pytest.mark.integration
def test_a_type_with_no_document_is_not_enabled(config_dir):
    types = enabled_types(config_dir, both(setter("guardrails.ai_opt_out.targets", {}), setter("guardrails.backup_policy", None)))
    assert "AISERVICES_OPT_OUT_POLICY" not in types and "BACKUP_POLICY" not in types and TAG.api_type in types


@pytest.mark.integration
def test_scps_stay_enabled_under_control_tower_even_without_a_document(config_dir):
    assert SCP.api_type in enabled_types(config_dir, setter("guardrails.scp.targets", {}))
    off = both(setter("guardrails.scp.targets", {}), setter("guardrails.control_tower.enabled", False))
    assert SCP.api_type not in enabled_types(config_dir, off)


@pytest.mark.integration
def test_trusted_access_follows_the_types_and_root_access(config_dir):
    plan, _ = shared_run(config_dir(both(setter("guardrails.declarative_ec2.targets", {}), setter("guardrails.root_access.enabled", False))))
    principals = set(plan.named("organization-organization").inputs["awsServiceAccessPrincipals"])
    assert {DECLARATIVE_EC2.trusted_service, "iam.amazonaws.com"}.isdisjoint(principals) and BACKUP.trusted_service in principals
    assert plan.of_type("aws:iam/organizationsFeatures:OrganizationsFeatures") == []
    assert "parameters" not in plan.named("control-tower-prod-AWS-GR_RESTRICT_ROOT_USER-control").inputs


@pytest.mark.integration
def test_a_backup_policy_on_the_root_covers_the_management_account(config_dir):
    plan, errors = shared_run(config_dir(setter("guardrails.backup_policy", {"targets": {"root": ["daily"]}})))
    assert not errors, errors
    vaults = {r.name: r.provider.rsplit("::", 2)[1] for r in plan.of_type("aws:backup/vault:Vault")}
    assert vaults["backup-management-ap-northeast-1-vault"] == "management"
    assert len(vaults) == 1 + 8  # management and every member account


def _scp_templates(landing_zone) -> dict[str, list[str]]:
    return {
        doc.target: [t for d in landing_zone.guardrails.policies if d.policy_type is SCP and d.target == doc.target for t in d.templates]
        for doc in landing_zone.guardrails.policies
        if doc.policy_type is SCP
    }


def test_the_backup_scps_follow_the_backup_policys_targets(config_dir):
    default = config.load(config_dir(), refuse_example_domains=False)
    assert _scp_templates(default)["prod"] == ["protect-backups", "protect-backup-role"]
    moved = config.load(config_dir(setter("guardrails.backup_policy", {"targets": {"member": ["daily"]}})), refuse_example_domains=False)
    assert _scp_templates(moved)["member"] == ["protect-backups", "protect-backup-role"] and "prod" not in _scp_templates(moved)
    none = config.load(config_dir(setter("guardrails.backup_policy", None)), refuse_example_domains=False)
    assert not any("protect-backups" in templates for templates in _scp_templates(none).values())
    # Configured SCP targets replace the defaults, the backup SCPs included.
    own = config.load(config_dir(setter("guardrails.scp.targets", {"root": ["deny-root-user"]})), refuse_example_domains=False)
    assert _scp_templates(own) == {"root": ["deny-root-user"]}


def test_the_backup_scp_exempts_the_landing_zones_roles_and_the_backup_role(example):
    (doc,) = [d for d in example.guardrails.policies if d.policy_type is SCP and d.templates[0] == "protect-backups"]
    protect, role = json.loads(doc.content)["Statement"]
    exempt = protect["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
    assert exempt[-1] == "arn:aws:iam::*:role/service-role/landing-zone-backup" and "arn:aws:iam::*:role/AWSControlTowerExecution" in exempt
    assert role["Resource"] == ["arn:aws:iam::*:role/service-role/landing-zone-backup"]
    assert "arn:aws:iam::*:role/service-role/landing-zone-backup" not in role["Condition"]["ArnNotLike"]["aws:PrincipalArn"]


@pytest.mark.integration
def test_the_renamed_tag_policy_keeps_its_old_names_as_aliases(management_plan):
    for purpose in ("policy", "attachment"):
        renamed = management_plan.named(f"guardrails-tag-member-required-tags-{purpose}")
        # An empty parentUrn is the SDK's "the resource's current parent" (pulumi/runtime/resource.py create_alias_spec):
        # the old URN differs only in its name.
        assert renamed.aliases == ({"spec": {"name": f"guardrails-tags-{purpose}", "parentUrn": ""}},)
    # No other policy had a name before every type was first-class.
    others = [r for r in management_plan.resources if r.type.startswith("aws:organizations/policy") and "-tag-" not in r.name]
    assert others and all(r.aliases == () for r in others)


def test_a_document_pinning_the_github_owner_refuses_a_stack_that_passes_no_owner_id(example):
    """Sent with its slot, the GitHub tenant RCP would refuse every immutable subject of the owner."""
    from components.guardrails import Guardrails, GuardrailsArgs

    [rcp] = [d for d in example.guardrails.policies if d.policy_type is RCP]
    with pytest.raises(ValueError, match="^rcp-root-enforce-org-identities pins the GitHub owner's id, but the stack passed none$"):
        Guardrails._content(rcp, GuardrailsArgs(policies=(), target_ids={}, organization_id="o-a1b2c3d4e5"))


def test_a_document_naming_the_github_login_refuses_a_stack_that_passes_no_login(example):
    """Sent with its slot, the GitHub tenant RCP would refuse every token of the owner."""
    from components.guardrails import Guardrails, GuardrailsArgs

    [rcp] = [d for d in example.guardrails.policies if d.policy_type is RCP]
    with pytest.raises(ValueError, match="^rcp-root-enforce-org-identities names the GitHub owner's login, but the stack passed none$"):
        Guardrails._content(rcp, GuardrailsArgs(policies=(), target_ids={}, organization_id="o-a1b2c3d4e5", github_owner_id="85447737"))


def test_a_slot_whose_id_resolves_empty_is_never_sent(example):
    """The ids arrive as Outputs at deploy: one that resolves empty must stop the document, not
    send its slot as literal text."""
    [rcp] = [d for d in example.guardrails.policies if d.policy_type is RCP]
    sent = json.loads(rcp.sent({}, "o-a1b2c3d4e5", "85447737", "Acme-Inc"))
    assert [s for s in sent["Statement"] if s["Sid"] == "EnforceGitHubTenant"][0]["Condition"]["StringNotLikeIfExists"] == {
        "token.actions.githubusercontent.com:sub": ["repo:Acme-Inc/*", "repo:Acme-Inc@85447737/*"]
    }
    with pytest.raises(ValueError, match="^rcp-root-enforce-org-identities: <github-owner-id> has no value, so the document cannot be sent$"):
        rcp.sent({}, "o-a1b2c3d4e5", "", "acme-inc")
    with pytest.raises(ValueError, match="^rcp-root-enforce-org-identities: <github-owner> has no value, so the document cannot be sent$"):
        rcp.sent({}, "o-a1b2c3d4e5", "85447737", "")
    with pytest.raises(ValueError, match="^rcp-root-enforce-org-identities: <organization> has no value"):
        rcp.sent({}, "", "85447737", "acme-inc")
