"""`lzctl adopt` end to end: a moto organisation built here, adopted, planned; the plan imports exactly what exists."""

from __future__ import annotations

import json

import pytest
import yaml
from moto import mock_aws
from moto.moto_api._internal import mock_random

from config import ConfigError
from guardrails.control_tower import PREREQUISITE_ROLES
from guardrails.controls import control_arn
from lzctl import adopt
from lzctl.adopt import mapping, read
from lzctl.adopt.read import Group, IdentityCenter, User
from lzctl.plan import views as plan_views
from rules import evaluate
from tests.helpers import HOME, MANAGEMENT, FakeSession, Sessions, moto_session, shared_plan, stubbed

DENY_LEAVE = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})
INLINE = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}]}, indent=2)
OPT_OUT = json.dumps({"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}}}})


class Organisation:
    """A hand-made organisation in moto: what `adopt` must find, and the ids it must import."""

    def __init__(self):
        self.session = moto_session(MANAGEMENT)
        org = self.session.client("organizations")
        self.id = org.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        self.root = org.list_roots()["Roots"][0]["Id"]
        for policy_type in ("SERVICE_CONTROL_POLICY", "AISERVICES_OPT_OUT_POLICY"):
            org.enable_policy_type(RootId=self.root, PolicyType=policy_type)
        org.enable_aws_service_access(ServicePrincipal="ram.amazonaws.com")  # a service the program does not integrate

        def ou(name, parent):
            return org.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]

        def account(name, email, parent):
            account_id = org.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["AccountId"]
            org.move_account(AccountId=account_id, SourceParentId=self.root, DestinationParentId=parent)
            return account_id

        self.ous = {"Security": ou("Security", self.root), "Workloads": ou("Workloads", self.root)}
        self.ous["Dev"] = ou("Dev", self.ous["Workloads"])
        self.ous["Prod"] = ou("Prod", self.ous["Workloads"])
        self.accounts = {
            "Audit": account("Audit", "audit@acme-corp.co.jp", self.ous["Security"]),
            "Log Archive": account("Log Archive", "log@acme-corp.co.jp", self.ous["Security"]),
            "shop-dev": account("shop-dev", "shop-dev@acme-corp.co.jp", self.ous["Dev"]),
            "shop-prod": account("shop-prod", "Shop-Prod@Acme-Corp.CO.JP", self.ous["Prod"]),  # as entered: the domain not lower-cased
        }
        # shop-prod used AWS Config once: its service-linked role stayed, with a tag and a description (moto's
        # create_service_linked_role misspells the name, so the role is made as IAM names it).
        moto_session(self.accounts["shop-prod"]).client("iam").create_role(
            RoleName="AWSServiceRoleForConfig",
            Path="/aws-service-role/config.amazonaws.com/",
            AssumeRolePolicyDocument=DENY_LEAVE,
            Tags=[{"Key": "cost-centre", "Value": "42"}],
            Description="Config's role",
        )
        self.sandbox = org.create_account(AccountName="Sandbox", Email="sandbox@acme-corp.co.jp")["CreateAccountStatus"]["AccountId"]
        self.scp = org.create_policy(Name="Deny leaving", Description="No account leaves", Type="SERVICE_CONTROL_POLICY", Content=DENY_LEAVE)["Policy"][
            "PolicySummary"
        ]["Id"]
        self.opt_out = org.create_policy(Name="AI opt-out", Description="", Type="AISERVICES_OPT_OUT_POLICY", Content=OPT_OUT)["Policy"]["PolicySummary"]["Id"]
        for policy, target in ((self.scp, self.root), (self.scp, self.ous["Prod"]), (self.opt_out, self.root), (self.scp, self.sandbox)):
            org.attach_policy(PolicyId=policy, TargetId=target)
        # Delegations: one the plan imports (audit, Config's organisation rules), one it would create
        # again (audit, GuardDuty: its own API, not imported yet), one of a service the plan delegates
        # to another account (access-analyzer), one the program does not manage (ssm).
        self.delegations = {
            "config-multiaccountsetup.amazonaws.com": self.accounts["Audit"],
            "guardduty.amazonaws.com": self.accounts["Audit"],
            "access-analyzer.amazonaws.com": self.accounts["shop-dev"],
            "ssm.amazonaws.com": self.accounts["Audit"],
        }
        for principal, account_id in self.delegations.items():
            org.register_delegated_administrator(AccountId=account_id, ServicePrincipal=principal)

        self.identity_center()

    def identity_center(self):
        sso, store = self.session.client("sso-admin"), self.session.client("identitystore")
        instance = sso.list_instances()["Instances"][0]
        self.instance, self.store = instance["InstanceArn"], instance["IdentityStoreId"]

        def permission_set(name, session, policies, description=None, inline=None, tags=()):
            extra = {"Description": description} if description else {}
            if tags:
                extra["Tags"] = [{"Key": k, "Value": v} for k, v in tags]
            arn = sso.create_permission_set(InstanceArn=self.instance, Name=name, SessionDuration=session, **extra)["PermissionSet"]["PermissionSetArn"]
            for policy in policies:
                sso.attach_managed_policy_to_permission_set(
                    InstanceArn=self.instance, PermissionSetArn=arn, ManagedPolicyArn=f"arn:aws:iam::aws:policy/{policy}"
                )
            if inline:
                sso.put_inline_policy_to_permission_set(InstanceArn=self.instance, PermissionSetArn=arn, InlinePolicy=inline)
            return arn

        self.sets = {
            "AdministratorAccess": permission_set(
                "AdministratorAccess", "PT4H", ["AdministratorAccess"], "Full access", tags=[("managed-by", "landing-zone"), ("team", "platform")]
            ),
            "DeveloperAccess": permission_set("DeveloperAccess", "PT8H", ["ReadOnlyAccess", "SecurityAudit"], "Operate workloads", INLINE),
        }
        self.billing = permission_set("Billing", "PT1H", ["ReadOnlyAccess"])
        BOUNDARIES[self.sets["DeveloperAccess"]] = {"CustomerManagedPolicyReference": {"Name": "workload-boundary", "Path": "/"}}

        def user(name, given, family, email, **extra):
            return store.create_user(
                IdentityStoreId=self.store,
                UserName=name,
                DisplayName=f"{given} {family}",
                Name={"GivenName": given, "FamilyName": family, **extra.pop("Name", {})},
                Emails=[{"Value": email, "Primary": True}],
                **extra,
            )["UserId"]

        self.users = {
            "hanako": user("hanako@acme-corp.co.jp", "Hanako", "Yamada", "hanako@acme-corp.co.jp"),
            # What an IdP sync typically sets and the program does not.
            "taro": user("taro", "Taro", "Suzuki", "taro@acme-corp.co.jp", Title="Engineer", Name={"Formatted": "Mr Taro Suzuki"}),
        }

        def group(name, members):
            group_id = store.create_group(IdentityStoreId=self.store, DisplayName=name, Description=f"{name} of Acme")["GroupId"]
            ids = [
                store.create_group_membership(IdentityStoreId=self.store, GroupId=group_id, MemberId={"UserId": self.users[m]})["MembershipId"] for m in members
            ]
            return group_id, ids

        (self.admins, admin_memberships), (self.developers, developer_memberships) = (
            group("Platform Admins", ["hanako", "taro"]),
            group("Shop Developers", ["taro"]),
        )
        self.memberships = admin_memberships + developer_memberships
        accounts = self.accounts
        grants = [
            *((self.admins, "GROUP", account, "AdministratorAccess") for account in (MANAGEMENT, *accounts.values())),
            (self.developers, "GROUP", accounts["shop-dev"], "DeveloperAccess"),
            (self.developers, "GROUP", accounts["Audit"], "DeveloperAccess"),
            (self.users["taro"], "USER", accounts["shop-prod"], "DeveloperAccess"),
        ]
        for principal, kind, account, name in grants:
            sso.create_account_assignment(
                InstanceArn=self.instance,
                TargetId=account,
                TargetType="AWS_ACCOUNT",
                PermissionSetArn=self.sets[name],
                PrincipalType=kind,
                PrincipalId=principal,
            )
        self.assignments = [(p, a, self.sets[n]) for p, kind, a, n in grants if kind == "GROUP" and not (p == self.developers and a == accounts["Audit"])]

    def sso_imports(self) -> set[tuple[str, str]]:
        """What Identity Center must import: not the set without a description, the user assignment, the lone audit one."""
        suffix = f",{self.instance}"
        return {
            *(("aws:ssoadmin/permissionSet:PermissionSet", arn + suffix) for arn in self.sets.values()),
            ("aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy", self.sets["DeveloperAccess"] + suffix),
            (
                "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
                f"arn:aws:iam::aws:policy/AdministratorAccess,{self.sets['AdministratorAccess']}{suffix}",
            ),
            *(
                ("aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment", f"arn:aws:iam::aws:policy/{p},{self.sets['DeveloperAccess']}{suffix}")
                for p in ("ReadOnlyAccess", "SecurityAudit")
            ),
            *(("aws:identitystore/user:User", f"{self.store}/{u}") for u in self.users.values()),
            *(("aws:identitystore/group:Group", f"{self.store}/{g}") for g in (self.admins, self.developers)),
            *(("aws:identitystore/groupMembership:GroupMembership", f"{self.store}/{m}") for m in self.memberships),
            *(("aws:ssoadmin/accountAssignment:AccountAssignment", f"{p},GROUP,{a},AWS_ACCOUNT,{ps}{suffix}") for p, a, ps in self.assignments),
        }

    def imports(self, control_tower: bool = False) -> set[tuple[str, str]]:
        """(type, import id) of everything the config must adopt: the sandbox at the root is left alone; AWS Config's
        service-linked role only without Control Tower (with it the program creates none, and adopt does not read it)."""
        scp_targets = (self.root, self.ous["Prod"])
        return {
            ("aws:organizations/organization:Organization", self.id),
            *(("aws:organizations/organizationalUnit:OrganizationalUnit", ou) for ou in self.ous.values()),
            *(("aws:organizations/account:Account", account) for account in self.accounts.values()),
            ("aws:organizations/policy:Policy", self.scp),
            ("aws:organizations/policy:Policy", self.opt_out),
            *(("aws:organizations/policyAttachment:PolicyAttachment", f"{target}:{self.scp}") for target in scp_targets),
            ("aws:organizations/policyAttachment:PolicyAttachment", f"{self.root}:{self.opt_out}"),
            ("aws:organizations/delegatedAdministrator:DelegatedAdministrator", f"{self.accounts['Audit']}/config-multiaccountsetup.amazonaws.com"),
            *(
                ()
                if control_tower
                else [
                    (
                        "aws:iam/serviceLinkedRole:ServiceLinkedRole",
                        f"arn:aws:iam::{self.accounts['shop-prod']}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
                    )
                ]
            ),
            *self.sso_imports(),
        }


def aws_shaped_sso_ids(monkeypatch) -> None:
    """moto's Identity Center ids are not AWS's (a permission set ARN under `instance/`, a store id
    of any letters); the config checks AWS's patterns (botocore's API models), so give moto those."""
    from moto.ssoadmin import models

    monkeypatch.setattr(
        models.PermissionSet,
        "generate_id",
        staticmethod(lambda instance_arn: instance_arn.replace(":instance/", ":permissionSet/") + "/ps-" + mock_random.uuid4().hex[:16]),
    )
    monkeypatch.setattr(
        models.Instance, "identity_store_id", property(lambda self: "d-" + self.instance_arn[-10:].encode().hex()[:10], lambda self, value: None), raising=False
    )


BOUNDARIES: dict[str, dict] = {}
"""Permission set ARN -> its PermissionsBoundary, for the fill-in of moto's missing operation below."""


def moto_sso_reads(monkeypatch) -> None:
    """What moto 5 lacks or gets wrong in sso-admin, answered as the API reference says:
    ListAccountsForProvisionedPermissionSet (moto answers the caller's account whatever is assigned;
    CreateAccountAssignment provisions the set to its account), GetPermissionsBoundaryForPermissionSet
    (ResourceNotFoundException without one) and ListTagsForResource (the tags given at creation)."""
    from moto.ssoadmin import models, responses

    def accounts(self, instance_arn, permission_set_arn):
        found = {a.target_id for a in self.account_assignments if a.instance_arn == instance_arn and a.permission_set_arn == permission_set_arn}
        return sorted(found)

    def boundary(self):
        arn = self._get_param("PermissionSetArn")
        if arn not in BOUNDARIES:
            raise models.ResourceNotFoundException(message="no permissions boundary")
        return json.dumps({"PermissionsBoundary": BOUNDARIES[arn]})

    def tags(self):
        found = self.ssoadmin_backend._find_permission_set(self._get_param("InstanceArn"), self._get_param("ResourceArn"))
        return json.dumps({"Tags": found.tags or []})

    BOUNDARIES.clear()
    monkeypatch.setattr(models.SSOAdminBackend, "list_accounts_for_provisioned_permission_set", accounts)
    monkeypatch.setattr(responses.SSOAdminResponse, "get_permissions_boundary_for_permission_set", boundary, raising=False)
    monkeypatch.setattr(responses.SSOAdminResponse, "list_tags_for_resource", tags, raising=False)


ORGANISATION_SEED = 20261202


@pytest.fixture
def organisation(aws, monkeypatch):
    aws_shaped_sso_ids(monkeypatch)
    moto_sso_reads(monkeypatch)
    with mock_aws():
        # The same ids in every test, so the adopted configs of tests that change nothing are one plan
        # (shared_plan keys on content). Accounts moto created in earlier tests stay in its master-account
        # table across mock contexts; an account created again here is re-registered under this organisation.
        mock_random.seed(ORGANISATION_SEED)
        yield Organisation()


def no_landing_zone():
    api, stubber = stubbed("controltower")
    stubber.add_response("list_landing_zones", {"landingZones": []}, {})
    return api


def run(capsys, organisation, out, *argv, **sessions):
    """adopt planning through shared_plan: a test's own plan of what adopt wrote is then adopt's."""
    sessions = sessions or {"mgmt": FakeSession(organisation.session, controltower=no_landing_zone())}
    argv = ["adopt", "--management-profile", "mgmt", "--out", str(out), "--home-region", HOME, *argv]
    code = adopt.main(argv, sessions=Sessions(**sessions), planner=shared_plan)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def adopted(organisation, tmp_path, capsys):
    out = tmp_path / "adopted"
    code, stdout, stderr = run(capsys, organisation, out)
    assert (code, stderr) == (0, ""), stderr
    return out, stdout


@pytest.mark.integration
def test_the_plan_of_the_adopted_config_imports_exactly_what_the_organisation_has(organisation, adopted):
    out, _ = adopted
    plan = shared_plan("management", out)
    imported = {(r.type, r.import_id) for r in plan.resources if r.import_id}
    assert imported == organisation.imports()
    types = plan.named("organization-organization").inputs["enabledPolicyTypes"]
    assert types == ["AISERVICES_OPT_OUT_POLICY", "SERVICE_CONTROL_POLICY"]
    # Nothing of what exists is created a second time: the one Organizations create is the OU the
    # config model needs and the organisation lacks (the suspended OU), and AWS Config's service-linked
    # role is created only in the accounts that lack it (shop-prod's is imported above), the delegations
    # only where audit is not registered yet (config; access-analyzer is shop-dev's: the report's decision).
    organizations = {t for t, _ in organisation.imports()}
    assert {r.name for r in plan.resources if r.type in organizations and r.op == "create"} == {
        "organization-suspended-ou",
        *(f"config-recording-{key}-service-role" for key in ("audit", "log", "shop-dev")),
        "security-admin-access-analyzer",
        "security-admin-config",
    }
    # The adopted policies and the attachments that existed are protected; a day-two one is not (below).
    adopted_types = ("aws:organizations/policy:Policy", "aws:organizations/policyAttachment:PolicyAttachment")
    assert {r.protect for r in plan.resources if r.type in adopted_types} == {True}
    # E-mails stay as Organizations holds them (an account's email is ForceNew): no case folding.
    assert plan.named("shop-prod-account").inputs["email"] == "Shop-Prod@Acme-Corp.CO.JP"
    # The policy pack accepts it: the adopted SCP keeps its white space (DENY_LEAVE is not minified).
    assert evaluate(plan_views(plan)) == []


@pytest.mark.integration
def test_the_enabled_trusted_services_and_policy_types_stay_enabled(adopted):
    out, _ = adopted
    data = yaml.safe_load((out / "landing-zone.yaml").read_text())
    org = data["organization"]
    assert (org["extra_trusted_services"], org["extra_policy_types"]) == (["ram.amazonaws.com"], ["AISERVICES_OPT_OUT_POLICY", "SERVICE_CONTROL_POLICY"])
    assert "ram.amazonaws.com" in shared_plan("management", out).named("organization-organization").inputs["awsServiceAccessPrincipals"]
    assert "would disable it" not in (out / "adopt-report.md").read_text()
    # An SCP type left with AWS's FullAWSAccess alone (the adopted SCP dropped, Control Tower off) stays enabled.
    del data["guardrails"]["adopted_policies"]["deny-leaving"]
    (out / "landing-zone.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    inputs = shared_plan("management", out).named("organization-organization").inputs
    assert inputs["enabledPolicyTypes"] == ["AISERVICES_OPT_OUT_POLICY", "SERVICE_CONTROL_POLICY"]
    org["extra_policy_types"] = []
    (out / "landing-zone.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    assert shared_plan("management", out).named("organization-organization").inputs["enabledPolicyTypes"] == ["AISERVICES_OPT_OUT_POLICY"]


@pytest.mark.integration
def test_the_written_config_names_the_tree_accounts_and_policies_by_friendly_keys(organisation, adopted):
    out, _ = adopted
    data = yaml.safe_load((out / "landing-zone.yaml").read_text())
    org = data["organization"]
    assert org["existing_organization_id"] == organisation.id and org["existing_root_id"] == organisation.root
    assert org["unmanaged_accounts"] == 1  # the sandbox at the root still counts against the quota
    assert {k: (v["name"], v.get("parent"), v.get("existing_id")) for k, v in org["organizational_units"].items()} == {
        "security": ("Security", None, organisation.ous["Security"]),
        "workloads": ("Workloads", None, organisation.ous["Workloads"]),
        "dev": ("Dev", "workloads", organisation.ous["Dev"]),
        "prod": ("Prod", "workloads", organisation.ous["Prod"]),
        "suspended": ("Suspended", None, None),
    }
    assert data["security"]["audit"] == {"name": "Audit", "email": "audit@acme-corp.co.jp", "existing_account_id": organisation.accounts["Audit"]}
    assert data["environments"] == {"dev": {"ou": "dev"}, "prod": {"ou": "prod"}}
    assert data["applications"]["shop"]["environments"] == ["dev", "prod"]
    assert data["applications"]["shop"]["accounts"]["prod"]["existing_account_id"] == organisation.accounts["shop-prod"]
    assert data["applications"]["shop"]["accounts"]["prod"]["email"] == "Shop-Prod@Acme-Corp.CO.JP"
    policies = data["guardrails"]["adopted_policies"]
    assert policies["deny-leaving"] == {
        "existing_id": organisation.scp,
        "type": "SERVICE_CONTROL_POLICY",
        "name": "Deny leaving",
        "description": "No account leaves",
        "content": "policies/deny-leaving.json",
        "targets": ["prod", "root"],
        "existing_targets": ["prod", "root"],
    }
    assert (out / "policies/deny-leaving.json").read_text() == DENY_LEAVE
    assert policies["ai-opt-out"]["targets"] == ["root"] and "description" not in policies["ai-opt-out"]


@pytest.mark.integration
def test_the_report_lists_what_is_left_alone_created_and_what_aws_must_change_first(organisation, adopted):
    out, stdout = adopted
    report = (out / "adopt-report.md").read_text()
    assert f"- account Sandbox ({organisation.sandbox}): it sits at the root; the config places every member account in an OU" in report
    assert f"attachment of Deny leaving ({organisation.scp}) to {organisation.sandbox}" in report
    assert "- SERVICE_CONTROL_POLICY FullAWSAccess (p-FullAWSAccess): AWS manages it" in report
    # The OUs and accounts lack the program's tags; the import would fail without them.
    assert f"`aws organizations tag-resource --resource-id {organisation.ous['Dev']} --tags Key=managed-by,Value=landing-zone Key=ou,Value=dev`" in report
    assert "aws organizations enable-aws-service-access --service-principal sso.amazonaws.com" in report
    # The adopted policies' types stay enabled and the program adds none: nothing asks to change them.
    assert "policy types:" not in report and "a bug of adopt" not in report
    assert "| aws:organizations/organizationalUnit:OrganizationalUnit | 1 |" in report  # the Suspended OU the config needs
    assert stdout.startswith(f"wrote {out}/landing-zone.yaml and {out}/adopt-report.md: the plan imports 35 existing resources")
    # Which accounts became application environments is a choice the reader confirms (a network account is no application).
    dev = organisation.accounts["shop-dev"]
    assert f"- OU `dev` became an environment and its accounts application environments: shop-dev ({dev}) as `shop.dev`. Each gets" in report


@pytest.mark.integration
def test_the_config_service_role_is_recorded_only_where_adopt_read_it(organisation, adopted):
    out, _ = adopted
    data = yaml.safe_load((out / "landing-zone.yaml").read_text())
    accounts = {**data["applications"]["shop"]["accounts"], **{k: data["security"][k] for k in ("audit", "log")}}
    assert {k for k, a in accounts.items() if a.get("existing_config_service_role")} == {"prod"}
    # Its provider's default tags would diff on import, which then fails: the report gives the IAM commands.
    report = (out / "adopt-report.md").read_text()
    where = f"--role-name AWSServiceRoleForConfig --profile <a profile in {organisation.accounts['shop-prod']}>"
    assert (
        "| config-recording-shop-prod-service-role | tags: the program sets app=shop, env=prod, managed-by=landing-zone | "
        f"`aws iam tag-role {where} --tags Key=app,Value=shop Key=env,Value=prod Key=managed-by,Value=landing-zone` |"
    ) in report
    assert (
        "| config-recording-shop-prod-service-role | tags: it has cost-centre, which the program does not set | "
        f"`aws iam untag-role {where} --tag-keys cost-centre (the config has no field for them)` |"
    ) in report
    assert (
        f'| config-recording-shop-prod-service-role | description: it has "Config\'s role", which the program does not set | '
        f"`aws iam update-role {where} --description ''` |"
    ) in report


@pytest.mark.integration
def test_a_member_account_adopt_cannot_enter_is_listed_and_its_role_not_recorded(organisation, tmp_path, capsys):
    sts, stubber = stubbed("sts")
    stubber.add_response("get_caller_identity", {"Account": MANAGEMENT, "Arn": f"arn:aws:iam::{MANAGEMENT}:role/admin", "UserId": "AIDAX"}, {})
    for _ in range(4):  # audit, log, shop-dev and shop-prod; not the sandbox at the root, which adopt leaves alone
        stubber.add_client_error("assume_role", "AccessDenied", "not allowed", 403)
    code, _, stderr = run(capsys, organisation, tmp_path / "x", mgmt=FakeSession(organisation.session, controltower=no_landing_zone(), sts=sts))
    assert (code, stderr) == (4, "")
    stubber.assert_no_pending_responses()
    data = yaml.safe_load((tmp_path / "x" / "landing-zone.yaml").read_text())
    assert "existing_config_service_role" not in data["applications"]["shop"]["accounts"]["prod"]
    report = (tmp_path / "x" / "adopt-report.md").read_text()
    assert (
        f"- sts:AssumeRole (OrganizationAccountAccessRole in {organisation.accounts['shop-prod']}): AccessDenied, so AWSServiceRoleForConfig "
        "was not read there (the plan creates it; `lzctl doctor` checks it)"
    ) in report


@pytest.mark.integration
def test_permission_set_tags_are_compared_and_boundaries_left_alone(organisation, adopted):
    out, _ = adopted
    report = (out / "adopt-report.md").read_text()
    where = f"--instance-arn {organisation.instance} --resource-arn"
    # AdministratorAccess has managed-by already and a tag the program does not set; DeveloperAccess has none.
    assert f"`aws sso-admin untag-resource {where} {organisation.sets['AdministratorAccess']} --tag-keys team (the config has no field for them)`" in report
    assert f"aws sso-admin tag-resource {where} {organisation.sets['AdministratorAccess']}" not in report
    assert f"`aws sso-admin tag-resource {where} {organisation.sets['DeveloperAccess']} --tags Key=managed-by,Value=landing-zone`" in report
    assert "not read" not in report
    assert "- permissions boundary /workload-boundary of permission set DeveloperAccess: the config has no field for it" in report


@pytest.mark.integration
def test_delegated_administrators_are_compared_with_the_delegations_the_plan_creates(organisation, adopted):
    out, _ = adopted
    report = (out / "adopt-report.md").read_text()
    audit, dev = organisation.accounts["Audit"], organisation.accounts["shop-dev"]
    assert (
        f"| security-admin-ap-northeast-1-guardduty | delegated administrator of guardduty.amazonaws.com: the plan creates Audit ({audit}), "
        "which already is one (Organizations' RegisterDelegatedAdministrator refuses that with AccountAlreadyRegisteredException; whether the "
        "service's own enable call refuses it too is not verified offline) | "
        f"import it before `pulumi up`: `pulumi import aws:guardduty/organizationAdminAccount:OrganizationAdminAccount security-admin-ap-northeast-1-guardduty {audit} "
        "--parent 'parent=urn:pulumi:management::landing-zone::pulumi:pulumi:Stack$landingzone:security_delegation:SecurityDelegation::security-admin' "
        "--provider 'provider=urn:pulumi:management::landing-zone::pulumi:pulumi:Stack$pulumi:providers:aws::management'`, only if "
        f"`aws guardduty list-organization-admin-accounts --region ap-northeast-1` lists {audit}; where it does not, the create is what the region needs |"
    ) in report
    assert (
        f"| security-admin-access-analyzer | delegated administrator of access-analyzer.amazonaws.com: shop-dev ({dev}) already is one, and the plan "
        f"creates Audit ({audit}) beside it: where the service takes one delegated administrator per organisation the create fails"
    ) in report
    assert f"--account-id {dev} --service-principal access-analyzer.amazonaws.com" in report
    assert f"| delegated administrator of ssm.amazonaws.com | Audit ({audit}): the program does not manage this delegation, it stays as it is |" in report
    # The one the plan imports and those nothing delegates yet (config, Security Hub, ...) are not in the section.
    assert "delegated administrator of securityhub.amazonaws.com" not in report
    assert "delegated administrator of config-multiaccountsetup.amazonaws.com" not in report
    data = yaml.safe_load((out / "landing-zone.yaml").read_text())
    assert data["security_services"] == {"existing_delegations": ["config-multiaccountsetup.amazonaws.com"]}


@pytest.mark.integration
def test_identity_center_is_adopted_as_people_groups_permission_sets_and_scoped_assignments(organisation, adopted):
    out, _ = adopted
    center = yaml.safe_load((out / "landing-zone.yaml").read_text())["identity_center"]
    assert (center["existing_instance_arn"], center["existing_identity_store_id"]) == (organisation.instance, organisation.store)
    assert center["people"]["taro"] == {
        "given_name": "Taro",
        "family_name": "Suzuki",
        "email": "taro@acme-corp.co.jp",
        "user_name": "taro",
        "existing_id": organisation.users["taro"],
    }
    assert "user_name" not in center["people"]["hanako"]  # her user name is her e-mail, the default
    admins = center["groups"]["platform-admins"]
    assert (admins["display_name"], admins["members"], admins["existing_id"]) == ("Platform Admins", ["hanako", "taro"], organisation.admins)
    assert center["permission_sets"]["DeveloperAccess"]["inline_policy"] == "permission-sets/DeveloperAccess.json"
    assert (out / "permission-sets/DeveloperAccess.json").read_text() == INLINE
    assert center["assignments"] == [
        {"group": "platform-admins", "permission_sets": {"management": "AdministratorAccess", "security": "AdministratorAccess"}},
        {"group": "platform-admins", "applications": ["shop"], "permission_sets": {"dev": "AdministratorAccess", "prod": "AdministratorAccess"}},
        {"group": "shop-developers", "applications": ["shop"], "permission_sets": {"dev": "DeveloperAccess"}},
    ]
    report = (out / "adopt-report.md").read_text()
    accounts = organisation.accounts
    assert f"- permission set Billing ({organisation.billing}): it has no description, which the config requires" in report
    assert f"- assignment of DeveloperAccess to user taro on {accounts['shop-prod']}: the config assigns permission sets to groups" in report
    assert "- assignment of DeveloperAccess to group shop-developers on the audit account alone: the config's `security` scope covers both" in report
    # What the program cannot set on a user is named with its fix (the import would fail on it).
    taro, store = organisation.users["taro"], organisation.store
    for path, value in (("title", "Engineer"), ("name.formatted", "Mr Taro Suzuki")):
        assert (
            f"| {path}: AWS has '{value}', which the config cannot set | decide: clear {path} of user taro in Identity Center "
            f"(`aws identitystore update-user --identity-store-id {store} --user-id {taro} --operations AttributePath={path}`), or keep the user out of the program |"
        ) in report
    assert report.count("which the config cannot set") == 2
    # The inline policy is the same JSON, minified by the loader: said, not hidden.
    assert "inline policy: the same JSON as in AWS, minified by the config loader" in report


@pytest.mark.integration
def test_what_adopt_read_is_recorded_so_a_day_two_addition_is_created_not_imported(organisation, adopted):
    out, _ = adopted
    data = yaml.safe_load((out / "landing-zone.yaml").read_text())
    center = data["identity_center"]
    developer = center["permission_sets"]["DeveloperAccess"]
    assert (developer["existing_managed_policies"], developer["existing_inline_policy"]) == (["ReadOnlyAccess", "SecurityAudit"], True)
    assert center["groups"]["shop-developers"]["existing_assignments"] == {"shop-dev": ["DeveloperAccess"]}  # not the lone audit one
    assert center["groups"]["platform-admins"]["existing_assignments"] == {
        key: ["AdministratorAccess"] for key in ("audit", "log", "management", "shop-dev", "shop-prod")
    }
    # Day two: a managed policy, an inline policy, an assignment and a policy target, all new.
    developer["managed_policies"].append("AWSSupportAccess")
    center["permission_sets"]["AdministratorAccess"]["inline_policy"] = "permission-sets/DeveloperAccess.json"
    center["assignments"][2]["permission_sets"]["prod"] = "DeveloperAccess"
    data["guardrails"]["adopted_policies"]["deny-leaving"]["targets"].append("dev")
    (out / "landing-zone.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    plan = shared_plan("management", out)
    added = (
        "sso-DeveloperAccess-AWSSupportAccess-attachment",
        "sso-AdministratorAccess-inline-policy",
        "sso-shop-developers-shop-prod-DeveloperAccess-assignment",
        "guardrails-deny-leaving-dev-adopted-attachment",
    )
    assert [(plan.named(n).op, plan.named(n).import_id) for n in added] == [("create", "")] * 4
    assert plan.named("guardrails-deny-leaving-dev-adopted-attachment").protect is False
    assert {(r.type, r.import_id) for r in plan.resources if r.import_id} == organisation.imports()


@pytest.mark.integration
@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda d: d["identity_center"]["permission_sets"]["DeveloperAccess"]["managed_policies"].remove("SecurityAudit"),
            "identity_center.permission_sets.DeveloperAccess.existing_managed_policies[1]: an existing attachment of a policy not among managed_policies",
        ),
        (
            lambda d: d["identity_center"]["permission_sets"]["DeveloperAccess"].pop("inline_policy"),
            "identity_center.permission_sets.DeveloperAccess.existing_inline_policy: an existing inline policy the config does not name",
        ),
        (
            lambda d: d["identity_center"]["assignments"].pop(2),
            "identity_center.groups.shop-developers.existing_assignments.shop-dev: an existing assignment identity_center.assignments does not make",
        ),
        (
            lambda d: d["guardrails"]["adopted_policies"]["deny-leaving"]["targets"].remove("prod"),
            "guardrails.adopted_policies.deny-leaving.existing_targets[0]: an existing attachment to a target not among targets",
        ),
    ],
)
def test_a_recorded_existing_piece_the_config_no_longer_holds_is_refused(adopted, edit, message):
    out, _ = adopted
    data = yaml.safe_load((out / "landing-zone.yaml").read_text())
    edit(data)
    (out / "landing-zone.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ConfigError) as caught:
        shared_plan("management", out)
    assert message in str(caught.value)


ZONE_ARN = f"arn:aws:controltower:{HOME}:{MANAGEMENT}:landingzone/1A2B3C4D5E6F7G8H"
CT_BASELINE = f"arn:aws:controltower:{HOME}::baseline/17BSJV3IGJ2QSGA2"
OTHER_BASELINE = f"arn:aws:controltower:{HOME}::baseline/LN25R72TTG6IGPTQ"  # any baseline but AWSControlTowerBaseline
MANDATORY = "arn:aws:controlcatalog:::control/k4izcjxhukijhajp6ks5mjxk"  # not in the catalogue: adopt leaves it alone
MANAGED = {"managed-by": "landing-zone"}


def zone_manifest(organisation) -> dict:
    """A landing zone 4.0 manifest as GetLandingZone returns it: keys in AWS's order, not the program's, and a
    retention as a string (the provider normalises both, landing_zone.go)."""
    retention = {"accessLoggingBucket": {"retentionDays": 3650}, "loggingBucket": {"retentionDays": "730"}}
    audit, log = organisation.accounts["Audit"], organisation.accounts["Log Archive"]
    return {
        "accessManagement": {"enabled": False},
        "backup": {"enabled": False},
        "centralizedLogging": {"configurations": retention, "enabled": True, "accountId": log},
        "config": {"accountId": audit, "configurations": retention, "enabled": True},
        "governedRegions": [HOME, "us-east-1"],
        "securityRoles": {"enabled": True, "accountId": audit},
    }


def prerequisite_roles(organisation) -> set[tuple[str, str]]:
    """Control Tower's prerequisite roles in moto's IAM as the API walkthrough makes them (the program's own definitions),
    but for the stackset role, which is missing, and one more inline policy adopt leaves alone; their import ids."""
    iam = organisation.session.client("iam")
    imports = set()
    for spec in PREREQUISITE_ROLES:
        if spec.key == "stackset":
            continue
        name = spec.role.name
        iam.create_role(
            RoleName=name, Path=spec.role.path, AssumeRolePolicyDocument=json.dumps(spec.trust_policy), Tags=[{"Key": "managed-by", "Value": "landing-zone"}]
        )
        imports.add(("aws:iam/role:Role", name))
        for arn in spec.managed_policies:
            try:
                iam.attach_role_policy(RoleName=name, PolicyArn=arn)
            except iam.exceptions.NoSuchEntityException:
                continue  # moto does not know every AWS managed policy: then the plan attaches it (a create)
            imports.add(("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{name}/{arn}"))
        for policy, document in spec.inline_policies.items():
            iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document, indent=2))
            imports.add(("aws:iam/rolePolicy:RolePolicy", f"{name}:{policy}"))
    iam.put_role_policy(RoleName="AWSControlTowerAdmin", PolicyName="Extra", PolicyDocument=DENY_LEAVE)
    return imports


class ControlTowerStub:
    """Control Tower's answers (botocore's controltower model shapes) for the fixture organisation, in the order adopt asks."""

    def __init__(self, organisation, version="4.0", status="ACTIVE", drift="IN_SYNC", manifest=None, remediation=("INHERITANCE_DRIFT",), roles=True):
        self.api, self.stubber = stubbed("controltower")
        org = organisation.session.client("organizations")
        self.ou_arns = {
            u["Name"]: u["Arn"]
            for parent in (organisation.root, organisation.ous["Workloads"])
            for u in org.list_organizational_units_for_parent(ParentId=parent)["OrganizationalUnits"]
        }
        self.role_imports = prerequisite_roles(organisation) if roles else set()
        add = self.stubber.add_response
        add("list_landing_zones", {"landingZones": [{"arn": ZONE_ARN}]}, {})
        zone = {
            "version": version,
            "arn": ZONE_ARN,
            "status": status,
            "latestAvailableVersion": "4.0",
            "driftStatus": {"status": drift},
            **({"remediationTypes": list(remediation)} if remediation else {}),  # the model's list takes at least one
            "manifest": zone_manifest(organisation) if manifest is None else manifest,
        }
        add("get_landing_zone", {"landingZone": zone}, {"landingZoneIdentifier": ZONE_ARN})
        add("list_tags_for_resource", {"tags": MANAGED}, {"resourceArn": ZONE_ARN})
        self.baselines = {
            name: f"arn:aws:controltower:{HOME}:{MANAGEMENT}:enabledbaseline/XALULM96QHI525U{n}" for n, name in enumerate(("Workloads", "Dev", "Prod"))
        }
        listed = [(arn, CT_BASELINE, self.ou_arns[name]) for name, arn in self.baselines.items()]
        listed.append(
            (
                f"arn:aws:controltower:{HOME}:{MANAGEMENT}:enabledbaseline/XALULM96QHI525UX",
                OTHER_BASELINE,
                f"arn:aws:organizations::{MANAGEMENT}:account/{organisation.id}/{MANAGEMENT}",
            )
        )
        summaries = [
            {"arn": arn, "baselineIdentifier": baseline, "baselineVersion": "5.0", "targetIdentifier": target, "statusSummary": {"status": "SUCCEEDED"}}
            for arn, baseline, target in listed
        ]
        add("list_enabled_baselines", {"enabledBaselines": summaries}, {})
        for summary in summaries:
            add("get_enabled_baseline", {"enabledBaselineDetails": {**summary, "parameters": []}}, {"enabledBaselineIdentifier": summary["arn"]})
            add("list_tags_for_resource", {"tags": MANAGED}, {"resourceArn": summary["arn"]})
        self.controls = {
            "Prod": [control_arn("AWS-GR_RESTRICT_ROOT_USER"), MANDATORY, f"arn:aws:controltower:{HOME}::control/AWS-GR_RESTRICTED_SSH"],
            "Dev": [control_arn("AWS-GR_ROOT_ACCOUNT_MFA_ENABLED")],
        }
        # Security, Workloads, then Dev and Prod under it: the order adopt reads the tree in.
        for name in ("Security", "Workloads", "Dev", "Prod"):
            target = self.ou_arns[name]
            enabled = [
                {"arn": f"arn:aws:controltower:{HOME}:{MANAGEMENT}:enabledcontrol/{name.upper()}{n}", "controlIdentifier": control, "targetIdentifier": target}
                for n, control in enumerate(self.controls.get(name, []))
            ]
            add("list_enabled_controls", {"enabledControls": enabled}, {"targetIdentifier": target})
            for control in enabled:
                details = {**control, "statusSummary": {"status": "SUCCEEDED"}, "driftStatusSummary": {"driftStatus": "IN_SYNC"}, "parameters": []}
                add("get_enabled_control", {"enabledControlDetails": details}, {"enabledControlIdentifier": control["arn"]})
                add("list_tags_for_resource", {"tags": MANAGED}, {"resourceArn": control["arn"]})

    def imports(self) -> set[tuple[str, str]]:
        """What the plan must import: the landing zone, the three OU baselines, the two catalogue controls enabled by their global ARN."""
        return {
            *self.role_imports,
            ("aws:controltower/landingZone:LandingZone", "1A2B3C4D5E6F7G8H"),
            *(("aws:controltower/baseline:Baseline", arn) for arn in self.baselines.values()),
            ("aws:controltower/controlTowerControl:ControlTowerControl", f"{self.ou_arns['Prod']},{control_arn('AWS-GR_RESTRICT_ROOT_USER')}"),
            ("aws:controltower/controlTowerControl:ControlTowerControl", f"{self.ou_arns['Dev']},{control_arn('AWS-GR_ROOT_ACCOUNT_MFA_ENABLED')}"),
        }


CONTROL_TOWER_TYPES = (
    "aws:controltower/landingZone:LandingZone",
    "aws:controltower/baseline:Baseline",
    "aws:controltower/controlTowerControl:ControlTowerControl",
)


@pytest.mark.integration
def test_a_landing_zone_its_baselines_and_controls_round_trip_to_imports_only(organisation, tmp_path, capsys):
    stub = ControlTowerStub(organisation)
    code, out, err = run(capsys, organisation, tmp_path / "ct", mgmt=FakeSession(organisation.session, controltower=stub.api))
    stub.stubber.assert_no_pending_responses()
    assert (code, err) == (0, ""), err
    assert "UpdateLandingZone" not in out
    data = yaml.safe_load((tmp_path / "ct/landing-zone.yaml").read_text())
    assert data["guardrails"]["control_tower"] == {
        "enabled": True,
        "logging_retention_days": 730,
        "access_logging_retention_days": 3650,
        "config_account": "audit",
        "registered_ous": ["workloads", "dev", "prod"],
        "existing_landing_zone_id": "1A2B3C4D5E6F7G8H",
        "existing_baselines": {"workloads": stub.baselines["Workloads"], "dev": stub.baselines["Dev"], "prod": stub.baselines["Prod"]},
        "existing_controls": {"prod": ["AWS-GR_RESTRICT_ROOT_USER"], "dev": ["AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"]},
        # The policies moto could attach (it lacks some AWS managed ones) and the inline ones, stackset's role missing.
        "existing_roles": {"admin": ["AWSControlTowerAdminPolicy"], "cloudtrail": [], "config-aggregator": []},
    }
    assert data["guardrails"]["controls"] == {"prod": ["AWS-GR_RESTRICT_ROOT_USER"], "dev": ["AWS-GR_ROOT_ACCOUNT_MFA_ENABLED"]}
    assert data["organization"]["governed_regions"] == [HOME, "us-east-1"]

    plan = shared_plan("management", tmp_path / "ct")
    imported = {(r.type, r.import_id) for r in plan.resources if r.import_id}
    assert imported == organisation.imports(control_tower=True) | stub.imports()
    assert [r.name for r in plan.resources if r.type in CONTROL_TOWER_TYPES and not r.import_id] == []
    assert plan.named("control-tower-landing-zone").protect is True
    assert evaluate(plan_views(plan)) == []
    report = (tmp_path / "ct/adopt-report.md").read_text()
    # The program's manifest is AWS's (key order and the string retention aside), version, remediation and tags too.
    ct_rows = [line for line in report.splitlines() if line.startswith("| control-tower-")]
    assert ct_rows == []
    assert f"control {MANDATORY} on {stub.ou_arns['Prod']}: not in the program's catalogue" in report
    assert "enabled by its regional ARN; the program names AWS-GR_RESTRICTED_SSH by its global ARN" in report
    assert f"enabled baseline {OTHER_BASELINE} on arn:aws:organizations::{MANAGEMENT}:account/" in report
    assert f"Landing zone {ZONE_ARN}: version 4.0 (latest available 4.0), status ACTIVE, drift IN_SYNC." in report
    assert "- inline policy Extra of role AWSControlTowerAdmin: the program does not define it; it stays" in report
    # The missing role is created, with its policy; no other prerequisite piece is.
    made = [r.name for r in plan.resources if r.parent.endswith("ControlTowerRoles::control-tower") and r.op == "create"]
    assert sorted(made) == [
        "control-tower-admin-AWSControlTowerServiceRolePolicy-attachment",
        "control-tower-cloudtrail-AWSControlTowerCloudTrailRolePolicy-attachment",
        "control-tower-config-aggregator-AWSConfigRoleForOrganizations-attachment",
        "control-tower-stackset-AWSControlTowerStackSetRolePolicy",
        "control-tower-stackset-role",
    ]


@pytest.mark.integration
def test_drift_an_older_version_and_a_running_operation_are_reported_and_the_config_still_written(organisation, tmp_path, capsys):
    manifest = {**zone_manifest(organisation), "organizationStructure": {"security": {"name": "Security"}}}
    manifest["accessManagement"] = {"enabled": True}
    stub = ControlTowerStub(organisation, version="3.3", status="PROCESSING", drift="DRIFTED", manifest=manifest, remediation=())
    code, out, err = run(capsys, organisation, tmp_path / "ct", mgmt=FakeSession(organisation.session, controltower=stub.api))
    assert (code, err) == (0, ""), err
    assert out.endswith(
        " The first `pulumi up` would update Control Tower's landing zone (UpdateLandingZone, about an hour, every baseline "
        "re-applied): settle its differences first (adopt-report.md).\n"
    )
    plan = shared_plan("management", tmp_path / "ct")
    assert plan.named("control-tower-landing-zone").import_id == "1A2B3C4D5E6F7G8H"
    report = (tmp_path / "ct/adopt-report.md").read_text()
    rows = [line for line in report.splitlines() if line.startswith("| control-tower-landing-zone |")]
    assert [row.split(" | ")[1] for row in rows] == [
        "landing zone status PROCESSING: not ACTIVE",
        "landing zone drift DRIFTED",
        "version: the program sets 4.0, AWS has 3.3; the import would be followed by UpdateLandingZone, an upgrade",
        "manifest accessManagement.enabled: the program sets false, AWS has true",
        'manifest organizationStructure.security.name: the program sets null, AWS has "Security"',
        "remediation types: the program sets ['INHERITANCE_DRIFT'], AWS has []",
    ]


@pytest.mark.integration
@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda ct, d: ct["registered_ous"].remove("dev"),
            "guardrails.control_tower.existing_baselines.dev: an existing baseline on an OU the config does not register",
        ),
        (
            lambda ct, d: d["guardrails"]["controls"].pop("prod"),
            "guardrails.control_tower.existing_controls.prod[0]: an existing control guardrails.controls does not enable",
        ),
        (
            lambda ct, d: ct["registered_ous"].append("security"),
            "guardrails.control_tower.registered_ous[3]: the Security and suspended OUs are never registered",
        ),
    ],
)
def test_a_recorded_control_tower_piece_the_config_no_longer_holds_is_refused(organisation, tmp_path, capsys, edit, message):
    stub = ControlTowerStub(organisation)
    assert run(capsys, organisation, tmp_path / "ct", mgmt=FakeSession(organisation.session, controltower=stub.api))[0] == 0
    data = yaml.safe_load((tmp_path / "ct/landing-zone.yaml").read_text())
    edit(data["guardrails"]["control_tower"], data)
    (tmp_path / "ct/landing-zone.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(ConfigError) as caught:
        shared_plan("management", tmp_path / "ct")
    assert message in str(caught.value)


@pytest.mark.integration
def test_a_landing_zone_adopt_may_not_read_is_named_with_a_warning_and_exit_4(organisation, tmp_path, capsys):
    api, stubber = stubbed("controltower")
    stubber.add_response("list_landing_zones", {"landingZones": [{"arn": ZONE_ARN}]}, {})
    stubber.add_client_error("get_landing_zone", "AccessDeniedException", "not allowed")
    code, out, err = run(capsys, organisation, tmp_path / "denied", mgmt=FakeSession(organisation.session, controltower=api))
    assert (code, err) == (4, "")
    assert "Control Tower's landing zone exists and AWS denied reading it: do not `pulumi up` this config (adopt-report.md)." in out
    report = (tmp_path / "denied/adopt-report.md").read_text()
    assert f"A landing zone exists ({ZONE_ARN}), and AWS denied reading it: the config cannot adopt it" in report
    assert yaml.safe_load((tmp_path / "denied/landing-zone.yaml").read_text())["guardrails"]["control_tower"] == {"enabled": True}


@pytest.mark.integration
def test_a_landing_zone_in_another_home_region_is_refused_with_exit_2_and_nothing_written(organisation, tmp_path, capsys):
    elsewhere = ZONE_ARN.replace(f":{HOME}:", ":eu-west-1:")
    api, stubber = stubbed("controltower")
    stubber.add_response("list_landing_zones", {"landingZones": [{"arn": elsewhere}]}, {})
    stubber.add_client_error("get_landing_zone", "AccessDeniedException", "not allowed")
    code, out, err = run(capsys, organisation, tmp_path / "elsewhere", mgmt=FakeSession(organisation.session, controltower=api))
    assert (code, out) == (2, "")
    assert err == (
        f"adopt: --home-region {HOME}: Control Tower's landing zone {elsewhere} has its home region in eu-west-1, and the config's home "
        "region must be it. Nothing was written. Fix: pass --home-region eu-west-1.\n"
    )
    assert not (tmp_path / "elsewhere").exists() or list((tmp_path / "elsewhere").iterdir()) == []


@pytest.mark.integration
def test_a_denied_read_that_adopt_can_do_without_writes_the_config_lists_it_and_exits_4(organisation, tmp_path, capsys):
    api, stubber = stubbed("controltower")
    stubber.add_client_error("list_landing_zones", "AccessDeniedException", "not allowed")
    code, out, err = run(capsys, organisation, tmp_path / "denied", mgmt=FakeSession(organisation.session, controltower=api))
    assert (code, err) == (4, "")
    assert out.endswith("; AWS denied 1 reads.\n")
    report = (tmp_path / "denied/adopt-report.md").read_text()
    assert "## Not read (AWS denied it)" in report and "- controltower:ListLandingZones: AccessDeniedException" in report


@pytest.mark.integration
def test_an_out_folder_holding_a_config_is_refused_with_exit_2(organisation, tmp_path, capsys):
    (tmp_path / "landing-zone.yaml").write_text("version: 1\n")
    code, out, err = run(capsys, organisation, tmp_path)
    assert (code, out) == (2, "")
    assert err == f"adopt: --out {tmp_path}: it holds a landing-zone.yaml already, which adopt would overwrite. Fix: pass a new or empty folder.\n"


@pytest.mark.integration
@pytest.mark.parametrize(
    "argv, message",
    [
        (["--management-profile", "nobody"], "adopt: AWS profile 'nobody' is not configured"),
        (["--home-region", "ap-northeast-9"], "adopt: --home-region ap-northeast-9: not an AWS region (config/regions.py)."),
    ],
)
def test_bad_input_exits_2_with_one_paragraph_and_nothing_written(organisation, tmp_path, capsys, argv, message):
    out_dir = tmp_path / "x"
    base = ["adopt", "--management-profile", "mgmt", "--out", str(out_dir), "--home-region", HOME]
    flag, value = argv
    base[base.index(flag) + 1] = value
    code = adopt.main(base, sessions=Sessions(mgmt=FakeSession(organisation.session, controltower=no_landing_zone())))
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1
    assert not out_dir.exists()


@pytest.mark.integration
def test_a_member_account_profile_is_refused_with_exit_2(organisation, tmp_path, capsys):
    member = organisation.accounts["shop-dev"]
    code, out, err = run(capsys, organisation, tmp_path / "x", mgmt=FakeSession(moto_session(member)))
    assert (code, out) == (2, "")
    assert f"adopt: profile 'mgmt': account {member} is a member of organisation {organisation.id}, whose management account is {MANAGEMENT}." in err
    assert not (tmp_path / "x").exists()


@pytest.mark.integration
def test_a_denied_organisation_read_exits_4_and_writes_nothing(organisation, tmp_path, capsys):
    api, stubber = stubbed("organizations")
    stubber.add_client_error("describe_organization", "AccessDeniedException", "not allowed")
    code, out, err = run(capsys, organisation, tmp_path / "x", mgmt=FakeSession(organisation.session, organizations=api))
    assert (code, out) == (4, "")
    assert err.startswith("adopt: AWS denied DescribeOrganization (AccessDeniedException): not allowed.") and err.endswith("Nothing was written.\n")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Log Archive", "log-archive"),
        ("Shop_Prod  (old)", "shop-prod-old"),
        ("123 Corp", "x-123-corp"),
        ("日本", "fallback"),
        ("A" * 40, "a" * 32),
        ("a" * 31 + " b", "a" * 31),  # cut at the limit, no dangling dash
    ],
)
def test_keys_come_from_aws_names(name, expected):
    assert mapping.slug(name, "fallback") == expected


def test_a_clash_gets_a_numeric_suffix_within_the_key_length():
    keys = mapping.Keys(["root"])
    assert [keys.claim(k) for k in ("root", "dev", "dev", "a" * 32, "a" * 32)] == ["root-2", "dev", "dev-2", "a" * 32, "a" * 30 + "-2"]


@pytest.mark.parametrize(
    "account, environment, ou, expected",
    [
        ("shop-dev", "dev", "Dev", "shop"),
        ("Shop Production", "prod", "Production", "shop"),
        ("booking", "stg", "Staging", "booking"),
        ("dev", "dev", "Dev", "dev"),  # nothing would be left: the whole name
        ("prod-2024", "prod", "Prod", "prod-2024"),  # what is left starts with a digit: the whole name
    ],
)
def test_an_application_key_is_the_account_name_without_its_environment(account, environment, ou, expected):
    assert mapping.application_key(account, environment, ou) == expected


def test_users_and_groups_an_idp_provisions_are_left_alone_with_their_issuer():
    scim = [{"Issuer": "https://scim.example.okta.com", "Id": "00u1"}]
    center = IdentityCenter(
        "arn:aws:sso:::instance/ssoins-1234567890abcdef",
        "d-1234567890",
        users=[
            User("u-1", "ann@corp.example", "Ann Lee", "Ann", "Lee", [{"Value": "ann@corp.example", "Primary": True}], external_ids=scim),
            User("u-2", "bo@corp.example", "Bo Kim", "Bo", "Kim", [{"Value": "bo@corp.example", "Primary": True}]),
        ],
        groups=[Group("g-1", "Okta Admins", "", {"u-2": "m-1"}, scim), Group("g-2", "Ops", "", {"u-1": "m-2", "u-2": "m-3"})],
    )
    done = mapping.Adoption(config={}, files={})
    section = mapping.adopt_identity_center(center, {}, {}, done)
    assert list(section["people"]) == ["bo"] and list(section["groups"]) == ["ops"]
    owned = "owned by your IdP (ExternalIds from https://scim.example.okta.com): it is provisioned by SCIM, and managing it here too would fight the sync"
    assert done.left_alone == [
        ("user ann@corp.example (u-1)", owned),
        ("group Okta Admins (g-1)", f"{owned}; its memberships stay as they are"),
        ("membership of user u-1 in Ops", "the user is not adopted (above)"),
    ]


@pytest.mark.integration
def test_with_control_tower_on_configs_delegation_is_left_out_with_a_note(organisation, tmp_path, capsys, monkeypatch):
    # The landing zone registers AWS Config's administrator itself and the program creates no such delegation:
    # config/adoption_checks.py refuses the entry, so adopt does not write it. moto refuses config.amazonaws.com
    # as a principal, so the read answers it on top of what moto lists.
    listed = read._Reader.delegations
    monkeypatch.setattr(read._Reader, "delegations", lambda self: [*listed(self), read.Delegation(organisation.accounts["Audit"], "config.amazonaws.com")])
    stub = ControlTowerStub(organisation)
    code, _, err = run(capsys, organisation, tmp_path / "ct", mgmt=FakeSession(organisation.session, controltower=stub.api))
    assert (code, err) == (0, ""), err
    data = yaml.safe_load((tmp_path / "ct/landing-zone.yaml").read_text())
    assert data["security_services"] == {"existing_delegations": ["config-multiaccountsetup.amazonaws.com"]}
    report = (tmp_path / "ct/adopt-report.md").read_text()
    assert (
        "- security_services.existing_delegations leaves out config.amazonaws.com: with Control Tower on the program creates no delegation "
        "of AWS Config (the landing zone registers it itself), so there is nothing to import; the delegation stays as it is\n"
    ) in report
    assert (
        f"| delegated administrator of config.amazonaws.com | Audit ({organisation.accounts['Audit']}): the program does not manage this delegation" in report
    )
