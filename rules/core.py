"""The rule engine shared by `lzctl plan/validate` and the Pulumi policy pack (`rules/__main__.py`).

Each rule is one small function with an id, a description and an enforcement level, in the
manner of cdk-nag. Rules see the stack as a list of `ResourceView`s (type, URN, inputs under the
engine's camelCase names, protect flag), which both the offline plan and `pulumi_policy` provide.
A rule's settings (e.g. the SCP size limit) have a JSON-schema default; a setting the config also
knows (`limits`: setting -> `guardrails.limits` field) is read from the stack's own `guardrailLimits`
output, so `lzctl` and the policy pack both check the number the config says. Where a stack exports
no limits (a pack that sees no outputs, e.g. in some previews), the policy config
(`--policy-pack-config`) or the default applies. Either way a number past AWS's own maximum of that
field (`config.schema.limit_maximum`) counts as that maximum: neither the config nor the pack's
config can switch a check off by raising it beyond what AWS takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Union

from config.schema import limit_maximum
from names import LIMITS_OUTPUT

STACK_TYPE = "pulumi:pulumi:Stack"

MANDATORY = "mandatory"
"""Blocking: `lzctl validate` exits 3, the policy pack fails the preview."""
ADVISORY = "advisory"
"""A warning: printed, never blocking."""


@dataclass(frozen=True)
class ResourceView:
    type: str
    """The resource type token."""
    urn: str
    """Its URN, which violations name."""
    props: dict
    """Inputs under the engine's camelCase names; values unknown in a preview are None."""
    protect: bool = False
    """The protect option."""
    id: str = ""
    """The provider's id, where known (rules match some resources by id)."""
    provider: str = ""
    """Its provider reference (`<provider URN>::<id>`), which tells the account and region it lands in."""
    dependencies: tuple[str, ...] = ()
    """URNs of the resources it waits for (`depends_on` and inputs), for the rules on operation order."""
    delete_before_replace: bool = False
    """The option: a replacement deletes the old resource first."""


@dataclass(frozen=True)
class Violation:
    rule: str
    """Id of the rule that failed."""
    urn: str
    """The offending resource."""
    message: str
    """What is wrong, in one sentence."""


@dataclass(frozen=True)
class Rule:
    id: str
    """`LZ-...`, stable: reports and the policy pack name it."""
    description: str
    """One sentence: what every resource must be."""
    enforcement: str
    """MANDATORY or ADVISORY."""
    check: Callable[..., Iterator[tuple[str, str]]] = field(repr=False)
    """check(resources, **settings) yields (urn, message) for each offending resource."""
    settings: Mapping[str, dict] = field(default_factory=dict)
    """Setting -> JSON schema with its `default`: the pack's policy config schema."""
    source: str = ""
    """For a service rule: the AWS document that states what the service enforces (URL)."""
    needs_organization: bool = False
    """check() also takes `organization`: the management stack's resources, which the audit and log
    stacks read through a StackReference (None where they cannot be had, as in the policy pack)."""
    limits: Mapping[str, Union[str, Mapping[str, str]]] = field(default_factory=dict)
    """Setting -> the `guardrails.limits` field it is, read from the stack's `guardrailLimits` output;
    or, for a setting keyed by policy type, type -> field."""

    def run(
        self, resources: list[ResourceView], settings: Optional[Mapping[str, Any]] = None, organization: Optional[list[ResourceView]] = None
    ) -> list[Violation]:
        values = {key: schema["default"] for key, schema in self.settings.items()}
        values.update({key: value for key, value in (settings or {}).items() if key in self.settings})
        if self.needs_organization:
            values["organization"] = organization
        exported = stack_limits(resources)
        for key, limit in self.limits.items():
            if isinstance(limit, str):
                values.update(_numbers(exported, {key: limit}))
                values[key] = _capped(values[key], limit)
            else:
                values[key] = {**values[key], **_numbers(exported, limit)}
                values[key] = {kind: _capped(number, limit[kind]) if kind in limit else number for kind, number in values[key].items()}
        return [Violation(self.id, urn, message) for urn, message in self.check(resources, **values)]


def _numbers(exported: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, int]:
    # Stack outputs reach the rules through a protobuf Struct, where every number is a float.
    return {key: int(exported[limit]) for key, limit in fields.items() if isinstance(exported.get(limit), (int, float))}


def _capped(number: Any, field: str) -> Any:
    maximum = limit_maximum(field)
    return min(number, maximum) if maximum is not None and isinstance(number, (int, float)) else number


def stack_limits(resources: Iterable[ResourceView]) -> Mapping[str, Any]:
    """The `guardrails.limits` the stack exports (its root resource's outputs), or nothing."""
    for resource in resources:
        if resource.type == STACK_TYPE and isinstance(resource.props.get(LIMITS_OUTPUT), Mapping):
            return resource.props[LIMITS_OUTPUT]
    return {}


def evaluate(
    resources: list[ResourceView],
    rules: Iterable[Rule],
    settings: Optional[Mapping[str, Mapping[str, Any]]] = None,
    organization: Optional[list[ResourceView]] = None,
) -> list[Violation]:
    """Every violation of `rules`; `settings` is rule id -> that rule's settings; `organization` the
    management stack's resources when `resources` are another stack's."""
    return [violation for rule in rules for violation in rule.run(resources, (settings or {}).get(rule.id), organization)]


def is_blocking(violations: Iterable[Violation], rules: Iterable[Rule]) -> bool:
    mandatory = {rule.id for rule in rules if rule.enforcement == MANDATORY}
    return any(violation.rule in mandatory for violation in violations)
