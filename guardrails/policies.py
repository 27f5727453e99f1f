"""Organization policies of every type: templates filled, packed per target and checked against limits.

A template is a JSON file under `templates/<type key>/` (guardrails/policy_types.py). A string
`${NAME}` standing for a whole JSON value, or for a whole mapping key, is filled from the values
the config supplies; a value of None removes its key (an optional exception list left empty) and
any mapping that leaves empty, and an `Unavailable` value makes the template refuse, naming what it
needs. `pack` merges the
templates meant for one target, in config order, into as few documents as the type's size limit
allows, measured on the minified JSON actually sent: statement lists for SCPs and RCPs, key by key
for the management types (two templates of a target assigning one key differently are refused).

Values not known before deploy stay slots in the content, filled by the Guardrails component:
`<account:KEY>` (an account's id; measured as 12 digits, the length of every id) and
`<organization>` (the organisation's id; measured as 34 characters, the longest the Organizations
API allows: `^o-[a-z0-9]{10,32}$`, API_Organization.html), `<github-owner-id>` and `<github-owner>`
(the GitHub owner's numeric id and its login as GitHub spells it, both from the organisation lookup).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Optional, Sequence

from guardrails.policy_types import STATEMENTS, PolicyType
from iam import minify, policy

_PLACEHOLDER = re.compile(r"^\$\{([A-Z_]+)\}$")
_SLOT = re.compile(r"<account:([a-z0-9-]+)>|(<organization>)|(<github-owner-id>)|<github-owner>")
ORGANIZATION_SLOT = "<organization>"
GITHUB_OWNER_SLOT = "<github-owner-id>"
"""Where the GitHub owner's numeric id goes, until the management stack's organisation lookup answers."""
GITHUB_LOGIN_SLOT = "<github-owner>"
"""Where the GitHub owner's login goes, as the same lookup spells it: `sub` carries GitHub's spelling, and the
RCP's StringLike compares case-sensitively (IAM user guide, "IAM JSON policy elements: Condition operators",
"String condition operators"), so `github.owner` in another case would refuse every token."""
MEASURING_ACCOUNT_ID = "0" * 12
"""Stands in for an account id not known yet when a document is measured: ids are 12 digits."""
MEASURING_ORGANIZATION_ID = "o-" + "0" * 32
"""Stands in for the organisation's id: the longest an id can be."""
MEASURING_GITHUB_OWNER_ID = "0" * 19
"""Stands in for the GitHub owner's id: GitHub's REST API gives ids as int64, at most 19 digits."""
MEASURING_GITHUB_LOGIN = "0" * 39
"""Stands in for the GitHub owner's login: logins are at most 39 characters (config/types.py GitHubLogin)."""


def account_slot(key: str) -> str:
    """Where the id of account `key` goes in a document, until it is known."""
    return f"<account:{key}>"


@dataclass(frozen=True)
class Unavailable:
    """A template value this config cannot supply; `needs` says what would (a config section)."""

    needs: str


class TemplateError(ValueError):
    """A template that cannot be filled or merged: one sentence naming the template and why."""


def _fill(node, values: Mapping[str, object], where: str):
    if isinstance(node, dict):
        filled = {}
        for key, item in node.items():
            key = _fill(key, values, where)
            item = _fill(item, values, where)
            if item is not None:
                filled[key] = item
        # A mapping left empty by removed values goes too (`{"@@assign": None}` is no setting at all).
        return filled if filled or not node else None
    if isinstance(node, list):
        return [_fill(item, values, where) for item in node]
    if isinstance(node, str) and (match := _PLACEHOLDER.match(node)):
        name = match.group(1)
        if name not in values:
            raise TemplateError(f"{where} names ${{{name}}}, which no config value fills")
        value = values[name]
        if isinstance(value, Unavailable):
            raise TemplateError(f"{where} needs {value.needs}")
        return value
    return node


def render(policy_type: PolicyType, name: str, values: Mapping[str, object], text: Optional[str] = None):
    """Template `name` of the type with its placeholders filled: a statement, or a management tree.
    `text` is the config folder's own version of it; None reads the shipped one."""
    if text is None:
        text = (policy_type.template_dir / f"{name}.json").read_text(encoding="utf-8")
    try:
        template = json.loads(text)
    except ValueError as err:
        raise TemplateError(f"{policy_type.key} template {name} is not JSON: {err}") from None
    return _fill(template, values, f"{policy_type.key} template {name}")


def merge_trees(into: dict, tree: dict, where: str, path: tuple[str, ...] = ()) -> dict:
    """`tree` merged into a copy of `into`, key by key; a leaf both set differently is refused."""
    merged = dict(into)
    for key, value in tree.items():
        if key not in merged:
            merged[key] = value
        elif isinstance(merged[key], dict) and isinstance(value, dict):
            merged[key] = merge_trees(merged[key], value, where, (*path, key))
        elif merged[key] != value:
            raise TemplateError(f"{where} sets {'.'.join((*path, key))} to {json.dumps(value)}, which an earlier template sets to {json.dumps(merged[key])}")
    return merged


def _document(policy_type: PolicyType, parts: Sequence, where: str):
    if policy_type.kind == STATEMENTS:
        return policy(*parts)
    document: dict = {}
    for part in parts:
        document = merge_trees(document, part, where)
    return document


def measured(content: str) -> str:
    """The content with every slot standing at its longest: what sizes are checked on."""
    return _SLOT.sub(
        lambda slot: (
            MEASURING_ACCOUNT_ID
            if slot.group(1)
            else MEASURING_ORGANIZATION_ID
            if slot.group(2)
            else MEASURING_GITHUB_OWNER_ID
            if slot.group(3)
            else MEASURING_GITHUB_LOGIN
        ),
        content,
    )


@dataclass(frozen=True)
class PolicyDocument:
    policy_type: PolicyType
    target: str
    """`root` or an OU key."""
    templates: tuple[str, ...]
    """Templates merged into this document, in order; the first names it."""
    content: str
    """Minified JSON, as sent to Organizations but for the slots of values not known yet."""
    from_folder: tuple[str, ...] = ()
    """Those of `templates` whose text is the config folder's own, not the shipped one: a reviewer
    must not take them for the shipped, reviewed content."""

    @property
    def key(self) -> str:
        return f"{self.policy_type.resource_prefix}{self.target}-{self.templates[0]}"

    @property
    def accounts(self) -> tuple[str, ...]:
        """Keys of the accounts whose ids the content still needs, in order of first use."""
        return tuple(dict.fromkeys(key for key, *_ in _SLOT.findall(self.content) if key))

    @property
    def needs_organization_id(self) -> bool:
        return ORGANIZATION_SLOT in self.content

    @property
    def needs_github_owner_id(self) -> bool:
        return GITHUB_OWNER_SLOT in self.content

    @property
    def needs_github_login(self) -> bool:
        return GITHUB_LOGIN_SLOT in self.content

    def render(
        self,
        account_ids: Mapping[str, str],
        organization_id: Optional[str] = None,
        github_owner_id: Optional[str] = None,
        github_login: Optional[str] = None,
    ) -> str:
        """The content with the slots of these accounts (and of the organisation and the GitHub
        owner's id and login, if given) filled."""

        def filled(slot: re.Match) -> str:
            if slot.group(1):
                return account_ids.get(slot.group(1), slot.group(0))
            if slot.group(2):
                return organization_id or slot.group(0)
            if slot.group(3):
                return github_owner_id or slot.group(0)
            return github_login or slot.group(0)

        return _SLOT.sub(filled, self.content)

    def sent(self, account_ids: Mapping[str, str], organization_id: str, github_owner_id: str, github_login: str) -> str:
        """`render` with every slot filled, as Organizations gets it: a slot left (a value that
        resolved empty) raises ValueError, since AWS would take it as literal text."""
        content = self.render(account_ids, organization_id or None, github_owner_id or None, github_login or None)
        left = _SLOT.search(content)
        if left:
            raise ValueError(f"{self.key}: {left.group(0)} has no value, so the document cannot be sent")
        return content

    @property
    def size(self) -> int:
        """Characters as sent, whatever the ids turn out to be."""
        return len(measured(self.content))


def pack(
    policy_type: PolicyType,
    target: str,
    templates: Sequence[str],
    values: Mapping[str, object],
    max_chars: int,
    overrides: Mapping[str, str] = MappingProxyType({}),
) -> list[PolicyDocument]:
    """Merge the templates in order, starting a new document when the next would not fit.
    `overrides`: template name -> the config folder's own text of it, which replaces the shipped one.

    Packing in config order (not by size) keeps each document's first template, and so its
    resource name, stable when a template is added at the end. Management trees are first merged
    whole, so a conflict between any two templates of the target is refused wherever they land.
    """
    where = f"guardrails.{policy_type.key}.targets.{target}"
    parts = [render(policy_type, name, values, overrides.get(name)) for name in templates]
    if policy_type.kind != STATEMENTS:
        _document(policy_type, parts, where)
    packed: list[tuple[list[str], list]] = []
    for name, part in zip(templates, parts, strict=True):
        if packed and len(measured(minify(_document(policy_type, [*packed[-1][1], part], where)))) <= max_chars:
            packed[-1][0].append(name)
            packed[-1][1].append(part)
        else:
            packed.append(([name], [part]))
    return [
        PolicyDocument(policy_type, target, tuple(group), minify(_document(policy_type, group_parts, where)), tuple(n for n in group if n in overrides))
        for group, group_parts in packed
    ]


@dataclass(frozen=True)
class LimitBreach:
    target: str
    message: str


def check_limits(documents: Sequence[PolicyDocument], max_chars: int, per_target: int, reserved: Sequence[str] = ()) -> list[LimitBreach]:
    """Size of each document and documents per target; `reserved` names the other policies that
    take a slot of the target (the type's AWS managed default, Control Tower's guardrail SCP)."""
    breaches = []
    for doc in documents:
        if doc.size > max_chars:
            breaches.append(LimitBreach(doc.target, f"{doc.policy_type.label} {doc.key} is {doc.size} characters minified, over the limit of {max_chars}"))
    if documents:
        target, label = documents[0].target, documents[0].policy_type.plural
        used = len(documents) + len(reserved)
        if used > per_target:
            plus = f" plus {' and '.join(reserved)}: {used}," if reserved else ","
            breaches.append(LimitBreach(target, f"target {target} needs {len(documents)} {label}{plus} over the limit of {per_target} per target"))
    return breaches
