"""`python -m lzctl what-if --stack management`: would the planned guardrails deny these calls?

Plans the stack offline (as `lzctl plan` does, `--config DIR` for a proposed config), reads the
organisation from the plan (guardrails/plan_policies.py) and answers each request with the
simulator (guardrails/simulator.py): `allowed`, or `denied` with the policy, the target (root, OU
key, account key) and the statement Sid. One request from the options, or `--requests FILE`: JSON
lines, each a request (`{"account", "principal", "action", "resource", "region", "context"}`) or a
CloudTrail record as the log stack's Athena table returns it (lzctl/cloudtrail_requests.py).

Exit codes: 0 answered (whatever the answers); 2 bad input (every problem on stderr, nothing on
stdout); 1 a bug.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import pulumi

from config.regions import AWS_REGIONS
from guardrails import iam_actions
from guardrails.iam_matching import PolicyError
from guardrails.plan_policies import PlannedOrganization, planned_organization
from guardrails.simulator import TYPE_LABELS, Decision, PrincipalError, Request, evaluate, parse_principal
from lzctl import cloudtrail_requests
from lzctl.plan import plan_stack
from names import MANAGEMENT_STACK

EXIT_BAD_INPUT = 2
ACTION = re.compile(r"^[A-Za-z0-9-]+:[A-Za-z0-9]+$")
REQUEST_FIELDS = ("account", "principal", "action", "resource", "region", "context")


@dataclass
class Item:
    label: str
    """`line N` of the requests file, or '' for the request given as options."""
    account: str = ""
    request: Optional[Request] = None
    skipped: str = ""
    then: Optional[str] = None
    """A CloudTrail record's errorCode: what AWS answered at the time."""
    notes: list[str] = field(default_factory=list)


def add_parser(verbs) -> argparse.ArgumentParser:
    what_if = verbs.add_parser("what-if", help="would the planned SCPs, RCPs and Control Tower controls deny these calls? (offline)")
    what_if.add_argument("--stack", required=True, help="stack name: Pulumi.<stack>.yaml must exist")
    what_if.add_argument("--config", type=Path, help="folder holding landing-zone.yaml (default: the stack's configDir)")
    what_if.add_argument("--account", help="account key the call lands in (the resource's account), e.g. shop-prod")
    what_if.add_argument("--principal", help="caller: role/user/root ARN, an assumed-role session ARN, or a service such as cloudtrail.amazonaws.com")
    what_if.add_argument("--action", help="IAM action, e.g. s3:DeleteObject")
    what_if.add_argument("--resource", help="resource ARN (default: not given; statements limited to resources are then taken to apply)")
    what_if.add_argument("--region", help="aws:RequestedRegion (default: the home region)")
    what_if.add_argument(
        "--context",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a context key, e.g. aws:MultiFactorAuthPresent=true; repeat a key for several values",
    )
    what_if.add_argument("--requests", type=Path, metavar="FILE", help="JSON lines: requests or CloudTrail records (docs/guardrails.md, 'What if')")
    what_if.add_argument("--json", action="store_true", help="one JSON document instead of text")
    what_if.set_defaults(handler=run)
    return what_if


def _organization(args: argparse.Namespace) -> tuple[Optional[PlannedOrganization], dict]:
    plan = plan_stack(args.stack, args.config)
    outputs = dict(plan.outputs)
    planned = planned_organization(plan.resources, outputs.get("accountIds"))
    if planned is None:
        management = plan_stack(MANAGEMENT_STACK, args.config)
        outputs = {**management.outputs, **outputs}
        planned = planned_organization(management.resources, management.outputs.get("accountIds"))
    return planned, outputs


def _context_pairs(pairs: list[str], where: str, problems: list[str]) -> dict[str, list[str]]:
    context: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or ":" not in key:
            problems.append(f"{where}: expected KEY=VALUE with a key such as aws:MultiFactorAuthPresent (got {pair!r})")
            continue
        context.setdefault(key.strip(), []).append(value)
    return context


def _request(where: str, planned: PlannedOrganization, home_region: str, fields: dict, problems: list[str]) -> Item:
    """Validate one request's fields; append a message per problem."""
    item = Item(where)
    before = len(problems)
    prefix = f"{where}: " if where else "--"
    account = fields.get("account")
    if not account:
        problems.append(f"{prefix}account: missing. Hint: one of {', '.join(sorted(planned.account_ids))}")
    elif account not in planned.account_ids:
        problems.append(f"{prefix}account: no account {account!r} in the plan. Hint: known: {', '.join(sorted(planned.account_ids))}")
    principal = fields.get("principal") or ""
    try:
        parse_principal(principal)
    except PrincipalError as err:
        problems.append(f"{prefix}principal: {err}")
    action = fields.get("action") or ""
    if not ACTION.match(action):
        problems.append(f"{prefix}action: an IAM action is service:Name, no wildcard (got {action!r}). Hint: s3:DeleteObject")
    elif not iam_actions.known_action(action):
        close = iam_actions.suggestions(action)
        if close:
            item.notes.append(f"did you mean {', '.join(close)}?")
    resource = fields.get("resource") or ""
    if resource not in ("", "*") and (not resource.startswith("arn:") or len(resource.split(":", 5)) != 6):
        problems.append(f"{prefix}resource: not an ARN (got {resource!r}). Hint: arn:aws:s3:::bucket/key")
    region = fields.get("region") or ""
    if region and region not in AWS_REGIONS:
        problems.append(f"{prefix}region: not an AWS region (got {region!r}). Hint: e.g. {home_region}")
    if not region:
        region = home_region
        item.notes.append(f"region not given: the home region {home_region} is assumed")
    context = fields.get("context") or {}
    if not isinstance(context, dict) or not all(isinstance(v, (str, list)) for v in context.values()):
        problems.append(f"{prefix}context: an object of key -> string or list of strings (got {context!r})")
        context = {}
    if len(problems) == before:
        item.account = account
        item.request = Request(principal, iam_actions.canonical(action), planned.account_ids[account], "" if resource == "*" else resource, region, context)
    return item


def _from_file(path: Path, planned: PlannedOrganization, home_region: str, problems: list[str]) -> list[Item]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        problems.append(f"cannot read --requests {path}: {getattr(err, 'strerror', None) or err}")
        return []
    keys_by_id = {v: k for k, v in planned.account_ids.items()}
    items = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        where = f"{path} line {number}"
        try:
            line = json.loads(text)
        except ValueError as err:
            problems.append(f"{where}: not JSON ({err.msg} at column {err.colno})")
            continue
        if not isinstance(line, dict):
            problems.append(f"{where}: expected a JSON object (a request or a CloudTrail record)")
            continue
        if cloudtrail_requests.is_record(line):
            try:
                record = cloudtrail_requests.request_of(line)
            except cloudtrail_requests.RecordError as err:
                problems.append(f"{where}: {err}")
                continue
            except cloudtrail_requests.Skip as skip:
                items.append(Item(f"line {number}", skipped=str(skip)))
                continue
            if record.account_id not in keys_by_id:
                items.append(Item(f"line {number}", skipped=f"account {record.account_id} is not in the planned organisation"))
                continue
            fields = {
                "account": keys_by_id[record.account_id],
                "principal": record.principal,
                "action": record.action,
                "resource": record.resource,
                "region": record.region,
                "context": record.context,
            }
            item = _request(where, planned, home_region, fields, problems)
            item.label, item.then = f"line {number}", record.error_code
            items.append(item)
            continue
        unknown = sorted(set(line) - set(REQUEST_FIELDS))
        if unknown:
            problems.append(f"{where}: unknown field {unknown[0]!r}. Hint: a request has {', '.join(REQUEST_FIELDS)}; a CloudTrail record has eventsource")
            continue
        item = _request(where, planned, home_region, line, problems)
        item.label = f"line {number}"
        items.append(item)
    return items


def _single(args: argparse.Namespace) -> dict:
    return {"account": args.account, "principal": args.principal, "action": args.action, "resource": args.resource, "region": args.region}


def _shape(args: argparse.Namespace) -> Optional[str]:
    """What is wrong with the choice of options, before anything is planned."""
    single = _single(args)
    if args.requests:
        given = [f"--{name}" for name, value in single.items() if value] + (["--context"] if args.context else [])
        return f"--requests takes the requests from the file; drop {', '.join(given)}" if given else None
    missing = [f"--{name}" for name in ("account", "principal", "action") if not single[name]]
    return f"what-if needs {', '.join(missing)} (or --requests FILE)" if missing else None


def _items(args: argparse.Namespace, planned: PlannedOrganization, home_region: str, problems: list[str]) -> list[Item]:
    if args.requests:
        return _from_file(args.requests, planned, home_region, problems)
    single = _single(args)
    single["context"] = _context_pairs(args.context, "--context", problems)
    return [_request("", planned, home_region, single, problems)]


def _report(problems: list[str]) -> int:
    print(f"what-if: {len(problems)} problem{'s' if len(problems) > 1 else ''}", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _result(item: Item, decision: Optional[Decision]) -> dict:
    result: dict = {"request": item.label or "options"}
    if item.request is None:
        return {**result, "decision": "skipped", "why": item.skipped}
    request = item.request
    result.update(
        account=item.account,
        principal=request.principal,
        action=request.action,
        resource=request.resource or None,
        region=request.region,
        context={k: list(v) if isinstance(v, list) else [v] for k, v in request.context.items()},
        decision="allowed" if decision.allowed else "denied",
        denied_by=[{"policy": m.policy, "type": m.policy_type, "target": m.target, "sid": m.sid, "source": m.source} for m in decision.denials],
        no_allow=list(decision.implicit),
        reasons=list(decision.reasons),
        assumptions=list(decision.assumptions),
        notes=[*decision.notes, *item.notes],
    )
    if item.then is not None:
        result["then"] = item.then
    return result


def _text(result: dict) -> str:
    head = f"{result['request']}: " if result["request"] != "options" else ""
    if result["decision"] == "skipped":
        return f"{head}skipped: {result['why']}"
    lines = [
        f"{head}{result['decision']}: {result['action']} by {result['principal']} on {result['resource'] or '(no resource given)'}"
        f" in {result['account']}, {result['region']}" + (f" (then: {result['then']})" if "then" in result else "")
    ]
    lines += [f"  denied by {TYPE_LABELS[m['type']]} {m['policy']} on {m['target']}, statement {m['sid'] or '(no Sid)'}" for m in result["denied_by"]]
    lines += [f"  no Allow: {level}" for level in result["no_allow"]]
    lines += [f"  {reason}" for reason in (result["reasons"] if result["decision"] == "allowed" else ())]
    lines += [f"  assuming {assumption}" for assumption in result["assumptions"]]
    lines += [f"  note: {note}" for note in result["notes"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    shape = _shape(args)
    if shape:
        return _report([shape])
    try:
        planned, outputs = _organization(args)
    except pulumi.RunError as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_INPUT
    if planned is None:
        print(f"what-if: the plan of {args.stack} has no organisation to evaluate", file=sys.stderr)
        return EXIT_BAD_INPUT
    problems: list[str] = []
    items = _items(args, planned, str(outputs.get("homeRegion") or "us-east-1"), problems)
    decisions = []
    for item in items if not problems else ():
        try:
            decisions.append(evaluate(item.request, planned.organization) if item.request else None)
        except PolicyError as err:
            problems.append(f"a planned policy cannot be evaluated: {err}")
            break
    if problems:
        return _report(problems)
    results = [_result(item, decision) for item, decision in zip(items, decisions, strict=True)]
    counts = {kind: sum(r["decision"] == kind for r in results) for kind in ("allowed", "denied", "skipped")}
    if args.json:
        print(json.dumps({"stack": args.stack, "results": results, "summary": counts}, indent=2, ensure_ascii=False))
        return 0
    for result in results:
        print(_text(result))
    if args.requests:
        print(f"{len(results)} requests: {counts['allowed']} allowed, {counts['denied']} denied, {counts['skipped']} skipped")
    return 0
