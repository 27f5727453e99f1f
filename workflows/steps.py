"""Step and job builders shared by every generated workflow."""

from __future__ import annotations

import json
from typing import Optional, Union

import names
from workflows.pins import ActionPins

RUNNER = "ubuntu-24.04"
RUN_URL = "${{ github.server_url }}/${{ github.repository }}/actions/runs/${{ github.run_id }}"
READ_ONLY = {"contents": "read"}
OIDC = {"contents": "read", "id-token": "write"}
TERRAFORM_VERSION = "1.14.6"
"""Terraform CLI of terraform apps: at least 1.11, where the S3 backend's own locking (`use_lockfile`,
added in 1.10) is generally available and DynamoDB locking deprecated (Terraform docs, "Backend
type: s3", State Locking); the version hashicorp/setup-terraform v4.0.1's README installs."""
TERRAFORM_ENV = {"TF_IN_AUTOMATION": "true", "TF_INPUT": "false"}
"""Terraform in CI: output for logs, and a prompt fails instead of hanging (Terraform docs, "Environment Variables")."""


def var(name: str) -> str:
    """The expression reading an Actions variable (the stacks set it, names.py spells it)."""
    return f"${{{{ vars.{name} }}}}"


def secret(name: str) -> str:
    return f"${{{{ secrets.{name} }}}}"


def workflow(name: str, on: dict, concurrency: dict, jobs: dict) -> dict:
    """A workflow whose token can do nothing unless a job asks for it."""
    return {"name": name, "on": on, "permissions": {}, "concurrency": concurrency, "jobs": jobs}


def job(
    name: str,
    permissions: dict,
    steps: list[dict],
    timeout: int,
    condition: Optional[str] = None,
    needs: Union[str, list[str], None] = None,
    environment: Optional[str] = None,
    env: Optional[dict] = None,
    outputs: Optional[dict] = None,
) -> dict:
    """A job; optional keys are left out rather than written empty."""
    optional = {"needs": needs, "if": condition, "environment": environment}
    body = {"name": name, **{key: value for key, value in optional.items() if value is not None}}
    body.update({"runs-on": RUNNER, "timeout-minutes": timeout, "permissions": permissions})
    if outputs:
        body["outputs"] = outputs
    if env:
        body["env"] = env
    body["steps"] = steps
    return body


def run(name: str, script: str, env: Optional[dict] = None, step_id: Optional[str] = None) -> dict:
    """A shell step; values reach the script only through `env`, never through expressions."""
    if "${{" in script:
        raise ValueError(f"step {name!r}: expressions in run scripts are expanded before the shell parses them")
    return {"name": name, **({"id": step_id} if step_id else {}), **({"env": env} if env else {}), "run": script}


def checkout(pins: ActionPins) -> dict:
    # The token would otherwise stay in .git/config for every later step to read.
    return {"name": "Check out", "uses": pins.checkout.ref, "with": {"persist-credentials": False}}


def toolchain(kind: str, pins: ActionPins) -> list[dict]:
    """Language set-up and dependency install for a kind; container builds need only Docker.

    Action caches stay off: a cache written by one run is restored into later deploys.
    """
    if kind == "rails":
        return [{"name": "Set up Ruby", "uses": pins.setup_ruby.ref}, run("Install gems", "bundle install")]
    if kind == "go":
        setup = {"go-version-file": "go.mod", "cache": False}
        return [{"name": "Set up Go", "uses": pins.setup_go.ref, "with": setup}, run("Download modules", "go mod download")]
    if kind == "terraform":
        # No wrapper: it would capture the output of every later terraform command.
        setup = {"terraform_version": TERRAFORM_VERSION, "terraform_wrapper": False}
        return [{"name": "Set up Terraform", "uses": pins.setup_terraform.ref, "with": setup}]
    if kind == "nuxt":
        setup = {"node-version-file": ".nvmrc", "package-manager-cache": False}
        return [{"name": "Set up Node.js", "uses": pins.setup_node.ref, "with": setup}, run("Install packages", "npm ci")]
    return []


def python(version: str, pins: ActionPins) -> list[dict]:
    """Python and the program's requirements in `.venv`, where Pulumi.yaml expects them."""
    install = "python -m venv .venv\n.venv/bin/pip install -r requirements.txt"
    return [
        {"name": "Set up Python", "uses": pins.setup_python.ref, "with": {"python-version": version}},
        run("Install requirements", install),
    ]


def aws_credentials(pins: ActionPins, role_variable: str) -> dict:
    """Assume the role named by a repository/environment variable through GitHub OIDC."""
    role = {"role-to-assume": var(role_variable), "aws-region": var(names.AWS_REGION)}
    return {"name": "Configure AWS credentials", "uses": pins.configure_aws_credentials.ref, "with": role}


def slack(
    pins: ActionPins,
    name: str,
    text: str,
    condition: Optional[str] = None,
    channel: str = names.SLACK_CHANNEL_ID,
    thread_ts: Optional[str] = None,
    step_id: Optional[str] = None,
) -> dict:
    """Post `text` with the bot token to the channel the Actions variable `channel` names, as a reply
    in the thread of the message `thread_ts` when given; a failed post fails the step.

    slackapi/slack-github-action v3 continues past Slack API errors unless `errors: true` (its
    action.yml: "If the step exits with an error on errors or continues", default false). Its `ts`
    output is the posted message's timestamp, the `thread_ts` of replies (Slack chat.postMessage).
    """
    message = {"channel": var(channel), **({"thread_ts": thread_ts} if thread_ts else {}), "text": text}
    step = {"name": name, **({"id": step_id} if step_id else {}), **({"if": condition} if condition else {}), "uses": pins.slack.ref}
    step["with"] = {"method": "chat.postMessage", "token": secret(names.SLACK_BOT_TOKEN), "errors": True, "payload": json.dumps(message, ensure_ascii=False)}
    return step
