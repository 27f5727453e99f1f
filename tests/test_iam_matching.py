"""IAM matching, one row per rule of the IAM User Guide it encodes (guardrails/iam_matching.py)."""

from __future__ import annotations

import pytest

from guardrails.iam_matching import PolicyError, action_matches, any_action_matches, arn_matches, condition_holds, glob_match

CONTEXT = {
    "aws:principalarn": ("arn:aws:iam::111111111111:role/github/pulumi-deploy-audit",),
    "aws:requestedregion": ("eu-west-1",),
    "aws:multifactorauthpresent": ("false",),
    "aws:tagkeys": ("app", "env"),
    "aws:principaltag/team": ("shop",),
    "aws:sourceip": ("203.0.113.7",),
    "s3:tlsversion": ("1.1",),
    "aws:currenttime": ("2031-05-01T12:00:00Z",),
    "aws:epochtime": ("1700000000",),
    "aws:securetransport": ("true",),
    "aws:empty": (),
    "custom:blob": ("aGVsbG8=",),
}

# (operator, key, policy values, expected, why)
CONDITIONS = [
    ("StringEquals", "aws:RequestedRegion", ["ap-northeast-1", "eu-west-1"], True, "values of one key are ORed"),
    ("StringEquals", "AWS:REQUESTEDREGION", ["eu-west-1"], True, "condition keys are case-insensitive"),
    ("StringEquals", "aws:RequestedRegion", ["EU-WEST-1"], False, "StringEquals is case-sensitive"),
    ("StringNotEquals", "aws:RequestedRegion", ["ap-northeast-1", "us-east-1"], True, "negated: matches none of the values"),
    ("StringNotEquals", "aws:RequestedRegion", ["eu-west-1"], False, "negated: matches one of them"),
    ("StringNotEquals", "aws:MissingKey", ["x"], True, "a negated operator on a missing key is true"),
    ("StringEquals", "aws:MissingKey", ["x"], False, "a positive operator on a missing key is false"),
    ("StringEqualsIfExists", "aws:MissingKey", ["x"], True, "IfExists on a missing key is true"),
    ("StringNotEqualsIfExists", "aws:RequestedRegion", ["eu-west-1"], False, "IfExists on a present key tests it"),
    ("StringEqualsIgnoreCase", "aws:RequestedRegion", ["EU-West-1"], True, "IgnoreCase folds case"),
    ("StringNotEqualsIgnoreCase", "aws:RequestedRegion", ["EU-WEST-1"], False, "IgnoreCase, negated"),
    ("StringLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/github/*"], True, "* matches any run of characters"),
    ("StringLike", "aws:RequestedRegion", ["eu-west-?"], True, "? matches one character"),
    ("StringLike", "aws:RequestedRegion", ["eu-west-??"], False, "? matches exactly one"),
    ("StringNotLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/AWSControlTowerExecution"], True, "StringNotLike"),
    ("StringLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/github/pulumi-deploy-${aws:PrincipalTag/team}"], False, "a variable resolves to its value"),
    ("StringLike", "aws:PrincipalTag/team", ["${aws:PrincipalTag/team}"], True, "a variable resolves to the request's value"),
    ("StringLike", "aws:PrincipalTag/team", ["${aws:NoSuchTag, 'shop'}"], True, "a missing variable takes its default"),
    ("StringLike", "aws:PrincipalTag/team", ["${aws:NoSuchTag}"], False, "a missing variable without default matches nothing"),
    ("StringLike", "aws:PrincipalTag/team", ["sh${*}p"], False, "${*} is a literal star, not a wildcard"),
    ("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::*:role/github/pulumi-deploy-*"], True, "ArnLike, wildcards per part"),
    ("ArnEquals", "aws:PrincipalArn", ["arn:aws:iam::*:role/github/pulumi-deploy-*"], True, "ArnEquals takes wildcards too"),
    ("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::*"], False, "an ARN pattern needs all six parts"),
    ("ArnLike", "aws:PrincipalArn", ["arn:aws:iam::*:ROLE/github/*"], False, "ARN matching is case-sensitive"),
    (
        "ArnNotLike",
        "aws:PrincipalArn",
        ["arn:aws:iam::*:role/AWSControlTowerExecution", "arn:aws:iam::*:role/github/pulumi-deploy-*"],
        False,
        "ArnNotLike: one exemption matches",
    ),
    ("ArnNotEquals", "aws:PrincipalArn", ["arn:aws:iam::222222222222:role/github/pulumi-deploy-audit"], True, "ArnNotEquals, other account"),
    ("ArnNotLike", "aws:MissingKey", ["arn:aws:iam::*:role/x"], True, "ArnNotLike on a missing key is true"),
    ("Bool", "aws:MultiFactorAuthPresent", ["false"], True, "Bool"),
    ("Bool", "aws:MultiFactorAuthPresent", [True], False, "Bool with a JSON boolean"),
    ("BoolIfExists", "aws:MissingKey", ["false"], True, "BoolIfExists on a missing key (the MFA-delete control)"),
    ("Null", "aws:MissingKey", ["true"], True, "Null true: the key is absent"),
    ("Null", "aws:SecureTransport", ["true"], False, "Null true on a present key"),
    ("Null", "aws:SecureTransport", ["false"], True, "Null false: the key is present"),
    ("NumericLessThan", "s3:TlsVersion", ["1.2"], True, "NumericLessThan"),
    ("NumericGreaterThanEquals", "s3:TlsVersion", ["1.1"], True, "NumericGreaterThanEquals"),
    ("NumericEquals", "s3:TlsVersion", ["abc"], False, "a policy value that is not a number matches nothing"),
    ("NumericNotEquals", "s3:TlsVersion", ["1.2"], True, "NumericNotEquals"),
    ("NumericLessThanEquals", "aws:MissingKey", ["3"], False, "numeric operator on a missing key"),
    ("DateGreaterThan", "aws:CurrentTime", ["2030-01-01T00:00:00Z"], True, "DateGreaterThan, ISO 8601"),
    ("DateLessThan", "aws:EpochTime", ["2024-01-01T00:00:00Z"], True, "epoch seconds against ISO 8601"),
    ("DateNotEquals", "aws:CurrentTime", ["2031-05-01T12:00:00+00:00"], False, "the same instant in another notation"),
    ("DateLessThanEquals", "aws:CurrentTime", ["2031-05-01"], False, "a date means its midnight"),
    ("IpAddress", "aws:SourceIp", ["203.0.113.0/24"], True, "IpAddress, CIDR"),
    ("NotIpAddress", "aws:SourceIp", ["198.51.100.0/24", "203.0.113.0/24"], False, "NotIpAddress, one range contains it"),
    ("NotIpAddress", "aws:MissingKey", ["198.51.100.0/24"], True, "NotIpAddress on a missing key"),
    ("BinaryEquals", "custom:blob", ["aGVsbG8="], True, "BinaryEquals compares the decoded bytes"),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["env", "owner"], True, "ForAnyValue: one request value matches"),
    ("ForAnyValue:StringEquals", "aws:TagKeys", ["owner"], False, "ForAnyValue: none matches"),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["app", "env", "owner"], True, "ForAllValues: every request value is allowed"),
    ("ForAllValues:StringEquals", "aws:TagKeys", ["app"], False, "ForAllValues: env is not"),
    ("ForAllValues:StringEquals", "aws:MissingKey", ["app"], True, "ForAllValues on a missing key is true"),
    ("ForAllValues:StringEquals", "aws:Empty", ["app"], True, "ForAllValues on an empty set is true"),
    ("ForAnyValue:StringEquals", "aws:MissingKey", ["app"], False, "ForAnyValue on a missing key is false"),
    ("ForAnyValue:StringNotEquals", "aws:TagKeys", ["app", "env", "owner"], False, "ForAnyValue with a negated operator"),
    ("ForAllValues:StringNotLike", "aws:TagKeys", ["owner*"], True, "ForAllValues with a negated operator"),
    ("StringNotEquals", "aws:TagKeys", ["app"], False, "a negated operator on a multivalued key without qualifier: no value may match"),
    ("ForAnyValue:StringEqualsIfExists", "aws:MissingKey", ["x"], False, "ForAnyValue decides a missing key even with IfExists"),
    ("ForAllValues:StringEqualsIfExists", "aws:MissingKey", ["x"], True, "ForAllValues with IfExists on a missing key"),
]


@pytest.mark.parametrize("operator, key, values, expected, why", CONDITIONS, ids=[c[4] for c in CONDITIONS])
def test_condition_operators(operator, key, values, expected, why):
    assert condition_holds(operator, key, values, CONTEXT) is expected


@pytest.mark.parametrize(
    "operator, message",
    [
        ("StringEqualz", "unknown condition operator 'StringEqualz'"),
        ("NullIfExists", "'NullIfExists': Null takes neither IfExists nor a set qualifier"),
        ("ForAnyValue:Null", "'ForAnyValue:Null': Null takes neither IfExists nor a set qualifier"),
    ],
)
def test_unknown_operators_are_refused(operator, message):
    with pytest.raises(PolicyError) as raised:
        condition_holds(operator, "aws:RequestedRegion", ["x"], CONTEXT)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    "pattern, action, expected",
    [
        ("s3:DeleteObject", "S3:deleteobject", True),
        ("s3:Delete*", "s3:DeleteObjectVersion", True),
        ("s3:*Object", "s3:DeleteObject", True),
        ("s3:?etObject", "s3:GetObject", True),
        ("s3:Delete*", "s3:PutObject", False),
        ("*", "organizations:LeaveOrganization", True),
        ("iam:*", "sts:AssumeRole", False),
    ],
)
def test_actions_match_case_insensitively_with_wildcards(pattern, action, expected):
    assert action_matches(pattern, action) is expected


ACTIONS = ("s3:DeleteObject", "S3:deleteobject", "s3:DeleteObjectVersion", "s3:GetObject", "s3:PutObject", "sts:AssumeRole", "iam:PassRole", "s3:Get")
PATTERNS = [("s3:Delete*",), ("s3:?etObject", "iam:*"), ("s3:*Object", "sts:Assume?ole"), ("*",), ("s3:Get", "s3:Put*"), ("iam:Pass.*",)]


@pytest.mark.parametrize("patterns", PATTERNS, ids=" ".join)
def test_one_expression_for_a_statement_matches_as_its_patterns_one_by_one(patterns):
    answers = [any_action_matches(patterns, action) for action in ACTIONS]
    assert answers == [any(action_matches(pattern, action) for pattern in patterns) for action in ACTIONS]
    assert True in answers or patterns == ("iam:Pass.*",)  # a dot is no wildcard: the table's one pattern matching nothing


@pytest.mark.parametrize("action", ["", "s3:GetObject"])
def test_no_patterns_match_no_action(action):
    assert any_action_matches((), action) is False


@pytest.mark.parametrize(
    "pattern, arn, expected",
    [
        ("*", "arn:aws:s3:::bucket", True),
        ("arn:aws:s3:::aws-controltower-logs-*", "arn:aws:s3:::aws-controltower-logs-903739463943-ap-northeast-1", True),
        ("arn:aws:s3:::aws-controltower-logs-*", "arn:aws:s3:::aws-controltower-logs-1/key", True),
        ("arn:aws:s3:::aws-controltower-logs-*/*", "arn:aws:s3:::aws-controltower-logs-1", False),
        ("arn:*:s3:::aws-controltower*", "arn:aws:s3:::aws-controltower-config-1", True),
        ("arn:aws:logs:*:*:log-group:*aws-controltower*", "arn:aws:logs:us-east-1:1:log-group:aws-controltower/CloudTrailLogs:log-stream:x", True),
        ("arn:aws:iam::*:role/*AWSControlTower*", "arn:aws:iam::111111111111:role/AWSControlTowerExecution", True),
        ("arn:aws:iam::*:role/*AWSControlTower*", "arn:aws:iam::111111111111:role/awscontroltowerexecution", False),
        ("arn:aws:iam::1*:role/x", "arn:aws:iam::211111111111:role/x", False),
    ],
)
def test_resource_arns_match_part_by_part(pattern, arn, expected):
    assert arn_matches(pattern, arn) is expected


def test_glob_escapes_regex_characters():
    assert glob_match("a.b", "a.b") and not glob_match("a.b", "axb")
