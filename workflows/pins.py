"""The third-party actions the generated workflows use, each pinned to a full commit SHA.

A tag such as `v4` can be moved by whoever controls the action's repository; a commit SHA
cannot, so every `uses:` the landing zone writes names a SHA from here.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Mapping, Optional

_SHA = re.compile(r"^[0-9a-f]{40}$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class Pin:
    """One action at one commit."""

    repository: str
    """`owner/repo` of the action, e.g. `actions/checkout`."""
    sha: str
    """Full 40-character lowercase hex commit SHA the workflows run."""
    version: Optional[str] = None
    """Release tag that commit was when pinned (`v7.0.1`); None for a SHA set in config."""

    def __post_init__(self) -> None:
        if not _REPOSITORY.match(self.repository):
            raise ValueError(f"action {self.repository!r} is not of the form owner/repo")
        if not isinstance(self.sha, str) or not _SHA.match(self.sha):
            raise ValueError(
                f"pin for {self.repository} must be a full 40-character lowercase hex commit SHA, "
                f"got {self.sha!r}; tags and branches can be moved, a commit cannot"
            )

    @property
    def ref(self) -> str:
        """What `uses:` names: `owner/repo@sha`."""
        return f"{self.repository}@{self.sha}"

    @property
    def comment(self) -> str:
        """The note written after `uses:` so a reader (and Dependabot) knows the version."""
        return self.version or "pinned in landing-zone config"


@dataclass(frozen=True)
class ActionPins:
    """Every action the generated workflows use."""

    checkout: Pin
    """actions/checkout: clones the repository (always without persisted credentials)."""
    configure_aws_credentials: Pin
    """aws-actions/configure-aws-credentials: assumes a role through GitHub OIDC."""
    amazon_ecr_login: Pin
    """aws-actions/amazon-ecr-login: docker login to the account's ECR registry."""
    setup_ruby: Pin
    """ruby/setup-ruby: the Ruby of `.ruby-version` for rails apps."""
    setup_go: Pin
    """actions/setup-go: the Go of `go.mod` for go apps."""
    setup_node: Pin
    """actions/setup-node: the Node.js of `.nvmrc` for nuxt apps."""
    slack: Pin
    """slackapi/slack-github-action: posts deploy results and approval requests."""
    pulumi: Pin
    """pulumi/actions: `pulumi preview` of the infrastructure stacks."""
    setup_python: Pin
    """actions/setup-python: the Python of the infrastructure program."""
    setup_terraform: Pin
    """hashicorp/setup-terraform: the Terraform CLI of terraform apps."""
    upload_artifact: Pin
    """actions/upload-artifact: a terraform app's saved prod plan, from the plan job to the reviewed deploy."""
    download_artifact: Pin
    """actions/download-artifact: the reviewed deploy fetches that plan by id, its digest checked."""

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            pin = getattr(self, field.name)
            if not isinstance(pin, Pin):
                raise ValueError(f"ActionPins.{field.name} must be a Pin, got {pin!r}")

    def all(self) -> tuple[Pin, ...]:
        """Every pin, in field order."""
        return tuple(getattr(self, field.name) for field in dataclasses.fields(self))

    def comments(self) -> dict[str, str]:
        """`owner/repo@sha` -> its version note, for the comment after each `uses:`."""
        return {pin.ref: pin.comment for pin in self.all()}

    def with_overrides(self, shas: Mapping[str, str]) -> "ActionPins":
        """These pins with the SHAs of `{"owner/repo": sha}` replaced (the config's one place)."""
        by_repository = {pin.repository: field.name for field, pin in zip(dataclasses.fields(self), self.all(), strict=True)}
        unknown = sorted(set(shas) - set(by_repository))
        if unknown:
            raise ValueError(f"no such pinned action: {', '.join(unknown)}; pinned: {', '.join(sorted(by_repository))}")
        changes = {by_repository[repository]: Pin(repository, sha) for repository, sha in shas.items()}
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_mapping(cls, shas: Mapping[str, str]) -> "ActionPins":
        """DEFAULT_PINS with the SHAs of `{"owner/repo": sha}` replaced; ValueError for a tag or an unknown action."""
        return DEFAULT_PINS.with_overrides(shas)


# Release tags resolved to their commits (checked 2026-11 against public workflows pinning them).
DEFAULT_PINS = ActionPins(
    checkout=Pin("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    configure_aws_credentials=Pin("aws-actions/configure-aws-credentials", "e1253824e5c10ff9df46874f81ed3ec929e19cfd", "v6.3.0"),
    amazon_ecr_login=Pin("aws-actions/amazon-ecr-login", "03f1aad4c6c7ffd436567f42f9384779290529bd", "v2.1.7"),
    setup_ruby=Pin("ruby/setup-ruby", "a0102e0972be65f351c307e2d64b9314a57c8073", "v1.324.0"),
    setup_go=Pin("actions/setup-go", "b7ad1dad31e06c5925ef5d2fc7ad053ef454303e", "v7.0.0"),
    setup_node=Pin("actions/setup-node", "820762786026740c76f36085b0efc47a31fe5020", "v7.0.0"),
    slack=Pin("slackapi/slack-github-action", "45a88b9581bfab2566dc881e2cd66d334e621e2c", "v3.0.3"),
    pulumi=Pin("pulumi/actions", "8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0"),
    setup_python=Pin("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    # Checked 2026-12 in the action's repository: tag v4.0.1 (and v4) is this commit.
    setup_terraform=Pin("hashicorp/setup-terraform", "dfe3c3f87815947d99a8997f908cb6525fc44e9e", "v4.0.1"),
    # Checked 2026-12 in the actions' repositories: v7.0.0 (and v7) and v8.0.1 (and v8) are these commits.
    # download-artifact v8 fails on a digest mismatch by default (its README, "v8 - What's new").
    upload_artifact=Pin("actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    download_artifact=Pin("actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
)
