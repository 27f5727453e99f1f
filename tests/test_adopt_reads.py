"""adopt's Identity Center and delegation reads against botocore's Stubber: the exact calls, where moto lacks the API."""

from __future__ import annotations

import pytest
from moto import mock_aws

import config
from lzctl.adopt import clients, member_reads, read
from lzctl.adopt.read import Delegation, PermissionSet
from lzctl.doctor.aws import Calls, ReadOnlySession, credentials_session
from tests.helpers import HOME, FakeSession, example_data, moto_session, shared_plan, stubbed, write_config

INSTANCE = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
STORE = "d-1234567890"
SETS = {name: f"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-{n:016x}" for n, name in enumerate(("Admin", "Dev"), 1)}
ACCOUNTS = ["111111111111", "222222222222", "333333333333"]


def _stub_set(sso, name: str, provisioned: list[str], boundary=None, tags=None, tags_denied=False) -> None:
    arn, both = SETS[name], {"InstanceArn": INSTANCE, "PermissionSetArn": SETS[name]}
    sso.add_response("describe_permission_set", {"PermissionSet": {"Name": name, "PermissionSetArn": arn, "Description": name}}, both)
    sso.add_response("list_managed_policies_in_permission_set", {"AttachedManagedPolicies": []}, both)
    sso.add_response("get_inline_policy_for_permission_set", {}, both)
    sso.add_response("list_customer_managed_policy_references_in_permission_set", {"CustomerManagedPolicyReferences": []}, both)
    if boundary is None:
        sso.add_client_error("get_permissions_boundary_for_permission_set", "ResourceNotFoundException", "none", expected_params=both)
    else:
        sso.add_response("get_permissions_boundary_for_permission_set", {"PermissionsBoundary": boundary}, both)
    on = {"InstanceArn": INSTANCE, "ResourceArn": arn}
    if tags_denied:
        sso.add_client_error("list_tags_for_resource", "AccessDeniedException", "no", expected_params=on)
    else:
        sso.add_response("list_tags_for_resource", {"Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()]}, on)
    sso.add_response("list_accounts_for_provisioned_permission_set", {"AccountIds": provisioned}, both)
    for account in sorted(a for a in provisioned if a in ACCOUNTS):
        sso.add_response(
            "list_account_assignments",
            {"AccountAssignments": [{"AccountId": account, "PermissionSetArn": arn, "PrincipalType": "GROUP", "PrincipalId": f"g-{name}"}]},
            {**both, "AccountId": account},
        )


def _reader(**clients):
    return read._Reader(ReadOnlySession(FakeSession(moto_session("123456789012"), **clients), Calls()), HOME)


def test_assignments_are_read_only_in_the_accounts_each_set_is_provisioned_to(aws):
    sso_api, sso = stubbed("sso-admin")
    store_api, store = stubbed("identitystore")
    sso.add_response("list_instances", {"Instances": [{"InstanceArn": INSTANCE, "IdentityStoreId": STORE}]}, {})
    sso.add_response("list_permission_sets", {"PermissionSets": list(SETS.values())}, {"InstanceArn": INSTANCE})
    # Admin is provisioned to two of the organisation's accounts and one it no longer holds; Dev to none.
    _stub_set(sso, "Admin", ["222222222222", "111111111111", "999999999999"], tags={"team": "platform"})
    _stub_set(sso, "Dev", [], boundary={"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"})
    store.add_response("list_users", {"Users": []}, {"IdentityStoreId": STORE})
    store.add_response("list_groups", {"Groups": []}, {"IdentityStoreId": STORE})
    calls: list[str] = []
    sso_api.meta.events.register("before-parameter-build.sso-admin.*", lambda model, **_: calls.append(model.name))
    center = _reader(sso_admin=sso_api, identitystore=store_api).identity_center(ACCOUNTS)
    sso.assert_no_pending_responses()
    store.assert_no_pending_responses()
    # 2 + 7 per set + one ListAccountAssignments per (set, provisioned account the organisation holds): 18,
    # where one per (set, account) would have been 2 x 3 = 6 ListAccountAssignments alone.
    assert len(calls) == 18 and calls.count("ListAccountAssignments") == 2
    assert calls.count("ListAccountsForProvisionedPermissionSet") == 2
    assert [(a.permission_set_arn, a.account_id) for a in center.assignments] == [(SETS["Admin"], "111111111111"), (SETS["Admin"], "222222222222")]
    assert [(p.name, p.boundary, p.tags) for p in center.permission_sets] == [
        ("Admin", "", {"team": "platform"}),
        ("Dev", "arn:aws:iam::aws:policy/PowerUserAccess", {}),
    ]


def test_a_denied_tag_read_is_recorded_and_the_set_still_read(aws):
    sso_api, sso = stubbed("sso-admin")
    store_api, store = stubbed("identitystore")
    sso.add_response("list_instances", {"Instances": [{"InstanceArn": INSTANCE, "IdentityStoreId": STORE}]}, {})
    sso.add_response("list_permission_sets", {"PermissionSets": [SETS["Admin"]]}, {"InstanceArn": INSTANCE})
    _stub_set(sso, "Admin", ["111111111111"], boundary={"CustomerManagedPolicyReference": {"Name": "edge", "Path": "/team/"}}, tags_denied=True)
    store.add_response("list_users", {"Users": []}, {"IdentityStoreId": STORE})
    store.add_response("list_groups", {"Groups": []}, {"IdentityStoreId": STORE})
    reader = _reader(sso_admin=sso_api, identitystore=store_api)
    (ps,) = reader.identity_center(ACCOUNTS).permission_sets
    assert (ps.boundary, ps.tags) == ("/team/edge", None)
    assert reader.unreadable == ["sso:ListTagsForResource (Admin): AccessDeniedException"]


def test_delegated_administrators_are_read_per_account(aws):
    api, stubber = stubbed("organizations")
    stubber.add_response("list_delegated_administrators", {"DelegatedAdministrators": [{"Id": "111111111111"}, {"Id": "222222222222"}]}, {})
    for account, services in (("111111111111", ["guardduty.amazonaws.com", "securityhub.amazonaws.com"]), ("222222222222", ["access-analyzer.amazonaws.com"])):
        stubber.add_response("list_delegated_services_for_account", {"DelegatedServices": [{"ServicePrincipal": s} for s in services]}, {"AccountId": account})
    assert _reader(organizations=api).delegations() == [
        Delegation("222222222222", "access-analyzer.amazonaws.com"),
        Delegation("111111111111", "guardduty.amazonaws.com"),
        Delegation("111111111111", "securityhub.amazonaws.com"),
    ]
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize("service", ["organizations", "sso-admin", "identitystore", "controltower", "iam"])
def test_every_client_adopt_makes_retries_adaptively(aws, service):
    api = clients.client(ReadOnlySession(moto_session("123456789012"), Calls()), service, HOME)
    assert api.meta.config.retries == {"mode": "adaptive", "total_max_attempts": 10}


@pytest.mark.integration
def test_the_member_account_read_retries_adaptively_too(aws):
    made = []

    class Recording:
        def __init__(self, session):
            self.session = session

        def client(self, service, region_name=None, **options):
            made.append((service, options["config"].retries if "config" in options else None))
            return self.session.client(service, region_name=region_name, **options)

    with mock_aws():
        session = ReadOnlySession(moto_session("123456789012"), Calls())
        found, unreadable = member_reads.config_service_roles(session, ["111111111111"], HOME, lambda c: Recording(credentials_session(c)))
    assert (found, unreadable) == ({}, [])
    assert made == [("iam", {"mode": "adaptive", "total_max_attempts": 10})]


def test_a_permission_set_whose_tags_were_not_read_gets_the_tag_command_marked_as_such():
    from lzctl.adopt.report import _permission_set_tags
    from lzctl.runtime import PlannedResource

    ps = PermissionSet(SETS["Admin"], "Admin", "Admin", "PT1H", "", [], "", [], tags=None)
    resource = PlannedResource("urn:x::sso-Admin", "aws:ssoadmin/permissionSet:PermissionSet", "sso-Admin", True, "", "", False, {"tags": {"a": "b"}}, ())
    (row,) = _permission_set_tags(type("P", (), {"resources": []})(), resource, INSTANCE, ps)
    assert row.what == "tags (AWS denied the read, see below): the program sets a=b"
    assert row.fix == f"aws sso-admin tag-resource --instance-arn {INSTANCE} --resource-arn {SETS['Admin']} --tags Key=a,Value=b"


@pytest.mark.parametrize(
    "audit, delegations, message",
    [
        ({}, ["config.amazonaws.com"], "only an adopted audit account can be a delegated administrator already"),
        ({"existing_account_id": "111122223333"}, ["config.amazonaws.com"] * 2, "service principal listed twice"),
    ],
)
def test_existing_delegations_need_an_adopted_audit_account_and_each_principal_once(tmp_path, audit, delegations, message):
    data = example_data()
    data["security"]["audit"] = {**data["security"].get("audit", {}), **audit}
    data["security_services"] = {**data.get("security_services", {}), "existing_delegations": delegations}
    with pytest.raises(config.ConfigError, match=message):
        config.load(write_config(tmp_path / "c", data), refuse_example_domains=False)


@pytest.mark.integration
def test_an_adopted_delegation_is_imported_by_account_and_principal(tmp_path):
    data = example_data()
    data["security"]["audit"] = {**data["security"].get("audit", {}), "existing_account_id": "111122223333", "name": "Audit"}
    data["security_services"] = {**data.get("security_services", {}), "existing_delegations": ["access-analyzer.amazonaws.com"]}
    plan = shared_plan("management", write_config(tmp_path / "c", data))
    delegations = {r.name: r.import_id for r in plan.of_type("aws:organizations/delegatedAdministrator:DelegatedAdministrator")}
    assert delegations["security-admin-access-analyzer"] == "111122223333/access-analyzer.amazonaws.com"
    assert {n for n, i in delegations.items() if i} == {"security-admin-access-analyzer"}


@pytest.mark.parametrize("control_tower, refused", [(True, True), (False, False)])
def test_an_existing_config_delegation_is_refused_with_control_tower_on(tmp_path, control_tower, refused):
    data = example_data()
    data["security"]["audit"] = {**data["security"].get("audit", {}), "existing_account_id": "111122223333", "name": "Audit"}
    data.setdefault("guardrails", {})["control_tower"] = {"enabled": control_tower}
    data["security_services"] = {**data.get("security_services", {}), "existing_delegations": ["config.amazonaws.com", "access-analyzer.amazonaws.com"]}
    directory = write_config(tmp_path / "c", data)
    if not refused:
        assert (
            config.load(directory, refuse_example_domains=False).config.security_services.existing_delegations
            == data["security_services"]["existing_delegations"]
        )
        return
    with pytest.raises(config.ConfigError) as error:
        config.load(directory, refuse_example_domains=False)
    assert str(error.value) == (
        "invalid landing-zone config: 1 problem\n"
        f"  - {directory / 'landing-zone.yaml'}: security_services.existing_delegations: with Control Tower on the program creates no delegation of AWS Config "
        "to import (the landing zone registers it itself) (got 'config.amazonaws.com'). Hint: remove it from the list (lzctl adopt leaves it out); "
        "the delegation stays as it is"
    )
