"""The OIDC subjects name the organisation by GitHub's login, not by the config's spelling (b2a finding 7): the `sub`
carries the login and IAM's StringEquals is case-sensitive. The mocks answer `getOrganization`'s `login` as the
data source does, organization.GetLogin() (integrations/terraform-provider-github data_source_github_organization.go),
here in another case than the config's `github.owner`."""

from __future__ import annotations

import json

import pytest

from lzctl import mocks
from tests.helpers import example_data, run_management, write_config

pytestmark = pytest.mark.integration

LOOKUP = "github:index/getOrganization:getOrganization"
APPS = (("booking", 906171203), ("shop", 671900844))
"""The example's applications with the repository ids the mocks give them."""


@pytest.fixture(scope="module")
def canonical_login(tmp_path_factory):
    """(plan, errors, names looked up) of the example with `github.owner: Acme-Inc`, the mocks answering the
    lookup's login in lower case: one plan for both tests (the fixture patches the mocks, so not shared_run's)."""
    looked_up = []
    answer = mocks._CALLS[LOOKUP]

    def canonical(args):
        looked_up.append(args["name"])
        return answer(args) | {"login": args["name"].lower()}

    data = example_data()
    data["github"].update(owner="Acme-Inc")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(mocks._CALLS, LOOKUP, canonical)
        plan, errors = run_management(write_config(tmp_path_factory.mktemp("owner-login"), data))
    return plan, errors, looked_up


def test_the_trusts_name_githubs_login_whatever_the_case_of_github_owner(canonical_login):
    plan, errors, looked_up = canonical_login
    assert not errors
    assert set(looked_up) == {"Acme-Inc"}
    subjects = {
        role.name: json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
        for role in plan.of_type("aws:iam/role:Role")
        if "token.actions.githubusercontent.com" in role.inputs.get("assumeRolePolicy", "")
    }
    owner_id = subjects["shop-prod-deploy-role"].split("@")[1].split("/")[0]
    assert subjects == {
        **{
            f"{app}-{env}-deploy-role": f"repo:acme-inc@{owner_id}/{app}@{repo_id}:environment:{env}" for app, repo_id in APPS for env in ("dev", "stg", "prod")
        },
        **{f"{stack}-plan-role": f"repo:acme-inc@{owner_id}/landing-zone@245795505:environment:preview" for stack in ("audit", "log")},
    }


def test_the_github_tenant_rcp_names_githubs_login_whatever_the_case_of_github_owner(canonical_login):
    """The RCP's StringLike is case-sensitive too: its patterns take the login from the same lookup as the trusts."""
    plan, errors, _ = canonical_login
    assert not errors
    owner_id = mocks._CALLS[LOOKUP]({"name": "Acme-Inc"})["id"]
    [statement] = [
        s
        for s in json.loads(plan.named("guardrails-rcp-root-enforce-org-identities-policy").inputs["content"])["Statement"]
        if s["Sid"] == "EnforceGitHubTenant"
    ]
    assert statement["Condition"]["StringNotLikeIfExists"] == {"token.actions.githubusercontent.com:sub": ["repo:acme-inc/*", f"repo:acme-inc@{owner_id}/*"]}
