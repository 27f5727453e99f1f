"""Secret config stays secret through the offline plan: never in inputs, outputs or JSON."""

from __future__ import annotations

import json

import pytest

from config import ConfigError
from lzctl import render
from lzctl.plan import plan_stack
from lzctl.runtime import SECRET
from lzctl.stackfile import OFFLINE_PLACEHOLDER

PROGRAM = """
import pulumi
import pulumi_aws as aws

token = pulumi.Config().require_secret("slackToken")
aws.ssm.Parameter("slack-token", type="SecureString", value=token)
pulumi.export("slackToken", token)
pulumi.export("channel", "deploys")
"""


@pytest.mark.integration
def test_secure_config_is_masked_in_inputs_and_outputs(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: secrets-check\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  secrets-check:slackToken:\n    secure: AAABAJZ3c2VjcmV0\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    plan = plan_stack("dev", project_dir=tmp_path)
    assert plan.named("slack-token").inputs["value"] == SECRET
    assert plan.outputs == {"slackToken": SECRET, "channel": "deploys"}
    document = json.dumps(render.to_json(plan)) + render.to_tree(plan)
    assert OFFLINE_PLACEHOLDER not in document and "AAABAJZ3c2VjcmV0" not in document


def test_a_stack_file_whose_config_is_not_a_mapping_is_refused(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: odd\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: [a]\n")
    with pytest.raises(ConfigError, match="Pulumi.dev.yaml: config: must be a mapping"):
        plan_stack("dev", project_dir=tmp_path)


@pytest.mark.integration
def test_an_empty_stack_file_is_a_stack_with_no_config(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: bare\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("")
    (tmp_path / "__main__.py").write_text("import pulumi\npulumi.export('ok', True)\n")
    assert plan_stack("dev", project_dir=tmp_path).outputs == {"ok": True}
