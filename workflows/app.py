"""CI and deploy workflows of an application repository (GitFlow)."""

from __future__ import annotations

import names
from workflows import images, steps
from workflows.branches import expression_literal, filter_literal
from workflows.render import Workflows, render
from workflows.spec import AppWorkflowSpec

CI_PATH = ".github/workflows/ci.yml"
DEPLOY_PATH = ".github/workflows/deploy.yml"
WORKFLOWS_GLOB = f"{names.WORKFLOWS_FOLDER}**"
REQUEST_STEP = "request"
"""Step id of the approval request, whose `ts` output threads the result."""
# -reconfigure: the unit tests ran `init -backend=false` in the same checkout just before.
TERRAFORM_INIT = (
    "terraform init -reconfigure \\\n"
    '  -backend-config="bucket=$TF_STATE_BUCKET" \\\n'
    '  -backend-config="key=$TF_STATE_KEY" \\\n'
    '  -backend-config="region=$AWS_REGION" \\\n'
    '  -backend-config="use_lockfile=true"'
)
PROMOTE_STEP = "promote"
"""Step id of prod's promotion, whose output is the tested image by digest."""
APPROVED_OUTPUT = "approved"
"""Output the reviewed deploy job sets in its first step: it started, so it was approved."""
PLAN_FILE = "tfplan"
# -lock=false: the plan role can read the state but not write `<key>.tflock`; the apply takes the
# lock, and refuses the saved plan if the state's serial moved since ("Saved plan is stale", Terraform
# internal/backend/local/backend_local.go), so a plan made beside another operation cannot be applied.
TERRAFORM_PLAN = f"terraform plan -lock=false -out={PLAN_FILE}"
TERRAFORM_APPLY = f"terraform apply {PLAN_FILE}"
PLAN_SUMMARY_BYTES = 1_000_000
"""What of `terraform show` goes into the job summary: GitHub caps each step's summary at 1 MiB
(GitHub docs, "Workflow commands for GitHub Actions", Adding a job summary: the runner drops a larger one,
"supports content up to a size of 1024k"); the whole plan is in the plan step's log."""
_COUNTS = " ".join(
    (
        "[.resource_changes[]?.change.actions] |",
        '"\\(map(select(index("create"))) | length) to add,',
        '\\(map(select(index("update"))) | length) to change,',
        '\\(map(select(index("delete"))) | length) to destroy"',
    )
)
# `terraform show` of a saved plan hides values marked sensitive, as `terraform plan` does (Terraform
# #27577, fixed in 0.15); the counts are Terraform's own "to add / to change / to destroy" (a
# replacement counts in both add and destroy), read from `terraform show -json`.
SHOW_PLAN = (
    f"terraform show -no-color {PLAN_FILE} > plan.txt\n"
    "{\n"
    '  echo "### Terraform plan for $DEPLOY_ENV (what the reviewers approve)"\n'
    "  echo '```'\n"
    # sed: a cut plan ends mid-line, and the closing fence must start one.
    f"  head -c {PLAN_SUMMARY_BYTES} plan.txt | sed '$a\\'\n"
    "  echo '```'\n"
    f'  if [ "$(wc -c < plan.txt)" -gt {PLAN_SUMMARY_BYTES} ]; then echo "Cut short: the whole plan is in the log of the plan step."; fi\n'
    '} >> "$GITHUB_STEP_SUMMARY"\n'
    f"changes=\"$(terraform show -json {PLAN_FILE} | jq -r '{_COUNTS}')\"\n"
    'echo "changes=$changes" >> "$GITHUB_OUTPUT"'
)
PLAN_CIPHERTEXT, PLAN_DATA_KEY = f"{PLAN_FILE}.enc", f"{PLAN_FILE}.key"
"""What the artifact holds: the plan encrypted with a fresh data key of the state's KMS key, and that
data key encrypted by KMS. Anyone who can read the repository can download a run's artifacts (GitHub
docs, "Downloading workflow artifacts": "People who are signed into GitHub and have read access to a
repository can download workflow artifacts"; for a public repository, anyone signed in), and a saved
plan holds the prior state and the variables in plain text, secrets among them (Terraform docs,
"Manage sensitive data"); only a role allowed kms:Decrypt of the state's key in that account (the
deploy role, which reads the state anyway) turns it back into a plan."""
_PLAN_CONTEXT = f'--encryption-context "{names.PLAN_ENCRYPTION_CONTEXT}={names.PLAN_ENCRYPTION_PURPOSE},run=$GITHUB_RUN_ID"'
# Envelope encryption (KMS developer guide, "AWS KMS concepts", Data keys): KMS Encrypt takes 4 KiB at
# most, a plan more. The artifact's digest, which download-artifact v8 checks, guards its integrity.
ENCRYPT_PLAN = (
    "set -o pipefail\n"
    f'key="$(aws kms generate-data-key --key-id "$TF_STATE_KMS_KEY" --key-spec AES_256 {_PLAN_CONTEXT} --output json)"\n'
    f'jq -r .CiphertextBlob <<< "$key" | base64 -d > {PLAN_DATA_KEY}\n'
    f'jq -r .Plaintext <<< "$key" | openssl enc -aes-256-cbc -pbkdf2 -salt -pass stdin -in {PLAN_FILE} -out {PLAN_CIPHERTEXT}'
)
DECRYPT_PLAN = (
    "set -o pipefail\n"
    f'aws kms decrypt --key-id "$TF_STATE_KMS_KEY" --ciphertext-blob fileb://{PLAN_DATA_KEY} {_PLAN_CONTEXT} --query Plaintext --output text \\\n'
    f"  | openssl enc -d -aes-256-cbc -pbkdf2 -pass stdin -in {PLAN_CIPHERTEXT} -out {PLAN_FILE}"
)
SHOW_STEP = "show"
"""Step id of the plan's summary, whose `changes` output the approval request quotes."""
UPLOAD_STEP = "upload"
"""Step id of the plan's upload, whose `artifact-id` the reviewed deploy downloads."""
_PLAN_KEY_ENV = {names.TF_STATE_KMS_KEY: steps.var(names.TF_STATE_KMS_KEY)}
PLAN_RETENTION_DAYS = 1
"""How long the saved plan is kept: it can hold secrets in plain text (Terraform docs, "Manage
sensitive data": state and plan files contain sensitive values), encrypted (PLAN_CIPHERTEXT) since
anyone who can read the repository can download a run's artifacts. A review later than this fails the download (closed):
re-run the whole workflow for a fresh plan; a plan that old is likely stale anyway."""


def app_workflows(spec: AppWorkflowSpec) -> Workflows:
    """The application's CI (pull requests) and deploy (pushes) workflows, and CI's check names."""
    return render({CI_PATH: _ci(spec), DEPLOY_PATH: _deploy(spec)}, spec.pins)


def _ci(spec: AppWorkflowSpec) -> dict:
    setup = [steps.checkout(spec.pins), *steps.toolchain(spec.kind, spec.pins)]
    checks = {"lint": ("Lint", spec.lint), "test": ("Unit tests", spec.test)}
    # Offline: pull-request code gets no role, so Terraform validates without a backend here.
    env = dict(steps.TERRAFORM_ENV) if spec.kind == "terraform" else None
    jobs = {job_id: steps.job(name, steps.READ_ONLY, [*setup, steps.run(name, command)], timeout=20, env=env) for job_id, (name, command) in checks.items()}
    on = {"pull_request": {"branches": [filter_literal(branch) for branch, _ in spec.branches]}}
    concurrency = {"group": "ci-${{ github.event.pull_request.number }}", "cancel-in-progress": True}
    return steps.workflow("CI", on, concurrency, jobs)


def _deploy(spec: AppWorkflowSpec) -> dict:
    jobs = {}
    for branch, environment in spec.branches:
        on_branch = f"github.ref_name == {expression_literal(branch)}"
        plan = f"plan-{environment}" if _plans(spec, environment) else None
        if plan:
            jobs[plan] = _plan_job(spec, environment, on_branch)
            if spec.slack:
                jobs[f"plan-failed-{environment}"] = _plan_failed_job(spec, environment, on_branch, plan)
        request = None
        if environment == spec.prod_environment and spec.slack:
            request = f"await-approval-{environment}"
            jobs[request] = _approval_job(spec, environment, on_branch, plan)
        jobs[f"deploy-{environment}"] = _deploy_job(spec, environment, on_branch, request, plan)
        if environment == spec.staging_environment:
            jobs[f"verify-{environment}"] = _verify_job(spec, environment, on_branch, f"deploy-{environment}")
        if environment == spec.prod_environment:
            if spec.slack:
                jobs[f"approval-result-{environment}"] = _approval_result_job(spec, environment, on_branch)
            jobs["release"] = _release_job(spec, f"deploy-{environment}", on_branch)
    # A push that only changes the generated workflows (the landing zone's own commits, the first ones
    # of a new repository included) deploys nothing: GitHub skips a push whose every changed path
    # matches paths-ignore ("Workflow syntax", on.push.paths-ignore). Promotion merges carry code too.
    on = {"push": {"branches": [filter_literal(branch) for branch, _ in spec.branches], "paths-ignore": [WORKFLOWS_GLOB]}}
    # One deploy per branch at a time, never cancelled half-way through. GitHub keeps at most one run
    # pending per group and cancels the older pending one when another arrives ("Using concurrency"):
    # while a prod run waits for its review, a newer push to main replaces any run queued behind it,
    # so the latest commit deploys next and the ones in between never do.
    concurrency = {"group": "deploy-${{ github.ref_name }}", "cancel-in-progress": False}
    return steps.workflow("Deploy", on, concurrency, jobs)


REGISTRY = f"{steps.var(names.AWS_ACCOUNT_ID)}.dkr.ecr.{steps.var(names.AWS_REGION)}.amazonaws.com"


def _image_env(spec: AppWorkflowSpec) -> dict:
    """IMAGE_URI (the image this commit built in the job's account) and ECR_REPOSITORY, for container apps."""
    if not spec.builds_image:
        return {}
    return {"IMAGE_URI": f"{REGISTRY}/{spec.ecr_repository}:${{{{ github.sha }}}}", "ECR_REPOSITORY": spec.ecr_repository}


def _terraform_env(spec: AppWorkflowSpec, environment: str) -> dict:
    """The state backend of the environment's account, and its key, for terraform apps."""
    if spec.kind != "terraform":
        return {}
    state = {names.TF_STATE_BUCKET: steps.var(names.TF_STATE_BUCKET), "TF_STATE_KEY": names.terraform_state_key(spec.app)}
    return {**steps.TERRAFORM_ENV, "TF_VAR_environment": environment, **state}


def _terraform_init(spec: AppWorkflowSpec) -> list[dict]:
    """`terraform init` against the environment's state bucket, locked with a lock file beside the state.

    The S3 backend's `use_lockfile` (Terraform >= 1.10) locks through an S3 conditional write of
    `<key>.tflock`; the app's code declares an empty `backend "s3" {}` and gets the rest here
    (Terraform docs, "Backend type: s3", partial configuration). Region: configure-aws-credentials exports AWS_REGION.
    """
    if spec.kind != "terraform":
        return []
    return [steps.run("Initialise Terraform with the environment's state", TERRAFORM_INIT)]


def _plans(spec: AppWorkflowSpec, environment: str) -> bool:
    """Whether the reviewed deploy applies a plan saved before the review (terraform apps' prod), so
    the reviewers approve a plan that exists (article §3.4, plan and apply per environment)."""
    return spec.kind == "terraform" and environment == spec.prod_environment


def _plan_job(spec: AppWorkflowSpec, environment: str, on_branch: str) -> dict:
    """`terraform plan` of the environment, saved, shown in the job summary and kept for the reviewed job.

    It runs in `<env>-plan`, an environment only the release branch can use (reviewed code) with no
    reviewers, whose role reads and cannot write (components/deploy_roles.py): the job runs before
    anyone approved anything, and `terraform plan` runs providers' and `external` data sources' code.
    """
    pins = spec.pins
    upload = {
        "name": "Keep the plan for the reviewed deploy",
        "id": UPLOAD_STEP,
        "uses": pins.upload_artifact.ref,
        "with": {
            "name": f"{PLAN_FILE}-{environment}",
            "path": f"{PLAN_CIPHERTEXT}\n{PLAN_DATA_KEY}",
            "if-no-files-found": "error",
            "retention-days": PLAN_RETENTION_DAYS,
        },
    }
    job_steps = [
        steps.checkout(pins),
        *steps.toolchain(spec.kind, pins),
        steps.aws_credentials(pins, names.AWS_ROLE_ARN),
        *_terraform_init(spec),
        steps.run(f"Plan the deploy to {environment}", TERRAFORM_PLAN),
        steps.run("Show the plan in the job summary", SHOW_PLAN, step_id=SHOW_STEP),
        steps.run("Encrypt the plan with the state's key", ENCRYPT_PLAN, env=_PLAN_KEY_ENV),
        upload,
    ]
    return steps.job(
        f"Plan the deploy to {environment}",
        steps.OIDC,
        job_steps,
        timeout=30,
        condition=on_branch,
        environment=names.plan_environment(environment),
        env={"DEPLOY_ENV": environment, **_terraform_env(spec, environment)},
        outputs={
            "artifact-id": f"${{{{ steps.{UPLOAD_STEP}.outputs.artifact-id }}}}",
            "changes": f"${{{{ steps.{SHOW_STEP}.outputs.changes }}}}",
        },
    )


def _plan_failed_job(spec: AppWorkflowSpec, environment: str, on_branch: str, plan: str) -> dict:
    """The deploy channel hears of a failed plan: the plan job holds no Slack token (its environment has
    no secret), and after it fails the approval request and the deploy, which would post, are skipped."""
    text = f":x: Failed to plan the deploy of {spec.app} ({spec.repository}@${{{{ github.sha }}}}) to {environment}: {steps.RUN_URL}"
    post = steps.slack(spec.pins, "Notify Slack of the failed plan", text)
    return steps.job(
        f"Report a failed plan of {environment}", {}, [post], timeout=5, condition=f"failure() && {on_branch}", needs=plan, environment=names.NOTIFY_ENVIRONMENT
    )


def _promotes(spec: AppWorkflowSpec, environment: str) -> bool:
    """Whether this environment deploys the image staging tested instead of building one."""
    return spec.builds_image and environment == spec.prod_environment and spec.staging_environment is not None


def _posts(spec: AppWorkflowSpec, *posts: dict) -> tuple[dict, ...]:
    """The Slack steps, where the config has Slack."""
    return posts if spec.slack else ()


def _deploy_job(spec: AppWorkflowSpec, environment: str, on_branch: str, request: str | None, plan: str | None) -> dict:
    pins = spec.pins
    env = {"DEPLOY_ENV": environment, **_image_env(spec), **_terraform_env(spec, environment)}
    build, deploy_env = [], None
    if _promotes(spec, environment):
        del env["IMAGE_URI"]
        env.update({"REGISTRY": REGISTRY, names.STAGING_ACCOUNT_ID: steps.var(names.STAGING_ACCOUNT_ID)})
        build = [
            {"name": "Log in to Amazon ECR", "uses": pins.amazon_ecr_login.ref},
            steps.run(f"Find the image {spec.staging_environment} tested and tag it deployed", images.promote(spec.staging_environment), step_id=PROMOTE_STEP),
        ]
        deploy_env = {"IMAGE_URI": f"${{{{ steps.{PROMOTE_STEP}.outputs.{images.PROMOTED_OUTPUT} }}}}"}
    elif spec.builds_image:
        build = [
            {"name": "Log in to Amazon ECR", "uses": pins.amazon_ecr_login.ref},
            steps.run("Build and push image", images.PUSH_ONCE),
        ]
    deploy = spec.deploy
    if plan:
        # Exactly the plan the job summary showed: by the artifact's id, its digest checked (download-artifact v8).
        fetch = {"artifact-ids": f"${{{{ needs.{plan}.outputs.artifact-id }}}}"}
        build = [
            {"name": "Fetch the plan the reviewers approved", "uses": pins.download_artifact.ref, "with": fetch},
            steps.run("Decrypt the plan with the state's key", DECRYPT_PLAN, env=_PLAN_KEY_ENV),
        ]
        deploy = TERRAFORM_APPLY
    what = f"{spec.app} ({spec.repository}@${{{{ github.sha }}}}) to {environment}"
    reviewed = environment == spec.prod_environment
    approved = [steps.run("Record the approval", f'echo "{APPROVED_OUTPUT}=true" >> "$GITHUB_OUTPUT"', step_id=APPROVED_OUTPUT)] if reviewed else []
    job_steps = [
        *approved,
        steps.checkout(pins),
        *steps.toolchain(spec.kind, pins),
        steps.run("Unit tests", spec.test),
        steps.aws_credentials(pins, names.AWS_ROLE_ARN),
        *_terraform_init(spec),
        *build,
        # The application's secrets reach the deploy step only, not the build or the tests.
        steps.run(f"Deploy to {environment}", deploy, env={**{secret: f"${{{{ secrets.{secret} }}}}" for secret in spec.secrets}, **(deploy_env or {})}),
        *_posts(
            spec,
            steps.slack(pins, "Notify Slack of success", f":white_check_mark: Deployed {what}: {steps.RUN_URL}", "success()"),
            steps.slack(pins, "Notify Slack of failure", f":x: Failed to deploy {what}: {steps.RUN_URL}", "failure()"),
        ),
    ]
    needs = [job for job in (request, plan) if job]
    condition = on_branch
    if request:
        # A Slack outage (the approval request failing) must not stop a release: the environment's
        # required reviewers gate it either way. !cancelled() lets it run after a failed request,
        # never after a failed plan.
        condition = f"!cancelled() && {on_branch}" + (f" && needs.{plan}.result == 'success'" if plan else "")
    # The environment puts `environment:<env>` in the OIDC subject and applies its protection rules.
    return steps.job(
        f"Deploy to {environment}",
        steps.OIDC,
        job_steps,
        timeout=60,
        condition=condition,
        needs=needs[0] if len(needs) == 1 else needs or None,
        environment=environment,
        env=env,
        outputs={APPROVED_OUTPUT: f"${{{{ steps.{APPROVED_OUTPUT}.outputs.{APPROVED_OUTPUT} }}}}"} if reviewed else None,
    )


def _verify_job(spec: AppWorkflowSpec, environment: str, on_branch: str, deploy_job: str) -> dict:
    """Integration and E2E tests against what the staging deploy just deployed (article §3.2).

    A job of its own, in the same environment (its role and variables), so a failed test run can be
    re-run without deploying again.
    """
    pins = spec.pins
    what = f"{spec.app} ({spec.repository}@${{{{ github.sha }}}}) on {environment}"
    job_steps = [
        steps.checkout(pins),
        *steps.toolchain(spec.kind, pins),
        steps.aws_credentials(pins, names.AWS_ROLE_ARN),
        *_terraform_init(spec),
        steps.run("Integration tests", spec.integration),
        steps.run("End-to-end tests", spec.e2e),
        # What prod may run: this image, for this tree (workflows/images.py).
        *([steps.run("Mark the image as tested", images.MARK_TESTED)] if spec.builds_image else []),
        *_posts(
            spec,
            steps.slack(pins, "Notify Slack of success", f":white_check_mark: Integration and E2E tests passed for {what}: {steps.RUN_URL}", "success()"),
            steps.slack(pins, "Notify Slack of failure", f":x: Integration or E2E tests failed for {what}: {steps.RUN_URL}", "failure()"),
        ),
    ]
    return steps.job(
        f"Integration and E2E tests on {environment}",
        steps.OIDC,
        job_steps,
        timeout=60,
        condition=on_branch,
        needs=deploy_job,
        environment=environment,
        env={"DEPLOY_ENV": environment, **_image_env(spec), **_terraform_env(spec, environment)},
    )


def _approval_job(spec: AppWorkflowSpec, environment: str, on_branch: str, plan: str | None = None) -> dict:
    """The approval request in the approvals channel (article §4.1), linking the run whose page holds
    the pending review ("Review deployments", GitHub docs "Reviewing deployments"); its `ts` is the
    thread the result goes to. After the plan, when there is one: it quotes the plan's counts, and
    the run page's summary holds the plan itself (never Slack: a plan can hold more than a channel should)."""
    what = f"{spec.app} ({spec.repository}@${{{{ github.sha }}}}) to {environment}"
    planned = f" Plan: ${{{{ needs.{plan}.outputs.changes }}}}, in full in the run summary." if plan else ""
    text = f":hourglass_flowing_sand: Approval needed to deploy {what}.{planned} Review the pending deployment: {steps.RUN_URL}"
    request = steps.slack(spec.pins, "Ask for approval in Slack", text, channel=names.SLACK_APPROVALS_CHANNEL_ID, step_id=REQUEST_STEP)
    # The Slack token is a secret of the main-only notify environment, not of the repository.
    return steps.job(
        f"Request approval for {environment}",
        {},
        [request],
        timeout=5,
        condition=on_branch,
        needs=plan,
        environment=names.NOTIFY_ENVIRONMENT,
        outputs={"ts": f"${{{{ steps.{REQUEST_STEP}.outputs.ts }}}}"},
    )


def _approval_outcomes(environment: str) -> tuple[tuple[str, str, str], ...]:
    """(label, condition, reply) for each way the reviewed deploy can end, exactly one true per run.

    A rejected deployment fails the job without starting it, as does one not approved within 30 days
    (GitHub docs, "Reviewing deployments"); a started job has set its `approved` output first.
    """
    deploy = f"needs.deploy-{environment}"
    started = f"{deploy}.outputs.{APPROVED_OUTPUT} == 'true'"
    return (
        ("approved and deployed", f"{deploy}.result == 'success'", f":white_check_mark: Approved and deployed to {environment}"),
        ("approved, deploy failed", f"{deploy}.result == 'failure' && {started}", f":x: Approved, but the deploy to {environment} failed"),
        (
            "not approved",
            f"{deploy}.result == 'failure' && !({started})",
            f":no_entry: Not deployed to {environment}: rejected, not reviewed within 30 days, or the job could not start",
        ),
        ("cancelled", f"{deploy}.result == 'cancelled'", f":heavy_minus_sign: Cancelled before the deploy to {environment} finished"),
    )


def _approval_result_job(spec: AppWorkflowSpec, environment: str, on_branch: str) -> dict:
    """The review's outcome as a reply in the approval request's thread."""
    request = f"await-approval-{environment}"
    thread = f"${{{{ needs.{request}.outputs.ts }}}}"
    replies = [
        steps.slack(spec.pins, f"Reply: {label}", f"{reply}: {steps.RUN_URL}", condition, channel=names.SLACK_APPROVALS_CHANNEL_ID, thread_ts=thread)
        for label, condition, reply in _approval_outcomes(environment)
    ]
    # always(): the reply is due above all when the deploy failed, was rejected or was cancelled.
    condition = f"always() && {on_branch} && needs.{request}.result == 'success'"
    return steps.job(
        f"Report the approval of {environment}",
        {},
        replies,
        timeout=5,
        condition=condition,
        needs=[request, f"deploy-{environment}"],
        environment=names.NOTIFY_ENVIRONMENT,
    )


def _release_job(spec: AppWorkflowSpec, deploy_job: str, on_branch: str) -> dict:
    script = (
        'tag="release-$(date -u +%Y%m%d)-${GITHUB_RUN_NUMBER}"\n'
        'gh release create "$tag" --repo "$GITHUB_REPOSITORY" --target "$GITHUB_SHA" --title "$tag" --generate-notes'
    )
    failed = f":x: {spec.app} ({spec.repository}@${{{{ github.sha }}}}) deployed but the release was not tagged: {steps.RUN_URL}"
    job_steps = [
        steps.run("Tag a release with generated notes", script, env={"GH_TOKEN": "${{ github.token }}"}),
        *_posts(spec, steps.slack(spec.pins, "Notify Slack of failure", failed, "failure()")),
    ]
    return steps.job("Tag release", {"contents": "write"}, job_steps, timeout=10, condition=on_branch, needs=deploy_job, environment=names.NOTIFY_ENVIRONMENT)
