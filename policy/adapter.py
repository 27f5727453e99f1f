"""Adapts the rules of guardrails/rules.py to pulumi_policy's stack validation."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyResource, StackValidationArgs, StackValidationPolicy

from guardrails.rules import MANDATORY, RULES, ResourceView, Rule


def view(resource: PolicyResource) -> ResourceView:
    props = dict(resource.props or {})
    return ResourceView(
        type=resource.resource_type,
        urn=resource.urn,
        props=props,
        protect=bool(resource.opts and resource.opts.protect),
        id=str(props.get("id") or ""),
    )


def policy_for(rule: Rule) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation) -> None:
        for violation in rule.run([view(resource) for resource in args.resources]):
            report_violation(violation.message, violation.urn)

    level = EnforcementLevel.MANDATORY if rule.enforcement == MANDATORY else EnforcementLevel.ADVISORY
    return StackValidationPolicy(name=rule.id.lower(), description=rule.description, enforcement_level=level, validate=validate)


def stack_policies() -> list[StackValidationPolicy]:
    return [policy_for(rule) for rule in RULES]
