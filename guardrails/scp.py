"""Service control policies: one-statement JSON templates under templates/scp/, filled and packed.

Templates hold `${NAME}` placeholders that stand for a whole JSON value (a list of ARNs, the
governed regions); `render` fills them. `pack` merges the statements meant for one target into as
few documents as the size limit allows, measured on the minified JSON that is actually sent.

An exemption may name one account (a stack's deploy role, in that stack's account). Where that
account's id is not known before the account exists, the document holds a slot `<account:KEY>`
that the Guardrails component fills from the account's id; sizes are measured with a 12-digit
placeholder, the length of every account id.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

import names
from iam import minify, policy

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "scp"
FULL_AWS_ACCESS = "FullAWSAccess"
_PLACEHOLDER = re.compile(r"^\$\{([A-Z_]+)\}$")
_ACCOUNT_SLOT = re.compile(r"<account:([a-z0-9-]+)>")
MEASURING_ACCOUNT_ID = "0" * 12
"""Stands in for an account id not known yet when a document is measured: ids are 12 digits."""


def account_slot(key: str) -> str:
    """Where the id of account `key` goes in a document, until it is known."""
    return f"<account:{key}>"


def template_names() -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in TEMPLATE_DIR.glob("*.json")))


@dataclass(frozen=True)
class ScpParameters:
    governed_regions: tuple[str, ...]
    """Regions left open by the region deny."""
    privileged_role_arns: tuple[str, ...]
    """Principals every deny exempts, so the landing zone can still manage itself."""
    protected_bucket_resources: tuple[str, ...]
    """Bucket and object ARNs of the log buckets."""

    def values(self) -> dict[str, list[str]]:
        return {
            "GOVERNED_REGIONS": list(self.governed_regions),
            "PRIVILEGED_ROLE_ARNS": list(self.privileged_role_arns),
            "PROTECTED_BUCKET_RESOURCES": list(self.protected_bucket_resources),
        }


@dataclass(frozen=True)
class Exemption:
    """A role every deny of the SCPs exempts, in every account or in one."""

    role: names.Role
    """The role, built by the same names.py function its component uses."""
    account: Optional[str] = None
    """Key of the one account it lives in; None: every account has it."""

    @property
    def arn(self) -> str:
        """As the SCP names it: the account's slot, or `*`."""
        return self.role.arn(account_slot(self.account) if self.account else "*")


def exemptions(
    access_role_name: str, extra_roles: Sequence[str] = (), control_tower: bool = True, deploy_roles: Optional[Mapping[str, str]] = None
) -> tuple[Exemption, ...]:
    """Control Tower's execution role (with Control Tower on), the organisation access role and any
    extra role names in every account; each stack's Pulumi Deployments role (`deploy_roles`: stack ->
    key of its account) in that account only. Exempting a name an account lacks would let anyone
    who can create a role of that name there escape every SCP."""
    everywhere = [*([names.CONTROL_TOWER_EXECUTION_ROLE] if control_tower else []), names.Role(access_role_name)]
    pinned = [Exemption(names.pulumi_deploy_role(stack), account) for stack, account in (deploy_roles or {}).items()]
    unique: dict[str, Exemption] = {}
    for exemption in [*map(Exemption, everywhere), *pinned, *(Exemption(names.Role(role)) for role in extra_roles)]:
        unique.setdefault(exemption.arn, exemption)
    return tuple(unique.values())


def bucket_resources(bucket_patterns: Sequence[str]) -> tuple[str, ...]:
    """`aws-controltower-logs-*` -> the bucket ARN and its objects' ARN."""
    return tuple(arn for pattern in bucket_patterns for arn in (names.bucket_arn(pattern), f"{names.bucket_arn(pattern)}/*"))


def _fill(node, values: Mapping[str, object]):
    if isinstance(node, dict):
        return {key: _fill(item, values) for key, item in node.items()}
    if isinstance(node, list):
        return [_fill(item, values) for item in node]
    if isinstance(node, str) and (match := _PLACEHOLDER.match(node)):
        return values[match.group(1)]
    return node


def render(name: str, parameters: ScpParameters) -> dict:
    """The statement of template `name` with its placeholders filled."""
    template = json.loads((TEMPLATE_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return _fill(template, parameters.values())


@dataclass(frozen=True)
class ScpDocument:
    target: str
    """`root` or an OU key."""
    templates: tuple[str, ...]
    """Templates merged into this document, in order; the first names it."""
    content: str
    """Minified JSON, as sent to Organizations but for the slots of account ids not known yet."""

    @property
    def key(self) -> str:
        return f"{self.target}-{self.templates[0]}"

    @property
    def accounts(self) -> tuple[str, ...]:
        """Keys of the accounts whose ids the content still needs, in order of first use."""
        return tuple(dict.fromkeys(_ACCOUNT_SLOT.findall(self.content)))

    def render(self, account_ids: Mapping[str, str]) -> str:
        """The content with these accounts' slots filled."""
        return _ACCOUNT_SLOT.sub(lambda slot: account_ids.get(slot.group(1), slot.group(0)), self.content)

    @property
    def size(self) -> int:
        """Characters as sent, whatever the ids turn out to be."""
        return len(measured(self.content))


def measured(content: str) -> str:
    return _ACCOUNT_SLOT.sub(MEASURING_ACCOUNT_ID, content)


def pack(target: str, templates: Sequence[str], parameters: ScpParameters, max_chars: int) -> list[ScpDocument]:
    """Merge the statements of `templates` in order, starting a new document when the next would not fit.

    Packing in config order (not by size) keeps each document's first template, and so its
    resource name, stable when a template is added at the end.
    """
    packed: list[tuple[list[str], list[dict]]] = []
    for name in templates:
        statement = render(name, parameters)
        if packed and len(measured(minify(policy(*packed[-1][1], statement)))) <= max_chars:
            packed[-1][0].append(name)
            packed[-1][1].append(statement)
        else:
            packed.append(([name], [statement]))
    return [ScpDocument(target, tuple(group), minify(policy(*statements))) for group, statements in packed]


@dataclass(frozen=True)
class ScpLimitBreach:
    target: str
    message: str


def check_limits(documents: Sequence[ScpDocument], max_chars: int, per_target: int, control_tower_slot: bool) -> list[ScpLimitBreach]:
    """Size of each document and documents per target, counting FullAWSAccess and Control Tower's own SCP."""
    breaches = []
    for doc in documents:
        if doc.size > max_chars:
            breaches.append(ScpLimitBreach(doc.target, f"SCP {doc.key} is {doc.size} characters minified, over the limit of {max_chars}"))
    if documents:
        target = documents[0].target
        used = len(documents) + 1 + int(control_tower_slot)
        if used > per_target:
            reserved = f"{FULL_AWS_ACCESS}" + (" and Control Tower's guardrail SCP" if control_tower_slot else "")
            breaches.append(
                ScpLimitBreach(target, f"target {target} needs {len(documents)} SCPs plus {reserved}: {used}, over the limit of {per_target} per target")
            )
    return breaches
