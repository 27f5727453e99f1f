"""`adopt-report.md`: what the plan of the written config imports, what it creates, and what AWS must change first.

Pure: over the plan (lzctl/runtime.py), the inventory (read.py) and the adoption (mapping.py).
Where the program's inputs differ from what exists, the Pulumi CLI imports the resource and then
updates it to the program's inputs (pulumi/pulumi#19339, CLI releases since 2025-05; older CLIs
refused the import: Pulumi docs, "Importing resources"). Either way the first `pulumi up` is not a
pure adoption, so every input the plan sets on an imported resource is compared with what adopt
read, and each difference gets its fix: a command that makes AWS match before the first `pulumi
up`, or a warning where the program would change it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from lzctl.adopt.mapping import Adoption
from lzctl.adopt.read import Inventory, PermissionSet, ServiceRole
from lzctl.runtime import Plan, PlannedResource
from names import CONFIG_SERVICE_LINKED_ROLE

ORGANIZATION = "aws:organizations/organization:Organization"
OU = "aws:organizations/organizationalUnit:OrganizationalUnit"
ACCOUNT = "aws:organizations/account:Account"
POLICY = "aws:organizations/policy:Policy"
PERMISSION_SET = "aws:ssoadmin/permissionSet:PermissionSet"
USER = "aws:identitystore/user:User"
GROUP = "aws:identitystore/group:Group"
INLINE_POLICY = "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy"
SERVICE_LINKED_ROLE = "aws:iam/serviceLinkedRole:ServiceLinkedRole"
REPORT_FILE = "adopt-report.md"
DELEGATIONS = {
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": ("accountId", None, "{account}/{principal}"),
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": ("adminAccountId", "guardduty.amazonaws.com", "{account}"),
    "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount": ("accountId", "inspector2.amazonaws.com", "{account}"),
    "aws:securityhub/organizationAdminAccount:OrganizationAdminAccount": ("adminAccountId", "securityhub.amazonaws.com", "{account}"),
    "aws:cloudtrail/organizationDelegatedAdminAccount:OrganizationDelegatedAdminAccount": ("accountId", "cloudtrail.amazonaws.com", "{account}"),
}
"""Resource type -> (input naming the delegated account, the service principal Organizations lists it under
(None: the resource's `servicePrincipal`), the import id). Each service's own delegation API registers
the account with Organizations under its principal, which is how ListDelegatedAdministrators sees it;
import ids from each type's "## Import" in the installed pulumi_aws 7.51.1 (organizations/delegated_administrator.py
`123456789012/config.amazonaws.com`; guardduty, inspector2, securityhub, cloudtrail: the account id)."""
PER_REGION = {
    "aws:guardduty/organizationAdminAccount:OrganizationAdminAccount": "aws guardduty list-organization-admin-accounts",
    "aws:inspector2/delegatedAdminAccount:DelegatedAdminAccount": "aws inspector2 list-delegated-admin-accounts",
}
"""Delegations made per region (GuardDuty's EnableOrganizationAdminAccount, Inspector's EnableDelegatedAdminAccount),
and the read that says whether a region has one: Organizations lists the principal once, whichever regions
have it, so in a region that has none the import fails and the create is what the region needs."""
USER_ATTRIBUTES_NOT_SET = (
    ("NickName", "nickname"),
    ("ProfileUrl", "profileUrl"),
    ("Addresses", "addresses"),
    ("PhoneNumbers", "phoneNumbers"),
    ("UserType", "userType"),
    ("Title", "title"),
    ("PreferredLanguage", "preferredLanguage"),
    ("Locale", "locale"),
    ("Timezone", "timezone"),
    ("Name.Formatted", "name.formatted"),
    ("Name.MiddleName", "name.middleName"),
    ("Name.HonorificPrefix", "name.honorificPrefix"),
    ("Name.HonorificSuffix", "name.honorificSuffix"),
)
"""(ListUsers field, UpdateUser attribute path) of what the program does not set on a user
(components/sso_access.py sets user name, display name, given and family name, one e-mail). Each
is an input of the installed pulumi_aws 7.51.1 identitystore.User, Optional and not Computed in
terraform-provider-aws identitystore/user.go, whose read sets it from the API: an imported user that
has one shows a diff, which the first `pulumi up` updates away after the import. Newer API fields
the provider has no input for (Photos, Website, Birthdate, Roles, UserStatus) are not read into its
state and cannot diff. Checked 2026-12-02 against botocore 1.44.8's identitystore model."""


@dataclass(frozen=True)
class Difference:
    urn: str
    what: str
    """The input and how it differs."""
    fix: str
    """A command that makes AWS match, or what to decide."""


def _default_tags(plan: Plan, resource: PlannedResource) -> dict[str, str]:
    urn = resource.provider.rsplit("::", 1)[0]
    provider = next((r for r in plan.resources if r.urn == urn), None)
    tags = provider.inputs.get("defaultTags") if provider else None
    if isinstance(tags, str):
        tags = json.loads(tags)
    return dict((tags or {}).get("tags") or {})


def wanted_tags(plan: Plan, resource: PlannedResource) -> dict[str, str]:
    """The tags an import of `resource` compares with what exists: its provider's default tags and its own
    (the provider's `tagsAll`); Pulumi imports and then updates what differs (pulumi/pulumi#19339; older CLIs
    refused it, pulumi-aws issues #5284 and #4030, "inputs to import do not match the existing resource")."""
    return {**_default_tags(plan, resource), **(resource.inputs.get("tags") or {})}


def _tag_differences(plan: Plan, resource: PlannedResource, existing: dict[str, str], tag: str, untag: str) -> list[Difference]:
    return tag_differences(resource.urn, wanted_tags(plan, resource), existing, tag, untag)


def tag_differences(urn: str, wanted: dict[str, str], existing: dict[str, str], tag: str, untag: str) -> list[Difference]:
    """The tags the program sets (`wanted_tags`) against those the resource has:
    `tag` and `untag` are the service's commands up to `--tags` / `--tag-keys`."""
    missing = {k: v for k, v in sorted(wanted.items()) if existing.get(k) != v}
    extra = sorted(set(existing) - set(wanted))
    found = []
    if missing:
        tags = " ".join(f"Key={k},Value={v}" for k, v in missing.items())
        found.append(Difference(urn, f"tags: the program sets {', '.join(f'{k}={v}' for k, v in missing.items())}", f"{tag} --tags {tags}"))
    if extra:
        found.append(
            Difference(
                urn,
                f"tags: it has {', '.join(extra)}, which the program does not set",
                f"{untag} --tag-keys {' '.join(extra)} (the config has no field for them)",
            )
        )
    return found


def config_role_differences(urn: str, account_id: str, wanted: dict[str, str], description: str, role: ServiceRole) -> list[Difference]:
    """AWSServiceRoleForConfig as GetRole answers it in `account_id` against what the program's import sets:
    `wanted_tags` of the planned role and its description. Shared with `lzctl doctor`'s config-service-role check."""
    # The account's provider sets default tags, which the role (created by AWS Config) lacks; IAM tags a
    # service-linked role like any role (the provider's `tags` on ServiceLinkedRole calls TagRole).
    where = f"--role-name {CONFIG_SERVICE_LINKED_ROLE.name} --profile <a profile in {account_id}>"
    found = tag_differences(urn, wanted, role.tags, f"aws iam tag-role {where}", f"aws iam untag-role {where}")
    if role.description != description:
        # The provider reads the description into the import's inputs, and the program sets none
        # (iam/service_linked_role.go: Optional, not Computed); IAM lets a service-linked role's description change.
        found.append(
            Difference(urn, f"description: it has {role.description!r}, which the program does not set", f"aws iam update-role {where} --description ''")
        )
    return found


def _organizations_tags(plan: Plan, resource: PlannedResource, resource_id: str, existing: dict[str, str]) -> list[Difference]:
    where = f"--resource-id {resource_id}"
    return _tag_differences(plan, resource, existing, f"aws organizations tag-resource {where}", f"aws organizations untag-resource {where}")


def _in_region(plan: Plan, resource: PlannedResource, account: str) -> str:
    """For a per-region delegation (PER_REGION): the read that says whether this region has it."""
    if resource.type not in PER_REGION:
        return ""
    urn = resource.provider.rsplit("::", 1)[0]
    region = next((r.inputs.get("region") for r in plan.resources if r.urn == urn), None) or "<region>"
    return f", only if `{PER_REGION[resource.type]} --region {region}` lists {account}; where it does not, the create is what the region needs"


def _account_of(arn: str) -> str:
    """The account id of an IAM ARN (`arn:aws:iam::<account>:role/...`)."""
    return arn.split(":")[4] if arn.count(":") >= 5 else ""


def _field(resource: PlannedResource, name: str, existing, label: str) -> list[Difference]:
    value = resource.inputs.get(name)
    if value == existing:
        return []
    return [Difference(resource.urn, f"{label}: the program sets {value!r}, AWS has {existing!r}", "a bug of adopt: report it with this line")]


def differences(plan: Plan, inventory: Inventory) -> list[Difference]:
    """Every input of an imported resource that differs from what exists, with its fix."""
    units = {u.id: u for u in inventory.units}
    accounts = {a.id: a for a in inventory.accounts}
    policies = {p.id: p for p in inventory.policies}
    found: list[Difference] = []
    for resource in (r for r in plan.resources if r.import_id):
        if resource.type == ORGANIZATION:
            found += _field(resource, "featureSet", inventory.feature_set, "feature set")
            wanted = set(resource.inputs.get("awsServiceAccessPrincipals") or [])
            for service in sorted(wanted - set(inventory.trusted_services)):
                found.append(
                    Difference(
                        resource.urn,
                        f"trusted access: the program needs {service}",
                        f"aws organizations enable-aws-service-access --service-principal {service}",
                    )
                )
            for service in sorted(set(inventory.trusted_services) - wanted):
                found.append(
                    Difference(
                        resource.urn,
                        f"trusted access: {service} is enabled and the program does not list it, so `pulumi up` would disable it",
                        "decide: disable it first (`aws organizations disable-aws-service-access`), or add it to organization.extra_trusted_services",
                    )
                )
            types = set(resource.inputs.get("enabledPolicyTypes") or [])
            for policy_type in sorted(types - set(inventory.enabled_policy_types)):
                found.append(
                    Difference(
                        resource.urn,
                        f"policy types: the program enables {policy_type}",
                        f"aws organizations enable-policy-type --root-id {inventory.root_id} --policy-type {policy_type}",
                    )
                )
            for policy_type in sorted(set(inventory.enabled_policy_types) - types):
                found.append(
                    Difference(
                        resource.urn,
                        f"policy types: {policy_type} is enabled and `pulumi up` would disable it",
                        "decide: disable it first, or add it to organization.extra_policy_types",
                    )
                )
        elif resource.type == OU and resource.import_id in units:
            unit = units[resource.import_id]
            found += _field(resource, "name", unit.name, "name") + _organizations_tags(plan, resource, unit.id, unit.tags)
        elif resource.type == ACCOUNT and resource.import_id in accounts:
            account = accounts[resource.import_id]
            found += _field(resource, "name", account.name, "name") + _field(resource, "email", account.email, "root e-mail")
            found += _field(resource, "parentId", account.parent_id, "parent")
            found += _organizations_tags(plan, resource, account.id, account.tags)
        elif resource.type == SERVICE_LINKED_ROLE and _account_of(resource.import_id) in inventory.config_service_roles:
            account_id = _account_of(resource.import_id)
            wanted = wanted_tags(plan, resource)
            found += config_role_differences(
                resource.urn, account_id, wanted, resource.inputs.get("description") or "", inventory.config_service_roles[account_id]
            )
        elif resource.type == POLICY and resource.import_id in policies:
            policy = policies[resource.import_id]
            for name, existing in (("name", policy.name), ("type", policy.type), ("content", policy.content), ("description", policy.description)):
                found += _field(resource, name, existing, name)
            found += _organizations_tags(plan, resource, policy.id, policy.tags)
    if inventory.identity_center is not None:
        found += _identity_center_differences(plan, inventory)
    return found + delegation_differences(plan, inventory)


def delegation_differences(plan: Plan, inventory: Inventory) -> list[Difference]:
    """The delegated administrators the plan creates against those Organizations lists, and those it lists that the plan does not name."""
    if inventory.delegations is None:
        return []
    names = {a.id: a.name for a in inventory.accounts}
    held: dict[str, list[str]] = {}
    for delegation in inventory.delegations:
        held.setdefault(delegation.service_principal, []).append(delegation.account_id)
    planned: set[str] = set()
    found = []
    for resource in (r for r in plan.resources if r.type in DELEGATIONS):
        field, principal, import_id = DELEGATIONS[resource.type]
        account, principal = resource.inputs.get(field), principal or resource.inputs.get("servicePrincipal")
        planned.add(principal)
        admins = held.get(principal, [])
        if resource.import_id:
            continue  # adopted (security_services.existing_delegations): the import compares it
        if account in admins:
            found.append(
                Difference(
                    resource.urn,
                    f"delegated administrator of {principal}: the plan creates {names.get(account, account)} ({account}), which already is one "
                    "(Organizations' RegisterDelegatedAdministrator refuses that with AccountAlreadyRegisteredException; whether the service's "
                    "own enable call refuses it too is not verified offline)",
                    # `name=urn` for both flags (Pulumi CLI reference, `pulumi import`); the provider carries the region.
                    f"import it before `pulumi up`: `pulumi import {resource.type} {resource.name} {import_id.format(account=account, principal=principal)} "
                    f"--parent 'parent={resource.parent}' --provider 'provider={resource.provider.rsplit('::', 1)[0]}'`" + _in_region(plan, resource, account),
                )
            )
        elif admins:
            others = ", ".join(f"{names.get(a, a)} ({a})" for a in admins)
            found.append(
                Difference(
                    resource.urn,
                    f"delegated administrator of {principal}: {others} already is one, and the plan creates {names.get(account, account)} ({account}) "
                    "beside it: where the service takes one delegated administrator per organisation the create fails; where it takes several, "
                    "who administers it changes",
                    f"decide: deregister {others} first (`aws organizations deregister-delegated-administrator --account-id {admins[0]} "
                    f"--service-principal {principal}`, after moving what it administers), or keep the service out of the program",
                )
            )
    for principal, admins in sorted(held.items()):
        if principal not in planned:
            listed = ", ".join(f"{names.get(a, a)} ({a})" for a in admins)
            found.append(
                Difference(
                    f"delegated administrator of {principal}",
                    f"{listed}: the program does not manage this delegation, it stays as it is",
                    "nothing to run; decide whether it should stay",
                )
            )
    return found


def _identity_center_differences(plan: Plan, inventory: Inventory) -> list[Difference]:
    center = inventory.identity_center
    sets = {f"{p.arn},{center.instance_arn}": p for p in center.permission_sets}
    users = {f"{center.identity_store_id}/{u.id}": u for u in center.users}
    groups = {f"{center.identity_store_id}/{g.id}": g for g in center.groups}
    found: list[Difference] = []
    for resource in (r for r in plan.resources if r.import_id):
        if resource.type == PERMISSION_SET and resource.import_id in sets:
            ps = sets[resource.import_id]
            found += _field(resource, "name", ps.name, "name") + _field(resource, "description", ps.description, "description")
            found += _field(resource, "sessionDuration", ps.session_duration, "session duration")
            if ps.relay_state:
                found.append(
                    Difference(
                        resource.urn,
                        f"relay state: it has {ps.relay_state}, which the config cannot set",
                        "decide: clear it in Identity Center, or keep it out of the program",
                    )
                )
            found += _permission_set_tags(plan, resource, center.instance_arn, ps)
        elif resource.type == INLINE_POLICY and resource.import_id in sets:
            existing, wanted = sets[resource.import_id].inline_policy, resource.inputs.get("inlinePolicy", "")
            if json.loads(existing) != json.loads(wanted):
                found.append(
                    Difference(resource.urn, "inline policy: the program's document is not the one in AWS", "a bug of adopt: report it with this line")
                )
            elif existing != wanted:
                found.append(
                    Difference(
                        resource.urn,
                        "inline policy: the same JSON as in AWS, minified by the config loader (not verified offline: whether the provider compares it as JSON)",
                        "if `pulumi preview` shows a diff here, put the minified document first: "
                        f"`aws sso-admin put-inline-policy-to-permission-set --instance-arn {center.instance_arn} --permission-set-arn {sets[resource.import_id].arn} --inline-policy file://<minified.json>`",
                    )
                )
        elif resource.type == USER and resource.import_id in users:
            user = users[resource.import_id]
            found += _field(resource, "userName", user.user_name, "user name") + _field(resource, "displayName", user.display_name, "display name")
            found += _field(resource, "name", {"givenName": user.given_name, "familyName": user.family_name}, "name")
            wanted = resource.inputs.get("emails") or {}
            if [{"Value": wanted.get("value"), "Primary": True}] != [{k: e.get(k) for k in ("Value", "Primary")} for e in user.emails] or any(
                e.get("Type") for e in user.emails
            ):
                found.append(
                    Difference(
                        resource.urn,
                        f"e-mails: the program sets one primary address without a type, AWS has {user.emails}",
                        "decide: make the user's addresses one primary address in Identity Center, or keep the user out of the program",
                    )
                )
            for attribute, path in USER_ATTRIBUTES_NOT_SET:
                head, _, sub = attribute.partition(".")
                value = user.record.get(head)
                value = (value or {}).get(sub) if sub else value
                if value:
                    found.append(
                        Difference(
                            resource.urn,
                            f"{path}: AWS has {value!r}, which the config cannot set",
                            f"decide: clear {path} of user {user.user_name} in Identity Center (`aws identitystore update-user --identity-store-id "
                            f"{center.identity_store_id} --user-id {user.id} --operations AttributePath={path}`), or keep the user out of the program",
                        )
                    )
        elif resource.type == GROUP and resource.import_id in groups:
            group = groups[resource.import_id]
            found += _field(resource, "displayName", group.display_name, "display name") + _field(
                resource, "description", group.description or None, "description"
            )
    return found


def _permission_set_tags(plan: Plan, resource: PlannedResource, instance_arn: str, ps: PermissionSet) -> list[Difference]:
    """The tags the program sets (its provider's default tags and its own) against ListTagsForResource's: the
    provider's `tags_all` holds both, so a tag on either side shows as a diff, which the first `pulumi up` updates after the import."""
    wanted = {**_default_tags(plan, resource), **(resource.inputs.get("tags") or {})}
    where = f"--instance-arn {instance_arn} --resource-arn {ps.arn}"
    if ps.tags is None:
        if not wanted:
            return []
        pairs = " ".join(f"Key={k},Value={v}" for k, v in sorted(wanted.items()))
        return [
            Difference(
                resource.urn,
                f"tags (AWS denied the read, see below): the program sets {', '.join(f'{k}={v}' for k, v in sorted(wanted.items()))}",
                f"aws sso-admin tag-resource {where} --tags {pairs}",
            )
        ]
    return _tag_differences(plan, resource, ps.tags, f"aws sso-admin tag-resource {where}", f"aws sso-admin untag-resource {where}")


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    return [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}", *(f"| {' | '.join(cell(c) for c in row)} |" for row in rows)]


def creates(plan: Plan) -> list[PlannedResource]:
    """Managed resources the plan creates (providers are configuration, not things in AWS)."""
    return [r for r in plan.resources if r.custom and r.op == "create" and not r.type.startswith("pulumi:providers:")]


def render(inventory: Inventory, adoption: Adoption, plan: Plan, found: list[Difference], sections: Sequence[str] = ()) -> str:
    """The report; `sections`: more lines after what is left alone (Control Tower's, lzctl/adopt/control_tower_report.py)."""
    imports = [r for r in plan.resources if r.import_id]
    made = creates(plan)
    lines = [
        f"# Adopting organisation {inventory.organization_id}",
        "",
        f"Read from the management account {inventory.management_account_id} by `lzctl adopt`. `landing-zone.yaml` beside this",
        "file adopts what exists: `python -m lzctl plan --stack management --config <this folder>` shows it as `import` steps.",
        "Nothing is deleted by the first `pulumi up`; what the organisation has and the config cannot hold is listed below and",
        "left alone by the program.",
        "",
        "## Before the first `pulumi up`: make AWS match",
        "",
        "Where an input the program sets differs from what exists, the first `pulumi up` imports and then changes it. Run these (or decide) first, then adopt again",
        "and check that this section is empty." if found else "Nothing: every input of every imported resource matches what exists.",
        "",
    ]
    if found:
        lines += _table(
            [[d.urn.rsplit("::", 1)[-1], d.what, f"`{d.fix}`" if d.fix.startswith("aws ") else d.fix] for d in found], ["resource", "difference", "fix"]
        )
        lines.append("")
    if inventory.unreadable:
        lines += ["## Not read (AWS denied it)", "", "Grant these reads and adopt again; until then the config may miss what they hold:", ""]
        lines += [f"- {item}" for item in inventory.unreadable] + [""]
    lines += [f"## Imported ({len(imports)})", ""]
    lines += _table([[r.type.rsplit(":", 1)[-1], r.name, r.import_id] for r in imports], ["type", "resource", "import id"])
    lines += ["", f"## Created by the program ({len(made)})", "", "The organisation lacks these; the plan creates them (review before `pulumi up`):", ""]
    counts: dict[str, int] = {}
    for resource in made:
        counts[resource.type] = counts.get(resource.type, 0) + 1
    lines += _table([[t, str(n)] for t, n in sorted(counts.items())], ["type", "count"])
    lines += ["", "## Left alone (the config model cannot hold it)", ""]
    lines += [f"- {what}: {why}" for what, why in adoption.left_alone] or ["Nothing."]
    lines += sections
    if adoption.notes:
        lines += ["", "## Choices to confirm", ""] + [f"- {note}" for note in adoption.notes]
    return "\n".join(lines) + "\n"
