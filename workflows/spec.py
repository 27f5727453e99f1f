"""What the workflow generator is told about a repository: frozen, validated on construction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Literal, Mapping, Optional, Union, get_args

import names
from workflows.branches import branch_problem
from workflows.pins import DEFAULT_PINS, ActionPins

Kind = Literal["rails", "go", "nuxt", "container", "terraform"]
KINDS: tuple[str, ...] = get_args(Kind)

DEFAULT_BRANCHES: tuple[tuple[str, str], ...] = tuple(names.GITFLOW_BRANCHES.items())

# Names land inside YAML scalars, `if:` string literals, job ids and shell words; these shapes
# need no quoting in any of them, so nothing a config holds can change a workflow's structure.
# Branch names (git's set) are escaped where they are written instead (workflows/branches.py).
_KEY = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
_SECRET = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")
_PULUMI_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# ECR: lowercase path segments separated by . _ - and /.
_ECR_REPOSITORY = re.compile(r"^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")


@dataclass(frozen=True)
class Commands:
    """Shell commands a kind of application runs in CI and deploys."""

    lint: str
    """Static checks, run on pull requests."""
    test: str
    """Unit tests, run on pull requests and before every deploy."""
    deploy: str
    """Deploys to the job's AWS account; gets DEPLOY_ENV (and IMAGE_URI for container apps)."""
    integration: str
    """Integration tests against the deployed staging environment (article §3.2), after its deploy; gets DEPLOY_ENV."""
    e2e: str
    """End-to-end tests against the deployed staging environment, after the integration tests; gets DEPLOY_ENV."""


COMMAND_NAMES = ("lint", "test", "deploy", "integration", "e2e")
"""Every command an application can override (`applications.<app>.commands`)."""

TERRAFORM_INTEGRATION_OPT_IN = (
    'echo "No integration tests: terraform test applies its run blocks in this account unless they say command = plan;'
    ' set applications.<app>.commands.integration to run it (docs/delivery.md, Terraform)."'
)
"""A terraform app's default integration step: says how to opt in, creates nothing."""

# The staging commands run after the deploy, against what it deployed, with the deploy role's
# credentials; each kind's default follows the convention of its deploy default.
_DEFAULT_COMMANDS: dict[str, Commands] = {
    "rails": Commands(
        lint="bundle exec rubocop",
        test="bin/rails test",
        deploy='bin/deploy "$DEPLOY_ENV"',
        integration='bin/integration-test "$DEPLOY_ENV"',
        e2e='bin/e2e-test "$DEPLOY_ENV"',
    ),
    "go": Commands(
        lint="go vet ./...",
        test="go test ./...",
        deploy='./scripts/deploy.sh "$DEPLOY_ENV"',
        integration="go test -tags=integration ./...",
        e2e="go test -tags=e2e ./...",
    ),
    "nuxt": Commands(lint="npm run lint", test="npm test", deploy="npm run deploy", integration="npm run test:integration", e2e="npm run test:e2e"),
    "container": Commands(
        lint="docker build --check .",
        test="docker build --target test .",
        deploy='./scripts/deploy.sh "$DEPLOY_ENV" "$IMAGE_URI"',
        integration='./scripts/integration-test.sh "$DEPLOY_ENV" "$IMAGE_URI"',
        e2e='./scripts/e2e-test.sh "$DEPLOY_ENV" "$IMAGE_URI"',
    ),
    # Application infrastructure (article §3.4). Pull requests stay offline (fmt, validate without a
    # backend: no credentials); the deploy jobs run after the state backend is initialised. On staging,
    # a plan must find nothing left to change. `terraform test` is opt-in: its `run` blocks default to
    # `command = apply` (Terraform docs, "Tests", Integration or Unit testing), so with the stg deploy
    # role it would create real resources in the stg account beside the deployed stack, whose names
    # can collide with them; only the app's owners know whether their tests are plan-only or safe there.
    "terraform": Commands(
        lint="terraform fmt -check -recursive",
        test="terraform init -backend=false && terraform validate",
        deploy="terraform plan -out=tfplan && terraform apply tfplan",
        integration=TERRAFORM_INTEGRATION_OPT_IN,
        e2e="terraform plan -detailed-exitcode",
    ),
}


def default_commands(kind: str) -> Commands:
    """The lint, test, deploy, integration and e2e commands a `kind` of application runs unless its config says otherwise."""
    try:
        return _DEFAULT_COMMANDS[kind]
    except KeyError:
        raise ValueError(f"unknown application kind {kind!r}; kinds: {', '.join(KINDS)}") from None


def _check(pattern: re.Pattern, value: object, what: str) -> None:
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(f"{what} {value!r} is not allowed (expected {pattern.pattern})")


def _check_branch(value: object) -> None:
    problem = branch_problem(value) if isinstance(value, str) else "not a string"
    if problem:
        raise ValueError(f"branch {value!r} is not allowed: {problem}")


def _check_command(value: object, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} must be a non-empty command")
    if "${{" in value:
        # An expression inside `run:` is expanded into the script before the shell sees it.
        raise ValueError(f"{what} must not contain a ${{{{ }}}} expression; read environment variables instead")


def _pairs(branches: Union[Mapping[str, str], Iterable[tuple[str, str]]]) -> tuple[tuple[str, str], ...]:
    return tuple(dict(branches).items())


@dataclass(frozen=True)
class AppWorkflowSpec:
    """An application repository (GitFlow): CI on pull requests, deploys on pushes to mapped branches."""

    app: str
    """Application key from the config; names messages and the default ECR repository."""
    repository: str
    """GitHub repository name (without the owner)."""
    kind: str
    """Build and deploy kind: rails, go, nuxt, container or terraform."""
    lint: Optional[str] = None
    """Lint command; None takes the kind's default."""
    test: Optional[str] = None
    """Unit test command; None takes the kind's default."""
    deploy: Optional[str] = None
    """Deploy command; None takes the kind's default."""
    integration: Optional[str] = None
    """Integration test command run on the staging environment after its deploy; None takes the kind's default."""
    e2e: Optional[str] = None
    """End-to-end test command run on the staging environment after the integration tests; None takes the kind's default."""
    branches: tuple[tuple[str, str], ...] = DEFAULT_BRANCHES
    """(branch, environment) pairs in promotion order; a mapping is accepted and kept in its order."""
    prod_environment: str = "prod"
    """Environment that needs approval and whose branch tags releases."""
    ecr_repository: Optional[str] = None
    """ECR repository of container apps; None means the app key. Must be None for other kinds."""
    pins: ActionPins = DEFAULT_PINS
    """Actions the workflows use."""
    secrets: tuple[str, ...] = ()
    """Environment secrets the deploy command gets as environment variables of the same names."""
    slack: bool = True
    """Whether the config has Slack: without it the workflows post nothing and ask for approval in
    GitHub only (no SLACK_BOT_TOKEN exists, and a post that fails fails its job)."""

    def __post_init__(self) -> None:
        _check(_KEY, self.app, "application key")
        object.__setattr__(self, "secrets", tuple(self.secrets))
        for secret in self.secrets:
            _check(_SECRET, secret, "secret name")
        _check(_REPOSITORY, self.repository, "repository name")
        if self.kind not in KINDS:
            raise ValueError(f"unknown application kind {self.kind!r}; kinds: {', '.join(KINDS)}")
        defaults = default_commands(self.kind)
        for name in COMMAND_NAMES:
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, getattr(defaults, name))
            _check_command(getattr(self, name), f"{name} command")
        branches = _pairs(self.branches)
        object.__setattr__(self, "branches", branches)
        if not branches:
            raise ValueError("an application needs at least one branch -> environment")
        for branch, environment in branches:
            _check_branch(branch)
            _check(_KEY, environment, "environment")
        environments = [environment for _, environment in branches]
        if len(set(environments)) != len(environments):
            raise ValueError(f"each environment deploys from one branch, got {dict(branches)}")
        if self.prod_environment not in environments:
            raise ValueError(f"prod environment {self.prod_environment!r} has no branch in {dict(branches)}")
        if self.kind == "container":
            if self.ecr_repository is None:
                object.__setattr__(self, "ecr_repository", self.app)
            _check(_ECR_REPOSITORY, self.ecr_repository, "ECR repository")
        elif self.ecr_repository is not None:
            raise ValueError(f"only container apps push images; {self.kind} app {self.app} has an ECR repository")
        if not isinstance(self.pins, ActionPins):
            raise ValueError("pins must be ActionPins")

    @property
    def staging_environment(self) -> Optional[str]:
        """The environment deployed just before prod in promotion order (stg by default): where the
        integration and E2E tests run, and whose tested image prod runs; None when prod comes first."""
        environments = [environment for _, environment in self.branches]
        position = environments.index(self.prod_environment)
        return environments[position - 1] if position else None

    @property
    def builds_image(self) -> bool:
        """Whether deploys build and push a container image to ECR."""
        return self.ecr_repository is not None


@dataclass(frozen=True)
class InfraWorkflowSpec:
    """The landing zone's own repository (GitHub Flow): previews on pull requests to the default branch."""

    repository: str
    """GitHub repository name (without the owner)."""
    stacks: tuple[str, ...] = names.STACKS
    """Pulumi stacks to validate and preview, in order."""
    default_branch: str = names.RELEASE_BRANCH
    """Branch pull requests target; Pulumi Deployments deploys it."""
    python_version: str = "3.11"
    """Python the program runs on."""
    organization: str = names.PREFIX
    """Pulumi Cloud organisation of the stacks (previews name them `org/project/stack`)."""
    project: str = names.PREFIX
    """Pulumi project of the stacks."""
    previews: bool = True
    """Credentialed previews in the reviewed preview environment; off where no reviewer can gate it."""
    pins: ActionPins = DEFAULT_PINS
    """Actions the workflow uses."""

    def __post_init__(self) -> None:
        _check(_REPOSITORY, self.repository, "repository name")
        _check(_PULUMI_NAME, self.organization, "Pulumi organisation")
        _check(_PULUMI_NAME, self.project, "Pulumi project")
        object.__setattr__(self, "stacks", tuple(self.stacks))
        if not self.stacks:
            raise ValueError("the infrastructure repository needs at least one stack")
        for stack in self.stacks:
            _check(_KEY, stack, "stack")
        _check_branch(self.default_branch)
        _check(re.compile(r"^3\.\d{1,2}$"), self.python_version, "Python version")
        if not isinstance(self.pins, ActionPins):
            raise ValueError("pins must be ActionPins")
