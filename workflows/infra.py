"""Pull-request checks of the landing zone's own repository (GitHub Flow).

Deploys of the infrastructure stacks run in Pulumi Deployments, not in Actions; this workflow
only validates and, where a reviewer gates the preview environment, previews each stack with its
own read-only plan role.
"""

from __future__ import annotations

import names
from names import PREVIEW_ENVIRONMENT
from workflows import steps
from workflows.branches import filter_literal
from workflows.render import Workflows, render
from workflows.spec import InfraWorkflowSpec

PREVIEW_PATH = ".github/workflows/preview.yml"
OFFLINE_ONLY = (names.MANAGEMENT_STACK,)
"""Its real preview assumes the organisation access role in every member account, which no
read-only role may do; it is planned and validated offline instead."""


def infra_workflows(spec: InfraWorkflowSpec) -> Workflows:
    """The infrastructure repository's pull-request workflow and its check names."""
    return render({PREVIEW_PATH: _preview(spec)}, spec.pins)


def _preview(spec: InfraWorkflowSpec) -> dict:
    pins = spec.pins
    setup = [steps.checkout(pins), *steps.python(spec.python_version, pins)]
    validate = [steps.run(f"Validate {stack} offline", f".venv/bin/python -m lzctl validate --stack {stack}") for stack in spec.stacks]
    jobs = {"validate": steps.job("Validate policy rules", steps.READ_ONLY, [*setup, *validate], timeout=20)}
    for stack in (s for s in spec.stacks if s not in OFFLINE_ONLY and spec.previews):
        preview = {
            "name": f"Preview {stack}",
            "uses": pins.pulumi.ref,
            # Fully qualified: a bare name would resolve against the token's default organisation.
            "with": {"command": "preview", "stack-name": names.qualified_stack(spec.organization, spec.project, stack)},
            "env": {names.PULUMI_ACCESS_TOKEN: steps.secret(names.PULUMI_ACCESS_TOKEN)},
        }
        job_steps = [*setup, steps.aws_credentials(pins, names.plan_role_variable(stack)), preview]
        # Each plan role trusts exactly the repository's `...:environment:preview` subject.
        jobs[f"preview-{stack}"] = steps.job(f"Preview {stack}", steps.OIDC, job_steps, timeout=30, needs="validate", environment=PREVIEW_ENVIRONMENT)
    on = {"pull_request": {"branches": [filter_literal(spec.default_branch)]}}
    concurrency = {"group": "preview-${{ github.event.pull_request.number }}", "cancel-in-progress": True}
    return steps.workflow("Preview", on, concurrency, jobs)
