"""A config folder of your own (issue 12.5): only landing-zone.yaml is needed; the shipped
conformance packs and policy templates are the defaults, the folder's files of the same name
replace them, and new names add to them."""

from __future__ import annotations

import copy
import json
import os
from warnings import catch_warnings, simplefilter

import pytest
import yaml

import config
from config import ConfigError
from config.resolve import SHIPPED_CONFORMANCE_PACKS
from lzctl import review
from tests.helpers import example_data

OWN_ROOT_DENY = {
    "Sid": "OwnDenyRoot",
    "Effect": "Deny",
    "Action": "*",
    "Resource": "*",
    "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
}


def own_folder(tmp_path, mutate=lambda data: None, files: tuple[tuple[str, str], ...] | dict[str, str] = ()):
    """A folder holding landing-zone.yaml (the example without its inline policy file) and `files`."""
    data = copy.deepcopy(example_data())
    del data["identity_center"]["permission_sets"]["DeveloperAccess"]["inline_policy"]
    mutate(data)
    folder = tmp_path / "mine"
    folder.mkdir(parents=True)
    (folder / config.CONFIG_FILE).write_text(yaml.safe_dump(data, sort_keys=False))
    for name, text in dict(files).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def scps(landing_zone) -> dict[str, str]:
    return {doc.key: doc.content for doc in landing_zone.guardrails.policies if doc.policy_type.key == "scp"}


def test_a_folder_with_only_landing_zone_yaml_loads_with_the_shipped_defaults(tmp_path, example):
    folder = own_folder(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["landing-zone.yaml"]
    mine = config.load(folder, refuse_example_domains=False)
    shipped = (SHIPPED_CONFORMANCE_PACKS / "landing-zone.yaml").read_text()
    assert mine.security_services.conformance_pack_template == shipped == example.security_services.conformance_pack_template
    assert scps(mine) == scps(example)


def test_the_folder_s_template_replaces_the_shipped_one_of_its_name_and_new_names_add(tmp_path, example):
    own = '{"Sid": "OwnExtra", "Effect": "Deny", "Action": "ec2:CreateVpc", "Resource": "*"}'

    def add_target(data):
        data["guardrails"]["scp"] = {"targets": {"prod": ["own-extra"]}}

    files = {"policy-templates/scp/deny-root-user.json": json.dumps(OWN_ROOT_DENY), "policy-templates/scp/own-extra.json": own}
    mine = config.load(own_folder(tmp_path, add_target, files), refuse_example_domains=False)
    assert list(scps(mine)) == ["prod-own-extra"] and "OwnExtra" in scps(mine)["prod-own-extra"]
    replaced = config.load(own_folder(tmp_path / "b", files=files), refuse_example_domains=False)
    root = scps(replaced)["root-deny-leaving-organization"]
    assert '"Sid":"OwnDenyRoot"' in root and "OwnDenyRoot" not in scps(example)["root-deny-leaving-organization"]


@pytest.mark.parametrize(
    "files, link, expected",
    [
        (
            {"policy-templates/scp/deny-root-user.json": "{not json"},
            None,
            "guardrails.scp.targets.root: scp template deny-root-user is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            {},
            "policy-templates/scp/deny-root-user.json",
            "guardrails.scp: policy-templates/scp/deny-root-user.json: path resolves outside the config folder (a symbolic link to {outside})",
        ),
    ],
)
def test_a_bad_template_of_the_folder_is_refused_naming_it(tmp_path, files, link, expected):
    folder = own_folder(tmp_path, files=files)
    if link:
        (folder / link).parent.mkdir(parents=True, exist_ok=True)
        outside = tmp_path / "outside.json"
        outside.write_text("{}")
        os.symlink(outside, folder / link)
    with pytest.raises(ConfigError) as raised:
        config.load(folder, refuse_example_domains=False)
    assert [f"{issue.path}: {issue.message}" for issue in raised.value.issues] == [expected.format(outside=tmp_path / "outside.json")]


def test_an_unknown_pack_names_the_shipped_ones(tmp_path):
    folder = own_folder(tmp_path, lambda data: data.setdefault("security_services", {}).setdefault("config", {}).update(conformance_pack="mine"))
    with pytest.raises(ConfigError) as raised:
        config.load(folder, refuse_example_domains=False)
    [issue] = raised.value.issues
    assert (issue.message, issue.hint) == (
        "conformance pack template not found",
        f"create {folder}/conformance-packs/mine.yaml, or name a shipped one (landing-zone)",
    )


def test_only_the_templates_the_targets_name_are_read(tmp_path, example):
    """Looked up by name: a file no target names is never opened, however bad (here a link out and
    a name that is not a key), so the folder's size does not bound the work."""
    folder = own_folder(tmp_path, files={"policy-templates/scp/Deny Root.json": "{not json"})
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    os.symlink(outside, folder / "policy-templates/scp/unused.json")
    (folder / "policy-templates/scps").mkdir()
    loaded = config.load(folder, refuse_example_domains=False)
    assert scps(loaded) == scps(example)
    # Listed, never read: what no target takes is told, so a misspelt override is noticed.
    assert [w for w in loaded.warnings if w.startswith("policy-templates/")] == [
        "policy-templates/scp/Deny Root.json: no guardrails.scp target names Deny Root, so it is not used",
        "policy-templates/scp/unused.json: no guardrails.scp target names unused, so it is not used",
        "policy-templates/scps: not a policy type (ai_opt_out, backup_policy, declarative_ec2, rcp, s3_policy, scp, tag_policy), so nothing in it is used",
    ]


def test_the_review_marks_the_folder_s_templates(tmp_path):
    def add_target(data):
        data["guardrails"]["scp"] = {"targets": {"root": ["deny-leaving-organization", "deny-root-user"], "prod": ["own-extra"]}}

    own = '{"Sid": "OwnExtra", "Effect": "Deny", "Action": "ec2:CreateVpc", "Resource": "*"}'
    files = {"policy-templates/scp/deny-root-user.json": json.dumps(OWN_ROOT_DENY), "policy-templates/scp/own-extra.json": own}
    lines = review.guardrails(config.load(own_folder(tmp_path, add_target, files), refuse_example_domains=False))
    assert "    SCP: deny-leaving-organization, deny-root-user (config folder)" in lines
    assert lines[lines.index("  prod") + 1] == "    SCP: own-extra (config folder)"


def test_a_templates_folder_over_the_listing_cap_is_told_not_silently_cut(tmp_path, monkeypatch):
    """The listing is capped (bounded work); a folder holding more says so, or a misspelt override
    past the cap would go unnoticed."""
    from config import policy_checks

    monkeypatch.setattr(policy_checks, "FOLDER_LISTING_CAP", 2)
    scp = tmp_path / "policy-templates" / "scp"
    scp.mkdir(parents=True)
    for name in ("a.json", "b.json"):
        (scp / name).write_text("{}")
    assert policy_checks.unused_templates(tmp_path, {"scp": {"a"}}) == ["policy-templates/scp/b.json: no guardrails.scp target names b, so it is not used"]
    (scp / "c.json").write_text("{}")
    with catch_warnings(record=True) as caught:
        simplefilter("always", ResourceWarning)
        warnings = policy_checks.unused_templates(tmp_path, {"scp": {"a"}})
    assert [str(warning.message) for warning in caught] == []
    assert warnings[0] == "policy-templates/scp: more than 2 entries, so only 2 were looked at for unused templates"
    # Which two are looked at is the file system's order: at least one of b and c.
    unused = {f"policy-templates/scp/{n}.json: no guardrails.scp target names {n}, so it is not used" for n in "bc"}
    assert warnings[1:] and set(warnings[1:]) <= unused
