"""Is a conformance pack template one AWS Config would deploy? Size, YAML, CloudFormation (cfn-lint:
required Resources, property schemas, unique rule names), the two resource types packs may hold,
and at least one rule.

Sources (checked 2026-12):
- TemplateBody 1-51,200 bytes: https://docs.aws.amazon.com/config/latest/APIReference/API_PutOrganizationConformancePack.html
- resource types AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration only:
  https://docs.aws.amazon.com/config/latest/APIReference/API_PutConformancePack.html
- Source.Owner AWS, CUSTOM_LAMBDA or CUSTOM_POLICY:
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-config-configrule-source.html
"""

from __future__ import annotations

import functools
import re

import yaml

import disk_cache
from config.yamlfile import Loader

MAX_TEMPLATE_BYTES = 51_200
RESOURCE_TYPES = ("AWS::Config::ConfigRule", "AWS::Config::RemediationConfiguration")
SOURCE_OWNERS = ("AWS", "CUSTOM_LAMBDA", "CUSTOM_POLICY")
_SET = re.compile(r"\{('[^{}:]*')\}")
LINT_REGION = "us-east-1"
"""cfn-lint checks against one region's resource specification; the two Config types are the same in every region."""


def _resources_problems(template: dict) -> list[str]:
    """What cfn-lint does not check: the resource types a pack may hold, Source.Owner's values, and
    that it holds a rule (cfn-lint takes `Resources: {}`; a pack of no rule evaluates nothing)."""
    resources = template.get("Resources")
    problems = []
    kinds = [r.get("Type") for r in resources.values() if isinstance(r, dict)] if isinstance(resources, dict) else []
    if isinstance(resources, dict) and RESOURCE_TYPES[0] not in kinds:
        problems.append(f"the template has no {RESOURCE_TYPES[0]}: a conformance pack without a rule evaluates nothing")
    for key, resource in (resources if isinstance(resources, dict) else {}).items():
        kind = resource.get("Type") if isinstance(resource, dict) else None
        if kind not in RESOURCE_TYPES:
            problems.append(f"resource {key} is {kind!r}: a conformance pack holds only {' and '.join(RESOURCE_TYPES)}")
            continue
        properties = resource.get("Properties")
        source = properties.get("Source") if isinstance(properties, dict) else None
        owner = source.get("Owner") if isinstance(source, dict) else None
        if kind == RESOURCE_TYPES[0] and isinstance(owner, str) and owner not in SOURCE_OWNERS:
            problems.append(f"resource {key}: Source.Owner {owner!r} is not one of {', '.join(SOURCE_OWNERS)}")
    return problems


@functools.lru_cache(maxsize=16)
def check_template(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(errors, warnings) of a conformance pack template's text (cached: cfn-lint takes about a second)."""
    size = len(text.encode("utf-8"))
    if size > MAX_TEMPLATE_BYTES:
        return (f"the template is {size} bytes, over the {MAX_TEMPLATE_BYTES} AWS Config accepts (TemplateBody)",), ()
    try:
        yaml.compose(text, Loader=Loader)  # aliases and nesting bounded before cfn-lint walks the template
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        return (f"not valid YAML: {where}{getattr(err, 'problem', None) or err}",), ()
    # Importing and running cfn-lint was most of a whole `lzctl plan` (about 1.2 s of CPU): its
    # verdict on the same template is kept on disk (disk_cache.py).
    return disk_cache.cached("cfn-lint", (text, LINT_REGION), __file__, lambda: _lint(text))


def _lint(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # cfn-lint is imported here, not at the top: it takes a second, and only a pack needs it.
    from cfnlint.api import ManualArgs, lint
    from cfnlint.decode import decode_str

    template, parse_errors = decode_str(text)
    if parse_errors or not isinstance(template, dict):
        return tuple(f"not a CloudFormation template: {m.message}" for m in parse_errors) or ("not a CloudFormation template",), ()
    errors, warnings = _resources_problems(template), []
    for match in lint(text, config=ManualArgs(regions=[LINT_REGION])):
        # Some messages show a set of names in hash order; sorted, every run prints the same text.
        line = _SET.sub(lambda found: "{" + ", ".join(sorted(found.group(1).split(", "))) + "}", f"line {match.linenumber}: {match.rule.id} {match.message}")
        (errors if match.rule.severity == "error" else warnings).append(line)
    return tuple(sorted(errors)), tuple(sorted(warnings))
