"""Adapts the rules of this package to pulumi_policy's stack validation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pulumi_policy import EnforcementLevel, PolicyConfigSchema, PolicyResource, StackValidationArgs, StackValidationPolicy
from pulumi_policy.proxy import UnknownValueError

from rules import MANDATORY, RULES, ResourceView, Rule


def known(value):
    """A plain copy of pulumi_policy's props, with values unknown during preview as None.

    The proxy raises on any unknown value it is asked for; copying it whole would make every
    rule unusable in a preview, so each value is read on its own.
    """

    def read(getter):
        try:
            return known(getter())
        except UnknownValueError:
            return None

    if isinstance(value, Mapping):
        return {key: read(lambda key=key: value[key]) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [read(lambda index=index: value[index]) for index in range(len(value))]
    return value


def view(resource: PolicyResource) -> ResourceView:
    props = known(resource.props or {})
    provider = getattr(resource, "provider", None)
    return ResourceView(
        type=resource.resource_type,
        urn=resource.urn,
        props=props,
        protect=bool(resource.opts and resource.opts.protect),
        id=str(props.get("id") or ""),
        provider=f"{provider.urn}::" if provider is not None else "",
        dependencies=tuple(d.urn for d in (getattr(resource, "dependencies", None) or ())),
        delete_before_replace=bool(resource.opts and resource.opts.delete_before_replace),
    )


def views(resources: Sequence[PolicyResource]) -> list[ResourceView]:
    """The stack's resources and, where a provider is not among them, its provider (the account and
    region rules read from it)."""
    seen = {resource.urn for resource in resources}
    found = [view(resource) for resource in resources]
    for resource in resources:
        provider = getattr(resource, "provider", None)
        if provider is not None and provider.urn not in seen:
            seen.add(provider.urn)
            found.append(ResourceView(provider.resource_type, provider.urn, known(provider.props or {})))
    return found


def policy_for(rule: Rule) -> StackValidationPolicy:
    # A StackValidationArgs holds one stack: rules about the organisation get none (see each rule).
    def validate(args: StackValidationArgs, report_violation) -> None:
        for violation in rule.run(views(args.resources), args.get_config()):
            report_violation(violation.message, violation.urn)

    level = EnforcementLevel.MANDATORY if rule.enforcement == MANDATORY else EnforcementLevel.ADVISORY
    schema = PolicyConfigSchema(dict(rule.settings)) if rule.settings else None
    return StackValidationPolicy(name=rule.id.lower(), description=rule.description, enforcement_level=level, validate=validate, config_schema=schema)


def stack_policies() -> list[StackValidationPolicy]:
    return [policy_for(rule) for rule in RULES]
