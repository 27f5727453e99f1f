"""`inventory`: what the existing account holds that the move touches, read-only.

The result is one JSON-able document; `inventory_report` renders it. Reads that only the
management account or the root user may make (the account's name and root e-mail) are tried and,
when refused, recorded as unreadable instead of failing; any other refusal ends the run with
nothing written, since a partial inventory would understate what the move touches.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Optional

from botocore.exceptions import ClientError

from config.regions import AWS_REGIONS
from lzctl.migrate.aws import MigrationError, account_of, client, error_code, pages, policy_document, session_for
from lzctl.migrate.context import Context
from lzctl.migrate.inventory_report import summary, to_markdown

GITHUB_OIDC = "token.actions.githubusercontent.com"
# Whole words only: "dev" in "shop-dev-db" or "dev_bucket", not in "device" or "DevOps".
DEV_STG = re.compile(r"(?<![a-z])(dev|develop|development|stg|staging)(?![a-z])", re.IGNORECASE)
SERVICE_ROLE_PATHS = ("/aws-service-role/", "/aws-reserved/", "/service-role/")
ROOT_EMAIL_HINT = (
    "AWS shows it only to the root user (console: Account) or, once the account has joined, to the management "
    "account: `aws organizations describe-account --account-id {id}`"
)


def dev_stg_word(*texts: str) -> Optional[str]:
    """The dev/stg word in the first text that has one, or None."""
    for text in texts:
        match = DEV_STG.search(text or "")
        if match:
            return match.group(1)
    return None


def github_subjects(trust: dict) -> Optional[list[str]]:
    """The `sub` values a role's trust policy accepts from GitHub's OIDC provider; None if it trusts no GitHub."""
    subjects, trusts_github = [], False
    for statement in trust.get("Statement", []):
        federated = (statement.get("Principal") or {}).get("Federated", []) if isinstance(statement.get("Principal"), dict) else []
        if not any(GITHUB_OIDC in f for f in ([federated] if isinstance(federated, str) else federated)):
            continue
        trusts_github = True
        for condition in (statement.get("Condition") or {}).values():
            value = condition.get(f"{GITHUB_OIDC}:sub", [])
            subjects += [value] if isinstance(value, str) else value
    return subjects if trusts_github else None


def _when(value: Any) -> Optional[str]:
    return value.isoformat() if isinstance(value, datetime) else value


def _optional(unreadable: list[str], what: str, read: Callable[[], Any]) -> Any:
    try:
        return read()
    except ClientError as err:
        unreadable.append(f"{what} ({error_code(err)})")
        return None


def identity(session, account_id: str, region: str) -> dict:
    unreadable: list[str] = []
    account = client(session, "account", region)
    aliases = client(session, "iam", region).list_account_aliases()["AccountAliases"]
    info = _optional(unreadable, "account name: account:GetAccountInformation", account.get_account_information) or {}
    contact = _optional(unreadable, "contact name: account:GetContactInformation", account.get_contact_information) or {}
    known = _optional([], "", lambda: client(session, "organizations", region).describe_account(AccountId=account_id)["Account"]) or {}
    if not known:
        unreadable.append("root e-mail: " + ROOT_EMAIL_HINT.format(id=account_id))
    return {
        "id": account_id,
        "aliases": aliases,
        "name": known.get("Name") or info.get("AccountName"),
        "email": known.get("Email"),
        "contact_name": contact.get("ContactInformation", {}).get("FullName"),
        "unreadable": unreadable,
    }


def iam_part(session, region: str) -> dict:
    iam = client(session, "iam", region)
    users = []
    for user in pages(iam, "list_users", "Users"):
        keys = []
        for key in pages(iam, "list_access_keys", "AccessKeyMetadata", UserName=user["UserName"]):
            used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
            keys.append(
                {
                    "id": key["AccessKeyId"],
                    "status": key["Status"],
                    "created": _when(key["CreateDate"]),
                    "last_used": _when(used.get("LastUsedDate")),
                    "last_used_service": None if used.get("ServiceName") in (None, "N/A") else used["ServiceName"],
                }
            )
        users.append({"name": user["UserName"], "created": _when(user["CreateDate"]), "access_keys": keys})
    providers = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] if p["Arn"].endswith(GITHUB_OIDC)]
    roles, github_roles = [], []
    for role in pages(iam, "list_roles", "Roles"):
        if role["Path"].startswith(SERVICE_ROLE_PATHS):
            continue
        roles.append(role["RoleName"])
        subjects = github_subjects(policy_document(role["AssumeRolePolicyDocument"]))
        if subjects is not None:
            github_roles.append({"name": role["RoleName"], "arn": role["Arn"], "subjects": subjects})
    return {"users": users, "roles": roles, "github": {"providers": providers, "roles": github_roles}}


def regional(session, region: str) -> dict:
    tagging = client(session, "resourcegroupstaggingapi", region)
    tagged = [
        {"arn": r["ResourceARN"], "tags": {t["Key"]: t["Value"] for t in r.get("Tags", [])}} for r in pages(tagging, "get_resources", "ResourceTagMappingList")
    ]
    config = client(session, "config", region)
    watch = client(session, "cloudwatch", region)
    try:
        client(session, "securityhub", region).describe_hub()
        security_hub = True
    except ClientError as err:
        if error_code(err) not in ("InvalidAccessException", "ResourceNotFoundException"):
            raise
        security_hub = False
    return {
        "tagged": tagged,
        "trails": [
            {"name": t["Name"], "multi_region": t.get("IsMultiRegionTrail", False), "bucket": t.get("S3BucketName")}
            for t in client(session, "cloudtrail", region).describe_trails(includeShadowTrails=False)["trailList"]
        ],
        "config_recorders": [r["name"] for r in config.describe_configuration_recorders()["ConfigurationRecorders"]],
        "config_channels": [c["name"] for c in config.describe_delivery_channels()["DeliveryChannels"]],
        "guardduty_detectors": list(pages(client(session, "guardduty", region), "list_detectors", "DetectorIds")),
        "security_hub": security_hub,
        "alarms": [
            {"name": a["AlarmName"], "actions": a.get("AlarmActions", [])}
            for page in watch.get_paginator("describe_alarms").paginate(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
            for a in page.get("MetricAlarms", []) + page.get("CompositeAlarms", [])
        ],
        "subscriptions": [
            {"topic": s["TopicArn"], "protocol": s["Protocol"], "endpoint": s["Endpoint"]}
            for s in pages(client(session, "sns", region), "list_subscriptions", "Subscriptions")
        ],
    }


def count_services(by_region: dict[str, dict]) -> None:
    """Tagged resources per service and region, each resource once.

    An ARN without a region (an S3 bucket) can be listed by several regional endpoints; it counts
    in the first region scanned that lists it.
    """
    seen: set[str] = set()
    for part in by_region.values():
        part["tagged"] = [r for r in part["tagged"] if r["arn"] not in seen]
        seen.update(r["arn"] for r in part["tagged"] if not r["arn"].split(":")[3])
        counts: dict[str, int] = {}
        for resource in part["tagged"]:
            service = resource["arn"].split(":")[2]
            counts[service] = counts.get(service, 0) + 1
        part["resources"] = dict(sorted(counts.items()))


def dev_stg(inventory: dict) -> list[dict]:
    """Resources whose names or tag values look like dev or stg: what step 7 of the runbook removes from this account."""
    found = []

    def consider(kind: str, name: str, region: str, *texts: str) -> None:
        word = dev_stg_word(*texts)
        if word:
            found.append({"kind": kind, "name": name, "region": region, "matched": word})

    for user in inventory["iam"]["users"]:
        consider("iam user", user["name"], "global", user["name"])
    for role in inventory["iam"]["roles"]:
        consider("iam role", role, "global", role)
    for region, part in inventory["by_region"].items():
        for resource in part["tagged"]:
            name = resource["arn"] + (f" ({resource['tags']['Name']})" if "Name" in resource["tags"] else "")
            consider(resource["arn"].split(":")[2], name, region, resource["arn"].split(":", 5)[-1], *resource["tags"].values())
        for alarm in part["alarms"]:
            consider("cloudwatch alarm", alarm["name"], region, alarm["name"])
        for trail in part["trails"]:
            consider("cloudtrail trail", trail["name"], region, trail["name"])
        for topic in sorted({s["topic"] for s in part["subscriptions"]}):
            consider("sns topic", topic, region, topic.rsplit(":", 1)[-1])
    return found


def gather(session, account_id: str, regions: list[str], home_region: str, expected: dict, progress: Optional[Callable[[str], None]] = None) -> dict:
    """Everything the report shows; `expected` is what the config says of this account (may be empty).
    `progress` gets a line per region as its scan starts (a scan of every region takes minutes)."""
    by_region = {}
    for number, region in enumerate(regions, 1):
        if progress:
            progress(f"scanning {region} ({number}/{len(regions)})")
        by_region[region] = regional(session, region)
    inventory = {
        "account": identity(session, account_id, home_region),
        "expected": expected,
        "regions": regions,
        "iam": iam_part(session, home_region),
        "by_region": by_region,
    }
    count_services(inventory["by_region"])
    inventory["dev_stg"] = dev_stg(inventory)
    inventory["long_lived_keys"] = [
        {"user": user["name"], "key": key["id"], "status": key["status"], "last_used": key["last_used"]}
        for user in inventory["iam"]["users"]
        for key in user["access_keys"]
    ]
    return inventory


def terminal_progress(line: str) -> None:
    """One line on stderr, rewritten in place; only on a terminal, so logs and pipes stay clean."""
    print(f"\r\033[K{line}", end="", file=sys.stderr, flush=True)


def inventory(ctx: Context, args) -> int:
    unknown = [r for r in args.regions or [] if r not in AWS_REGIONS]
    if unknown:
        raise MigrationError(
            f"not AWS regions: {', '.join(unknown)}. Fix: pass region names such as ap-northeast-1, or omit --regions to scan every enabled region."
        )
    session = session_for(ctx.sessions, args.profile)
    account_id = account_of(session, ctx.region)
    regions = args.regions or sorted(r["RegionName"] for r in client(session, "ec2", ctx.region).describe_regions()["Regions"])
    expected: dict = {"governed_regions": list(ctx.landing_zone.organization.governed_regions)}
    adopted = [a for a in ctx.landing_zone.accounts if a.existing_account_id == account_id]
    if adopted:
        expected.update(key=adopted[0].key, name=adopted[0].name, email=adopted[0].email)
    on_terminal = sys.stderr.isatty()
    document = gather(session, account_id, regions, ctx.region, expected, terminal_progress if on_terminal else None)
    if on_terminal:
        terminal_progress("")
    out = Path(args.out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / "inventory.md").write_text(to_markdown(document), encoding="utf-8")
        (out / "inventory.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise MigrationError(f"cannot write the inventory to {out}: {err.strerror}. Fix: pass a writable --out-dir.") from None
    print(f"inventory of account {account_id} ({len(regions)} regions scanned): wrote {out / 'inventory.md'} and {out / 'inventory.json'}")
    for line in summary(document):
        print(f"  {line}")
    print(f"next: make the config match (see 'Config for the import' in inventory.md), then {ctx.command('preflight', '--profile', args.profile)}")
    return 0
