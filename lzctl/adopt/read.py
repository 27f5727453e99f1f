"""What `lzctl adopt` reads from the management account: the organisation as Organizations describes it.

Every call goes through the doctor's `ReadOnlySession`, which refuses any operation that is not a
read before it is sent. A read AWS denies is recorded (`Inventory.unreadable`) instead of stopping
the run, except the organisation, its root and its accounts, without which nothing can be adopted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, TypeVar

from botocore.exceptions import ClientError

from lzctl.adopt.clients import client
from lzctl.adopt.control_tower import LandingZone, read_landing_zone
from lzctl.migrate.aws import error_code, is_denied, pages

T = TypeVar("T")
AWS_MANAGED_SCP = "FullAWSAccess"


@dataclass
class Unit:
    id: str
    name: str
    parent_id: str
    tags: dict[str, str]
    arn: str = ""


@dataclass
class Member:
    id: str
    name: str
    email: str
    status: str
    parent_id: str
    tags: dict[str, str]


@dataclass
class OrgPolicy:
    id: str
    type: str
    name: str
    description: str
    content: str
    aws_managed: bool
    target_ids: list[str]
    tags: dict[str, str]


@dataclass
class PermissionSet:
    arn: str
    name: str
    description: str
    session_duration: str
    relay_state: str
    managed_policy_arns: list[str]
    inline_policy: str
    """The inline policy text as Identity Center returns it; empty for none."""
    customer_managed: list[str]
    """`path/name` of customer managed policy references: the config model has no field for them."""
    boundary: str = ""
    """The permissions boundary (GetPermissionsBoundaryForPermissionSet): a managed policy ARN or a
    customer managed policy's `path/name`; empty for none. The config model has no field for it."""
    tags: Optional[dict[str, str]] = None
    """sso-admin ListTagsForResource; None when AWS denied the read."""


@dataclass
class User:
    id: str
    user_name: str
    display_name: str
    given_name: str
    family_name: str
    emails: list[dict]
    """As the identity store returns them: Value, Type, Primary."""
    record: dict = field(default_factory=dict)
    """Every attribute as ListUsers returns it, for the report to name what the program does not set."""
    external_ids: list[dict] = field(default_factory=list)
    """Issuer and Id per identity provider that provisions the user (SCIM); empty for Identity Center's own."""


@dataclass
class Group:
    id: str
    display_name: str
    description: str
    memberships: dict[str, str]
    """User id -> membership id."""
    external_ids: list[dict] = field(default_factory=list)
    """Issuer and Id per identity provider that provisions the group (SCIM); empty for Identity Center's own."""


@dataclass
class Assignment:
    permission_set_arn: str
    principal_type: str
    principal_id: str
    account_id: str


@dataclass
class IdentityCenter:
    instance_arn: str
    identity_store_id: str
    permission_sets: list[PermissionSet] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)


@dataclass(frozen=True)
class Delegation:
    """A delegated administrator, as Organizations lists it (ListDelegatedAdministrators, ListDelegatedServicesForAccount)."""

    account_id: str
    service_principal: str


@dataclass(frozen=True)
class ServiceRole:
    """A service-linked role as IAM GetRole answers it: what the provider reads into an import's inputs."""

    tags: dict[str, str]
    description: str = ""


@dataclass
class Inventory:
    caller_account: str
    organization_id: str
    management_account_id: str
    feature_set: str
    root_id: str
    enabled_policy_types: list[str]
    trusted_services: list[str]
    units: list[Unit] = field(default_factory=list)
    accounts: list[Member] = field(default_factory=list)
    policies: list[OrgPolicy] = field(default_factory=list)
    landing_zones: list[str] = field(default_factory=list)
    landing_zone: Optional[LandingZone] = None
    """The first landing zone's details (there is at most one per organisation)."""
    identity_center: Optional[IdentityCenter] = None
    """None when Identity Center has no instance in the home region (or AWS denied the read)."""
    delegations: Optional[list[Delegation]] = None
    """Every delegated administrator and its services; None when AWS denied the read."""
    unreadable: list[str] = field(default_factory=list)
    """What AWS refused to let us read: `<IAM action>: <why>`, for the report and exit code 4."""
    config_service_roles: dict[str, ServiceRole] = field(default_factory=dict)
    """Member account id -> its AWSServiceRoleForConfig, for those that have it (lzctl/adopt/member_reads.py;
    read with no landing zone only)."""


class NotAManagementAccount(Exception):
    """The profile reaches an account that is not an organisation's management account."""


def _tags(api, resource_id: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in pages(api, "list_tags_for_resource", "Tags", ResourceId=resource_id)}


class _Reader:
    def __init__(self, session, region: str):
        self.session, self.region = session, region
        self.api = client(session, "organizations", region)
        self.unreadable: list[str] = []

    def optional(self, action: str, read: Callable[[], T], default: T) -> T:
        """`read()`, or `default` after recording that AWS denied `action`."""
        try:
            return read()
        except ClientError as err:
            if not is_denied(err):
                raise
            # The ReadOnlySession knows the IAM action of the call AWS refused; name it when it can.
            last = getattr(getattr(self.session, "calls", None), "last", "")
            self.unreadable.append(f"{action}: {error_code(err)}" + (f" ({last})" if last and last not in action else ""))
            return default

    def tags(self, resource_id: str) -> dict[str, str]:
        return self.optional(f"organizations:ListTagsForResource ({resource_id})", lambda: _tags(self.api, resource_id), {})

    def units(self, parent_id: str) -> list[Unit]:
        found = []
        for unit in pages(self.api, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent_id):
            found.append(Unit(unit["Id"], unit["Name"], parent_id, self.tags(unit["Id"]), unit.get("Arn", "")))
            found += self.units(unit["Id"])
        return found

    def accounts(self) -> list[Member]:
        members = []
        for account in pages(self.api, "list_accounts", "Accounts"):
            parent = self.api.list_parents(ChildId=account["Id"])["Parents"][0]["Id"]
            # `State` replaces `Status` (Organizations API reference, Account); moto answers Status only.
            status = account.get("State") or account.get("Status", "ACTIVE")
            members.append(Member(account["Id"], account["Name"], account["Email"], status, parent, self.tags(account["Id"])))
        return members

    def policies(self, types: list[str]) -> list[OrgPolicy]:
        found = []
        for policy_type in types:
            summaries = self.optional(
                f"organizations:ListPolicies ({policy_type})", lambda t=policy_type: list(pages(self.api, "list_policies", "Policies", Filter=t)), []
            )
            for summary in summaries:
                content = self.api.describe_policy(PolicyId=summary["Id"])["Policy"]["Content"]
                targets = [t["TargetId"] for t in pages(self.api, "list_targets_for_policy", "Targets", PolicyId=summary["Id"])]
                tags = {} if summary.get("AwsManaged") else self.tags(summary["Id"])
                found.append(
                    OrgPolicy(
                        summary["Id"], policy_type, summary["Name"], summary.get("Description", ""), content, bool(summary.get("AwsManaged")), targets, tags
                    )
                )
        return found

    def identity_center(self, account_ids: list[str]) -> Optional[IdentityCenter]:
        admin = client(self.session, "sso-admin", self.region)
        instances = self.optional("sso:ListInstances", lambda: list(pages(admin, "list_instances", "Instances")), [])
        if not instances:
            return None
        instance, store = instances[0]["InstanceArn"], instances[0]["IdentityStoreId"]
        center = IdentityCenter(instance, store)
        directory = client(self.session, "identitystore", self.region)
        for arn in pages(admin, "list_permission_sets", "PermissionSets", InstanceArn=instance):
            described = admin.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)["PermissionSet"]
            managed = [
                p["Arn"] for p in pages(admin, "list_managed_policies_in_permission_set", "AttachedManagedPolicies", InstanceArn=instance, PermissionSetArn=arn)
            ]
            inline = admin.get_inline_policy_for_permission_set(InstanceArn=instance, PermissionSetArn=arn).get("InlinePolicy", "")
            customer = [
                f"{ref.get('Path', '/')}{ref['Name']}"
                for ref in pages(
                    admin,
                    "list_customer_managed_policy_references_in_permission_set",
                    "CustomerManagedPolicyReferences",
                    InstanceArn=instance,
                    PermissionSetArn=arn,
                )
            ]
            center.permission_sets.append(
                PermissionSet(
                    arn,
                    described["Name"],
                    described.get("Description", ""),
                    described.get("SessionDuration", "PT1H"),
                    described.get("RelayState", ""),
                    managed,
                    inline,
                    customer,
                    _boundary(admin, instance, arn),
                    self.optional(
                        f"sso:ListTagsForResource ({described['Name']})",
                        lambda a=arn: {t["Key"]: t["Value"] for t in pages(admin, "list_tags_for_resource", "Tags", InstanceArn=instance, ResourceArn=a)},
                        None,
                    ),
                )
            )
            center.assignments += _assignments(admin, instance, arn, account_ids)
        for user in pages(directory, "list_users", "Users", IdentityStoreId=store):
            name = user.get("Name", {})
            center.users.append(
                User(
                    user["UserId"],
                    user["UserName"],
                    user.get("DisplayName", ""),
                    name.get("GivenName", ""),
                    name.get("FamilyName", ""),
                    user.get("Emails", []),
                    user,
                    user.get("ExternalIds") or [],
                )
            )
        for group in pages(directory, "list_groups", "Groups", IdentityStoreId=store):
            members = {
                m["MemberId"]["UserId"]: m["MembershipId"]
                for m in pages(directory, "list_group_memberships", "GroupMemberships", IdentityStoreId=store, GroupId=group["GroupId"])
                if "UserId" in m.get("MemberId", {})
            }
            center.groups.append(Group(group["GroupId"], group.get("DisplayName", ""), group.get("Description", ""), members, group.get("ExternalIds") or []))
        return center

    def delegations(self) -> list[Delegation]:
        found = []
        for admin in pages(self.api, "list_delegated_administrators", "DelegatedAdministrators"):
            for service in pages(self.api, "list_delegated_services_for_account", "DelegatedServices", AccountId=admin["Id"]):
                found.append(Delegation(admin["Id"], service["ServicePrincipal"]))
        return sorted(found, key=lambda d: (d.service_principal, d.account_id))

    def landing_zones(self) -> list[str]:
        api = client(self.session, "controltower", self.region)
        return self.optional("controltower:ListLandingZones", lambda: [z["arn"] for z in pages(api, "list_landing_zones", "landingZones")], [])


def _boundary(admin, instance: str, arn: str) -> str:
    try:
        boundary = admin.get_permissions_boundary_for_permission_set(InstanceArn=instance, PermissionSetArn=arn)["PermissionsBoundary"]
    except ClientError as err:
        # The API answers ResourceNotFoundException for a set without a boundary (sso-admin API reference).
        if error_code(err) == "ResourceNotFoundException":
            return ""
        raise
    if "ManagedPolicyArn" in boundary:
        return boundary["ManagedPolicyArn"]
    reference = boundary.get("CustomerManagedPolicyReference", {})
    return f"{reference.get('Path', '/')}{reference.get('Name', '')}"


def _assignments(admin, instance: str, arn: str, account_ids: list[str]) -> list[Assignment]:
    """The set's assignments: ListAccountAssignments only in the accounts it is provisioned to.

    ListAccountsForProvisionedPermissionSet names them (CreateAccountAssignment provisions the set
    to its account: sso-admin API reference), so the calls are one per set plus one per set and
    account that has it, not one per set and account of the organisation (300 accounts x 25 sets
    would be 7,500 ListAccountAssignments).
    """
    wanted = set(account_ids)
    provisioned = pages(admin, "list_accounts_for_provisioned_permission_set", "AccountIds", InstanceArn=instance, PermissionSetArn=arn)
    found = []
    for account_id in sorted(a for a in set(provisioned) if a in wanted):
        for assigned in pages(admin, "list_account_assignments", "AccountAssignments", InstanceArn=instance, AccountId=account_id, PermissionSetArn=arn):
            found.append(Assignment(arn, assigned["PrincipalType"], assigned["PrincipalId"], account_id))
    return found


def read_organization(session, region: str) -> Inventory:
    """The organisation the session's account manages (raises NotAManagementAccount otherwise)."""
    caller = client(session, "sts", region).get_caller_identity()["Account"]
    reader = _Reader(session, region)
    try:
        organization = reader.api.describe_organization()["Organization"]
    except ClientError as err:
        if error_code(err) == "AWSOrganizationsNotInUseException":
            raise NotAManagementAccount(f"account {caller} belongs to no organisation") from None
        raise
    if organization["MasterAccountId"] != caller:
        raise NotAManagementAccount(
            f"account {caller} is a member of organisation {organization['Id']}, whose management account is {organization['MasterAccountId']}"
        )
    root = reader.api.list_roots()["Roots"][0]
    enabled = sorted(t["Type"] for t in root.get("PolicyTypes", []) if t["Status"] == "ENABLED")
    trusted = reader.optional(
        "organizations:ListAWSServiceAccessForOrganization",
        lambda: sorted(s["ServicePrincipal"] for s in pages(reader.api, "list_aws_service_access_for_organization", "EnabledServicePrincipals")),
        [],
    )
    inventory = Inventory(
        caller_account=caller,
        organization_id=organization["Id"],
        management_account_id=organization["MasterAccountId"],
        feature_set=organization.get("FeatureSet", "ALL"),
        root_id=root["Id"],
        enabled_policy_types=enabled,
        trusted_services=trusted,
    )
    inventory.units = reader.units(root["Id"])
    inventory.accounts = reader.accounts()
    inventory.policies = reader.policies(enabled)
    inventory.delegations = reader.optional("organizations:ListDelegatedAdministrators, ListDelegatedServicesForAccount", reader.delegations, None)
    inventory.landing_zones = reader.landing_zones()
    if inventory.landing_zones:
        first = inventory.landing_zones[0]
        ou_arns = [u.arn for u in inventory.units if u.arn]
        inventory.landing_zone = reader.optional("Control Tower (controltower reads)", lambda: read_landing_zone(reader, first, ou_arns), None)
    active = [a.id for a in inventory.accounts if a.status == "ACTIVE"]
    inventory.identity_center = reader.optional("Identity Center (sso, identitystore reads)", lambda: reader.identity_center(active), None)
    inventory.unreadable = reader.unreadable
    return inventory
