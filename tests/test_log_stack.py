"""The log stack in both landing-zone modes: log analysis always, the organisation trail without Control Tower."""

from __future__ import annotations

import copy
import json

import pytest
from parliament import analyze_policy_string

from logs.cloudtrail import CLOUDTRAIL_COLUMNS, CLOUDTRAIL_INPUT_FORMAT, CLOUDTRAIL_SERDE
from logs.queries import ORGANIZATIONS_POLICY_CHANGES, saved_queries
from lzctl.plan import views
from names import LIMITS_OUTPUT
from rules import evaluate
from tests.helpers import both, example_data, setter, shared_plan, write_config

TRAIL = "aws:cloudtrail/trail:Trail"
BUCKET = "aws:s3/bucket:Bucket"
MANAGEMENT_ID = "123456789012"
DATABASE, TABLE, WORKGROUP, TRAIL_NAME = "landing_zone_logs", "cloudtrail", "landing-zone-log-analysis", "landing-zone-organization-trail"
CT_OFF_SETTINGS = {"athena_results_expiry_days": 7, "object_lock_days": 400, "glacier_after_days": 60}


@pytest.fixture(scope="module")
def ct_on(log_plan):
    return log_plan


@pytest.fixture(scope="module")
def ct_off(tmp_path_factory):
    data = copy.deepcopy(example_data())
    both(setter("guardrails.control_tower.enabled", False), setter("log_archive", CT_OFF_SETTINGS))(data)
    return shared_plan("log", write_config(tmp_path_factory.mktemp("ct-off"), data))


@pytest.fixture(scope="module")
def management_outputs(management_plan):
    return management_plan.outputs


def log_id(outputs) -> str:
    return outputs["accountIds"]["log"]


def policy(plan, name) -> dict:
    return json.loads(plan.named(name).inputs["policy"])


def statement(document, sid) -> dict:
    return next(s for s in document["Statement"] if s.get("Sid") == sid)


# --- saved queries (pure) ---

SINCE = "day >= date_format(current_date - interval '30' day, '%Y/%m/%d')"
QUERY_PREDICATES = {
    "root-sign-ins": ["eventname = 'ConsoleLogin'", "useridentity.type = 'Root'"],
    "console-sign-ins-without-mfa": [
        "eventname = 'ConsoleLogin'",
        "json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'",
        "useridentity.type IN ('Root', 'IAMUser')",
    ],
    "iam-and-scp-changes": [
        "eventsource = 'iam.amazonaws.com' AND readonly = 'false'",
        "eventsource = 'organizations.amazonaws.com' AND eventname IN (",
        *(f"'{event}'" for event in ("AttachPolicy", "DetachPolicy", "CreatePolicy", "UpdatePolicy")),
    ],
    "failed-role-assumptions": ["eventsource = 'sts.amazonaws.com'", "eventname LIKE 'AssumeRole%'", "errorcode IS NOT NULL"],
}


@pytest.mark.parametrize("key, predicates", QUERY_PREDICATES.items(), ids=list(QUERY_PREDICATES))
def test_each_saved_query_asks_its_question_over_recent_partitions(key, predicates):
    query = {q.key: q for q in saved_queries("db", "tbl")}[key]
    assert f'FROM "db"."tbl"\nWHERE {SINCE}' in query.sql
    for predicate in predicates:
        assert predicate in query.sql, predicate


def test_saved_queries_are_exactly_the_four_questions():
    assert [q.key for q in saved_queries("db", "tbl")] == list(QUERY_PREDICATES)
    assert {"AttachPolicy", "DetachPolicy", "CreatePolicy", "UpdatePolicy"} <= set(ORGANIZATIONS_POLICY_CHANGES)
    assert "interval '7' day" in saved_queries("db", "tbl", lookback_days=7)[0].sql


@pytest.mark.integration
def test_the_plan_saves_the_queries_in_the_workgroup_and_database(ct_on):
    queries = {r.name: r.inputs for r in ct_on.of_type("aws:athena/namedQuery:NamedQuery")}
    assert queries == {
        f"log-analysis-{q.key}-query": {"name": q.name, "description": q.description, "workgroup": WORKGROUP, "database": DATABASE, "query": q.sql}
        for q in saved_queries(DATABASE, TABLE)
    }


# --- log analysis (both modes) ---


@pytest.mark.integration
def test_workgroup_enforces_encrypted_results_in_the_results_bucket(ct_on, management_outputs):
    account = log_id(management_outputs)
    config = ct_on.named("log-analysis-workgroup").inputs["configuration"]
    assert config["enforceWorkgroupConfiguration"] is True
    assert config["publishCloudwatchMetricsEnabled"] is True
    assert 10 * 1024**2 <= config["bytesScannedCutoffPerQuery"] <= 100 * 1024**3
    results = config["resultConfiguration"]
    assert results["outputLocation"] == f"s3://landing-zone-athena-results-{account}-ap-northeast-1/results/"
    assert results["expectedBucketOwner"] == account
    assert results["encryptionConfiguration"]["encryptionOption"] == "SSE_KMS"
    assert results["encryptionConfiguration"]["kmsKeyArn"].startswith(f"arn:aws:kms:ap-northeast-1:{account}:key/")


@pytest.mark.integration
@pytest.mark.parametrize("plan_name, expiry", [("ct_on", 30), ("ct_off", 7)])
def test_results_bucket_is_private_encrypted_tls_only_and_expires(request, plan_name, expiry):
    plan = request.getfixturevalue(plan_name)
    bucket = plan.named("log-analysis-results-bucket")
    blocked = plan.named("log-analysis-results-public-access-block").inputs
    assert blocked["bucket"] == bucket.id
    assert all(blocked[flag] is True for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    rule = plan.named("log-analysis-results-encryption").inputs["rules"][0]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith("arn:aws:kms:")
    assert plan.named("log-analysis-results-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    deny = statement(policy(plan, "log-analysis-results-policy"), "DenyInsecureTransport")
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [f"arn:aws:s3:::{bucket.inputs['bucket']}", f"arn:aws:s3:::{bucket.inputs['bucket']}/*"]
    [lifecycle] = plan.named("log-analysis-results-lifecycle").inputs["rules"]
    assert lifecycle["status"] == "Enabled" and lifecycle["expiration"] == {"days": expiry}


@pytest.mark.integration
def test_table_reads_control_tower_logs_of_the_organisation(ct_on, management_outputs):
    org, account = management_outputs["organizationId"], log_id(management_outputs)
    table = ct_on.named("log-analysis-cloudtrail-table").inputs
    location = f"s3://aws-controltower-logs-{account}-ap-northeast-1/{org}/AWSLogs/{org}/"
    assert table["storageDescriptor"]["location"] == location
    parameters = table["parameters"]
    assert parameters["storage.location.template"] == location + "${account}/CloudTrail/${region}/${day}"
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.account.values"].split(",") == sorted(management_outputs["accountIds"].values())
    assert {"ap-northeast-1", "us-east-1", "eu-west-1"} <= set(parameters["projection.region.values"].split(","))
    assert (parameters["projection.day.type"], parameters["projection.day.format"]) == ("date", "yyyy/MM/dd")
    assert [k["name"] for k in table["partitionKeys"]] == ["account", "region", "day"]


@pytest.mark.integration
def test_table_uses_the_cloudtrail_serde_and_the_standard_columns(ct_on):
    table = ct_on.named("log-analysis-cloudtrail-table").inputs
    storage = table["storageDescriptor"]
    assert storage["serDeInfo"]["serializationLibrary"] == CLOUDTRAIL_SERDE
    assert storage["inputFormat"] == CLOUDTRAIL_INPUT_FORMAT
    columns = {c["name"]: c["type"] for c in storage["columns"]}
    assert columns == dict(CLOUDTRAIL_COLUMNS)
    for name in ("eventtime", "eventsource", "eventname", "errorcode", "additionaleventdata", "readonly", "recipientaccountid", "tlsdetails"):
        assert name in columns
    assert columns["useridentity"].startswith("struct<type:string,") and "sessionissuer:struct<" in columns["useridentity"]
    assert table["tableType"] == "EXTERNAL_TABLE" and table["databaseName"] == DATABASE


@pytest.mark.integration
def test_with_control_tower_the_log_stack_makes_no_trail(ct_on):
    assert ct_on.of_type(TRAIL) == []
    assert not [r for r in ct_on.resources if r.type == "landingzone:organization_trail:OrganizationTrail"]
    assert [r.inputs["bucket"] for r in ct_on.of_type(BUCKET)] == [ct_on.outputs["athenaResultsBucket"]]
    assert set(ct_on.outputs) == {"athenaWorkgroup", "glueDatabase", "cloudTrailTable", "athenaResultsBucket", LIMITS_OUTPUT}


# --- organisation trail (Control Tower off) ---


@pytest.mark.integration
def test_without_control_tower_the_log_account_runs_the_organisation_trail(ct_off, management_outputs):
    [trail] = ct_off.of_type(TRAIL)
    inputs = trail.inputs
    assert inputs["name"] == TRAIL_NAME
    assert inputs["isOrganizationTrail"] and inputs["isMultiRegionTrail"] and inputs["includeGlobalServiceEvents"]
    assert inputs["enableLogFileValidation"] and inputs["enableLogging"]
    assert inputs["kmsKeyId"].startswith(f"arn:aws:kms:ap-northeast-1:{log_id(management_outputs)}:key/")
    assert inputs["kmsKeyId"] == ct_off.named("organization-trail-logs-encryption").inputs["rules"][0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
    assert inputs["s3BucketName"] == ct_off.outputs["trailBucket"] == f"landing-zone-org-trail-{log_id(management_outputs)}-ap-northeast-1"
    assert ct_off.named("organization-trail-logs-policy").urn in trail.dependencies
    assert ct_off.outputs["trailArn"] == f"arn:aws:cloudtrail:ap-northeast-1:{MANAGEMENT_ID}:trail/{TRAIL_NAME}"


@pytest.mark.integration
def test_trail_bucket_is_versioned_and_object_locked_for_the_configured_days(ct_off):
    assert ct_off.named("organization-trail-logs-bucket").inputs["objectLockEnabled"] is True
    assert ct_off.named("organization-trail-logs-versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    lock = ct_off.named("organization-trail-logs-object-lock").inputs["rule"]["defaultRetention"]
    assert lock == {"mode": "GOVERNANCE", "days": CT_OFF_SETTINGS["object_lock_days"]}
    assert ct_off.named("organization-trail-logs-versioning").urn in ct_off.named("organization-trail-logs-object-lock").dependencies
    assert ct_off.named("organization-trail-logs-bucket").protect and ct_off.named("organization-trail-logs-key").protect


@pytest.mark.integration
def test_trail_bucket_policy_is_tls_only_and_lets_only_this_trail_write(ct_off, management_outputs):
    document = policy(ct_off, "organization-trail-logs-policy")
    bucket, org = f"arn:aws:s3:::{ct_off.outputs['trailBucket']}", management_outputs["organizationId"]
    source = {"aws:SourceArn": ct_off.outputs["trailArn"]}
    assert statement(document, "DenyInsecureTransport")["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    acl = statement(document, "AWSCloudTrailAclCheck")
    assert (acl["Principal"], acl["Action"], acl["Resource"], acl["Condition"]) == (
        {"Service": "cloudtrail.amazonaws.com"},
        "s3:GetBucketAcl",
        bucket,
        {"StringEquals": source},
    )
    write = statement(document, "AWSCloudTrailOrganizationWrite")
    assert (write["Action"], write["Resource"]) == ("s3:PutObject", f"{bucket}/AWSLogs/{org}/*")
    assert write["Condition"]["StringEquals"] == {"s3:x-amz-acl": "bucket-owner-full-control", **source}
    assert statement(document, "AWSCloudTrailWrite")["Resource"] == f"{bucket}/AWSLogs/{MANAGEMENT_ID}/*"


@pytest.mark.integration
def test_trail_key_lets_cloudtrail_encrypt_for_the_organisation_and_the_log_account_administer(ct_off, management_outputs):
    document = policy(ct_off, "organization-trail-logs-key")
    owner = statement(document, "AccountAdministersKey")
    assert owner["Principal"] == {"AWS": f"arn:aws:iam::{log_id(management_outputs)}:root"} and owner["Action"] == "kms:*"
    encrypt = statement(document, "AllowCloudTrailToEncryptLogs")
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"] == {
        "StringEquals": {"aws:SourceArn": ct_off.outputs["trailArn"]},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{MANAGEMENT_ID}:trail/*"},
    }


@pytest.mark.integration
def test_trail_logs_move_to_glacier_after_the_configured_days(ct_off):
    lifecycle = ct_off.named("organization-trail-logs-lifecycle").inputs
    [rule] = lifecycle["rules"]
    assert rule["transitions"] == [{"days": CT_OFF_SETTINGS["glacier_after_days"], "storageClass": "GLACIER"}]
    assert rule["noncurrentVersionTransitions"] == [{"noncurrentDays": CT_OFF_SETTINGS["glacier_after_days"], "storageClass": "GLACIER"}]
    assert "expiration" not in rule
    assert lifecycle["transitionDefaultMinimumObjectSize"] == "varies_by_storage_class"


@pytest.mark.integration
def test_without_control_tower_the_table_reads_the_trail_bucket(ct_off, management_outputs):
    org = management_outputs["organizationId"]
    template = ct_off.named("log-analysis-cloudtrail-table").inputs["parameters"]["storage.location.template"]
    assert template == f"s3://{ct_off.outputs['trailBucket']}/AWSLogs/{org}/${{account}}/CloudTrail/${{region}}/${{day}}"
    assert {"trailArn", "trailBucket", "athenaWorkgroup", "glueDatabase", "cloudTrailTable", "athenaResultsBucket", LIMITS_OUTPUT} == set(ct_off.outputs)


# --- both modes: accounts, policy rules, lint ---

MODES = ["ct_on", "ct_off"]


@pytest.mark.integration
@pytest.mark.parametrize("plan_name", MODES)
def test_every_resource_runs_in_the_log_account(request, plan_name, management_outputs):
    plan = request.getfixturevalue(plan_name)
    # The handoff reader only reads the account id the others are pinned to (tests/test_handoff.py); nothing is created with it.
    providers = {r.urn: json.loads(r.inputs["allowedAccountIds"]) for r in plan.of_type("pulumi:providers:aws") if r.name != "log-handoff-reader"}
    assert list(providers.values()) == [[log_id(management_outputs)]]
    managed = [r for r in plan.resources if r.custom and not r.read and not r.type.startswith("pulumi:providers:")]
    assert managed
    assert [r.name for r in managed if r.provider.rsplit("::", 1)[0] not in providers] == []


@pytest.mark.integration
@pytest.mark.parametrize("plan_name", MODES)
def test_policy_rules_find_no_violation(request, plan_name):
    plan = request.getfixturevalue(plan_name)
    assert evaluate(views(plan)) == []


@pytest.mark.integration
@pytest.mark.parametrize("plan_name", MODES)
def test_bucket_and_key_policies_are_lint_clean(request, plan_name):
    plan = request.getfixturevalue(plan_name)
    for resource in plan.of_type("aws:s3/bucketPolicy:BucketPolicy") + plan.of_type("aws:kms/key:Key"):
        findings = analyze_policy_string(resource.inputs["policy"]).findings
        # In a key policy "Resource": "*" means the key itself.
        allowed = {"RESOURCE_STAR"} if resource.type == "aws:kms/key:Key" else set()
        assert [(f.issue, f.detail) for f in findings if f.issue not in allowed] == [], resource.name
