"""Renders an inventory document (see `inventory.gather`) as inventory.md and a printed summary."""

from __future__ import annotations

from lzctl.migrate.context import identity_mismatches

KEYS_TO_DELETE = "to delete once pipelines use OIDC"
TAGGING_NOTE = (
    "Resource counts come from the Resource Groups Tagging API, which sees resources that have or had tags; "
    "untagged ones are missing, so check the console of each region in use too."
)


def regions_in_use(inventory: dict) -> dict[str, int]:
    """Region -> how many things the inventory found there, for regions with any."""
    used = {}
    for region, part in inventory["by_region"].items():
        count = (
            sum(part["resources"].values())
            + len(part["trails"])
            + len(part["config_recorders"])
            + len(part["guardduty_detectors"])
            + len(part["alarms"])
            + len(part["subscriptions"])
            + int(part["security_hub"])
        )
        if count:
            used[region] = count
    return used


def ungoverned_in_use(inventory: dict) -> list[str]:
    governed = inventory["expected"].get("governed_regions")
    return [r for r in regions_in_use(inventory) if governed is not None and r not in governed]


def config_notes(inventory: dict) -> list[str]:
    """How the config must change for `pulumi up` to import this account as it is."""
    expected, account = inventory["expected"], inventory["account"]
    if not expected.get("key"):
        return [
            f'no account in the config adopts {account["id"]}: set `existing_account_id: "{account["id"]}"` on the prod account of the application it runs.'
        ]
    notes = [
        f"{field}: AWS did not let this profile read it; the config gives {expected[field]!r}, which must match exactly."
        for field in ("name", "email")
        if account.get(field) is None
    ]
    notes += [
        f"{field}: AWS has {actual!r}, the config gives {wanted!r}: set {field}: {actual!r} under the {expected['key']} account."
        for field, actual, wanted in identity_mismatches(account, expected)
    ]
    return notes or [f"name and root e-mail match the config's {expected['key']} account."]


def _table(header: list[str], rows: list[list]) -> list[str]:
    if not rows:
        return ["(none)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join("" if c is None else str(c) for c in row) + " |" for row in rows]


def _all(inventory: dict, key: str) -> list[tuple[str, object]]:
    return [(region, item) for region, part in inventory["by_region"].items() for item in part[key]]


def to_markdown(inventory: dict) -> str:
    account, by_region = inventory["account"], inventory["by_region"]
    used = regions_in_use(inventory)
    lines = [
        f"# Inventory of account {account['id']}",
        "",
        f"- name: {account['name'] or 'unreadable'}; aliases: {', '.join(account['aliases']) or 'none'}; "
        f"contact: {account['contact_name'] or 'unreadable'}; root e-mail: {account['email'] or 'unreadable'}",
        *[f"- could not read {item}" for item in account["unreadable"]],
        "",
        "## Config for the import",
        "",
        *[f"- {note}" for note in config_notes(inventory)],
        "",
        f"## Regions in use ({len(used)} of {len(by_region)} scanned)",
        "",
        *_table(
            ["region", "things found", "tagged resources per service"],
            [[r, n, ", ".join(f"{s} {c}" for s, c in by_region[r]["resources"].items())] for r, n in used.items()],
        ),
        "",
        *[f"- {r} is not a governed region: the region-deny SCP blocks it once the account joins; move these first." for r in ungoverned_in_use(inventory)],
        "",
        TAGGING_NOTE,
        "",
        "## IAM users and access keys",
        "",
        *_table(
            ["user", "key", "status", "created", "last used", "service"],
            [
                [u["name"], k["id"], k["status"], k["created"], k["last_used"] or "never", k["last_used_service"]]
                for u in inventory["iam"]["users"]
                for k in u["access_keys"]
            ]
            + [[u["name"], "(no keys)", "", u["created"], "", ""] for u in inventory["iam"]["users"] if not u["access_keys"]],
        ),
        "",
        f"### Long-lived access keys: {KEYS_TO_DELETE}",
        "",
        *([f"- {k['user']}: {k['key']} ({k['status']}, last used {k['last_used'] or 'never'})" for k in inventory["long_lived_keys"]] or ["(none)"]),
        "",
        "## GitHub OIDC",
        "",
        f"- providers: {', '.join(inventory['iam']['github']['providers']) or 'none'}",
        *[f"- role {r['name']} trusts GitHub for: {', '.join(r['subjects']) or 'ANY subject (no sub condition)'}" for r in inventory["iam"]["github"]["roles"]],
        "",
        "## Security services (Control Tower and the audit account take these over)",
        "",
        *_table(
            ["region", "kind", "name"],
            [[r, "CloudTrail trail" + (" (multi-region)" if t["multi_region"] else ""), t["name"]] for r, t in _all(inventory, "trails")]
            + [[r, "Config recorder (preflight fails until removed)", n] for r, n in _all(inventory, "config_recorders")]
            + [[r, "Config delivery channel (preflight fails until removed)", n] for r, n in _all(inventory, "config_channels")]
            + [[r, "GuardDuty detector", d] for r, d in _all(inventory, "guardduty_detectors")]
            + [[r, "Security Hub", "enabled"] for r, part in by_region.items() if part["security_hub"]],
        ),
        "",
        "## Monitoring to re-create where its workloads move (alarms, their notifications)",
        "",
        *_table(["region", "alarm", "actions"], [[r, a["name"], ", ".join(a["actions"])] for r, a in _all(inventory, "alarms")]),
        "",
        *_table(["region", "topic", "protocol", "endpoint"], [[r, s["topic"], s["protocol"], s["endpoint"]] for r, s in _all(inventory, "subscriptions")]),
        "",
        "## Looks like dev/stg (remove once the new accounts run it)",
        "",
        *_table(["kind", "name", "region", "matched"], [[f["kind"], f["name"], f["region"], f["matched"]] for f in inventory["dev_stg"]]),
    ]
    return "\n".join(lines) + "\n"


def summary(inventory: dict) -> list[str]:
    used, by_region = regions_in_use(inventory), inventory["by_region"]
    ungoverned = ungoverned_in_use(inventory)

    def count(key: str) -> int:
        return sum(len(part[key]) for part in by_region.values())

    hubs = [r for r, part in by_region.items() if part["security_hub"]]
    github = inventory["iam"]["github"]
    return [
        f"regions in use: {', '.join(f'{r} ({n})' for r, n in used.items()) or 'none'} of {len(by_region)} scanned"
        + (f"; not governed: {', '.join(ungoverned)}" if ungoverned else ""),
        f"IAM users: {len(inventory['iam']['users'])}; access keys: {len(inventory['long_lived_keys'])} long-lived, {KEYS_TO_DELETE}",
        f"CloudTrail trails: {count('trails')}; AWS Config: {count('config_recorders')} recorders, {count('config_channels')} delivery channels",
        f"GuardDuty detectors: {count('guardduty_detectors')}; Security Hub enabled in: {', '.join(hubs) or 'no region'}",
        f"GitHub OIDC: {len(github['providers'])} providers, {len(github['roles'])} roles trusting them",
        f"monitoring to re-create: {count('alarms')} alarms, {count('subscriptions')} SNS subscriptions",
        f"looks like dev/stg: {len(inventory['dev_stg'])}",
        *[f"config: {note}" for note in config_notes(inventory)],
        *[f"could not read {item}" for item in inventory["account"]["unreadable"]],
    ]
