"""`lzctl docs`: the field reference of docs/configuration.md, generated from the config models."""

from __future__ import annotations

import datetime
from typing import Literal, Optional

import pytest
from pydantic import Field

from config import schema
from config.types import AccountId, Key, Model, Region
from lzctl import config_docs
from lzctl.cli import main
from tests.helpers import REPO


class Inner(Model):
    """An inner mapping."""

    name: str = Field(description="Its name.")


class Sample(Model):
    account: AccountId = Field(description="An account | with a pipe.")
    regions: list[Region] = Field(min_length=1, description="Where.")
    size: int = Field(5, ge=1, le=10)
    mode: Literal["a", "b"] = "a"
    when: Optional[datetime.date] = None
    tags: list[str] = Field(default_factory=lambda: ["x"])
    inner: Inner = Field(default_factory=lambda: Inner(name="n"))
    by_key: dict[Key, Inner] = Field(default_factory=dict)
    items: list[Inner] = Field(default_factory=list)


@pytest.mark.parametrize(
    "path, type_, default, description",
    [
        ("account", "[`AccountId`](#types)", "required", "An account | with a pipe."),
        ("regions", "list of [`Region`](#types) (not empty)", "required", "Where."),
        ("size", "integer (>= 1, <= 10)", "`5`", ""),
        ("mode", '"a" or "b"', '`"a"`', ""),
        ("when", "date (YYYY-MM-DD)", "none", ""),
        ("tags", "list of string", '`["x"]`', ""),
        ("inner", "mapping", "its fields' defaults", "An inner mapping."),
        ("inner.name", "string", "required", "Its name."),
        ("by_key", "map [`Key`](#types) -> mapping", "`{}`", ""),
        ("by_key.<key>.name", "string", "required", "Its name."),
        ("items[].name", "string", "required", "Its name."),
    ],
)
def test_each_field_becomes_a_row_with_path_type_default_and_description(path, type_, default, description):
    rows = {row.path: row for row in config_docs.rows(Sample)}
    assert (rows[path].type, rows[path].default, rows[path].description) == (type_, default, description)


def test_rows_walk_the_whole_config_in_declaration_order():
    paths = [row.path for row in config_docs.rows()]
    assert paths[:3] == ["version", "organization", "organization.management_account_id"]
    for expected in (
        "applications.<key>.accounts.<key>.existing_account_id",
        "identity_center.permission_sets.<name>.session_duration",
        "identity_center.assignments[].group",
        "guardrails.limits.scp_max_chars",
        "guardrails.backup_policy.schedule",
    ):
        assert expected in paths
    assert len(paths) == len(set(paths))


def test_every_limit_names_the_page_that_states_it():
    assert set(config_docs.LIMIT_SOURCES) == set(schema.Limits.model_fields)
    assert all(source.startswith("https://docs.aws.amazon.com/") for source in config_docs.LIMIT_SOURCES.values())
    reference = config_docs.reference()
    assert (
        "| `guardrails.limits.scps_per_target` | `10` | SCPs one root, OU or account holds, FullAWSAccess included | "
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html |" in reference
    )


def test_the_types_table_holds_every_named_type_the_reference_uses():
    reference = config_docs.reference()
    types_table = reference.split("### Types", 1)[1]
    assert "| `AccountId` | string (pattern `^\\d{12}$`) |" in types_table
    assert "| `Region` | string (checked by `config.types._check_region`) |" in types_table
    used = {name for name, _ in config_docs.ALIASES if f"[`{name}`](#types)" in reference.split("### Types", 1)[0]}
    assert used and all(f"| `{name}` |" in types_table for name in used)


def test_the_shipped_page_is_current():
    assert main(["docs", "--check"]) == 0


def test_check_exits_4_on_a_stale_page_and_docs_rewrites_it(tmp_path, capsys):
    page = tmp_path / "configuration.md"
    page.write_text(f"# hand-written\n\n{config_docs.BEGIN}\nSTALE TEXT\n{config_docs.END}\n\nafter\n")
    assert main(["docs", "--check", "--file", str(page)]) == 4
    out, err = capsys.readouterr()
    assert out == "" and f"{page} is stale: the config models changed. Hint: run `python -m lzctl docs` and commit the page." in err
    assert main(["docs", "--file", str(page)]) == 0
    text = page.read_text()
    assert text.startswith("# hand-written\n\n") and text.endswith(f"{config_docs.END}\n\nafter\n") and "STALE TEXT" not in text
    assert main(["docs", "--check", "--file", str(page)]) == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read {page}: file not found"),
        ("no markers\n", "{page}: no <!-- reference:begin (python -m lzctl docs) --> ... <!-- reference:end --> markers to put the reference between"),
    ],
)
def test_bad_input_exits_2_with_nothing_on_stdout(tmp_path, capsys, content, message):
    page = tmp_path / "configuration.md"
    if content is not None:
        page.write_text(content)
    assert main(["docs", "--check", "--file", str(page)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and message.format(page=page) in err and "Traceback" not in err


def test_the_page_lives_in_the_repository():
    assert config_docs.PAGE == REPO / "docs" / "configuration.md"
