"""Control Tower's controls as data: behaviour of each catalogued control, and the SCPs Control Tower deploys.

Three tables, each entry with its source page in the AWS Control Tower Controls Reference
(https://docs.aws.amazon.com/controltower/latest/controlreference/, stored copies read 2026-12):

- `BEHAVIOUR`: every control of `guardrails.controls.CATALOGUE` -> how it acts (preventive SCP,
  detective AWS Config rule, proactive CloudFormation hook) and whether it takes the
  `ExemptedPrincipalArns` parameter. Only preventive controls can deny a request.
- the preventive controls' statements, as the reference's artifact renders them with no
  parameters; `control_statements` renders them with `ExemptedPrincipalArns`, the way the
  artifact's template does.
- `MANDATORY`: the SCPs Control Tower attaches itself (as `aws-guardrails-*` policies) to the OUs it
  governs, with the landing-zone versions and manifest features they depend on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

PREVENTIVE = "preventive"
DETECTIVE = "detective"
PROACTIVE = "proactive"

_REFERENCE = "https://docs.aws.amazon.com/controltower/latest/controlreference/"
STRONGLY_RECOMMENDED_PREVENTIVE = _REFERENCE + "strongly-recommended-preventive-controls.html"
ELECTIVE_PREVENTIVE = _REFERENCE + "elective-preventive-controls.html"
"""Its introduction: "The elective controls with preventive behavior are configurable" (they take
ExemptedPrincipalArns, control-parameter-concepts.html), checked 2026-12."""
STRONGLY_RECOMMENDED_DETECTIVE = _REFERENCE + "strongly-recommended-detective-controls.html"
ELECTIVE_DETECTIVE = _REFERENCE + "elective-detective-controls.html"
MANDATORY_CONTROLS = _REFERENCE + "mandatory-controls.html"

CONTROL_TOWER_EXECUTION = "arn:*:iam::*:role/AWSControlTowerExecution"
APPEND = "append"
"""`ExemptedPrincipalArns` are added to the statement's existing `ArnNotLike aws:PrincipalARN` list."""
ADD = "add"
"""`ExemptedPrincipalArns` add an `ArnNotLike aws:PrincipalArn` condition the statement otherwise lacks."""


@dataclass(frozen=True)
class ControlBehaviour:
    behaviour: str
    """`preventive`, `detective` or `proactive`."""
    implementation: str
    """`SCP`, `AWS Config rule` or `CloudFormation hook`."""
    source: str
    """The reference page describing the control and its artifact."""
    exempted_principal_arns: bool = False
    """Takes the `ExemptedPrincipalArns` parameter (issue 9: exempt the stacks' deploy roles)."""
    statements: tuple[dict, ...] = ()
    """The SCP statements of a preventive control, rendered with no parameters."""
    exemption: str = ""
    """How `ExemptedPrincipalArns` enter the statements: `APPEND` or `ADD`."""
    exempts_assume_root: bool = False
    """Takes the `ExemptAssumeRoot` parameter: "This parameter applies only to the
    AWS-GR_RESTRICT_ROOT_USER control. If you add the parameter when enabling the control, the
    AssumeRoot exemption is allowed ... The parameter does not accept False as a value" (Control
    Tower API Reference, EnableControl `parameters`, as the AWS SDKs' documentation of it reads,
    checked 2026-12). Centralised root access needs it, or the control denies every root session
    the management account opens with sts:AssumeRoot."""


def _deny(sid: str, actions, resource="*", condition: Optional[dict] = None) -> dict:
    statement = {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def _except_control_tower(*extra: str) -> dict:
    return {"ArnNotLike": {"aws:PrincipalARN": [*extra, CONTROL_TOWER_EXECUTION]}}


def _detective(source: str) -> ControlBehaviour:
    return ControlBehaviour(DETECTIVE, "AWS Config rule", source)


BEHAVIOUR: Mapping[str, ControlBehaviour] = {
    "AWS-GR_RESTRICT_ROOT_USER": ControlBehaviour(
        PREVENTIVE,
        "SCP",
        STRONGLY_RECOMMENDED_PREVENTIVE,
        True,
        (_deny("GRRESTRICTROOTUSER", "*", condition={"StringLike": {"aws:PrincipalArn": ["arn:*:iam::*:root"]}}),),
        ADD,
        exempts_assume_root=True,
    ),
    # The commercial-partition page shows StringLike (the European Sovereign Cloud's shows ArnLike).
    "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS": ControlBehaviour(
        PREVENTIVE,
        "SCP",
        STRONGLY_RECOMMENDED_PREVENTIVE,
        True,
        (_deny("GRRESTRICTROOTUSERACCESSKEYS", "iam:CreateAccessKey", condition={"StringLike": {"aws:PrincipalArn": ["arn:*:iam::*:root"]}}),),
        ADD,
    ),
    "AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA": ControlBehaviour(
        PREVENTIVE,
        "SCP",
        ELECTIVE_PREVENTIVE,
        True,
        (_deny("GRRESTRICTS3DELETEWITHOUTMFA", ["s3:DeleteObject", "s3:DeleteBucket"], condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": ["false"]}}),),
        ADD,
    ),
    # Every bucket of the accounts below the OU, not only Control Tower's: "Resource": "*".
    "AWS-GR_AUDIT_BUCKET_RETENTION_POLICY": ControlBehaviour(
        PREVENTIVE,
        "SCP",
        ELECTIVE_PREVENTIVE,
        True,
        (_deny("GRAUDITBUCKETRETENTIONPOLICY", "s3:PutLifecycleConfiguration", condition=_except_control_tower()),),
        APPEND,
    ),
    **{
        control: _detective(STRONGLY_RECOMMENDED_DETECTIVE)
        for control in (
            "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED",
            "AWS-GR_ENCRYPTED_VOLUMES",
            "AWS-GR_EBS_OPTIMIZED_INSTANCE",
            "AWS-GR_EC2_VOLUME_INUSE_CHECK",
            "AWS-GR_RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
            "AWS-GR_RDS_SNAPSHOTS_PUBLIC_PROHIBITED",
            "AWS-GR_RDS_STORAGE_ENCRYPTED",
            "AWS-GR_RESTRICTED_COMMON_PORTS",
            "AWS-GR_RESTRICTED_SSH",
            "AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED",
            "AWS-GR_S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
            "AWS-GR_DETECT_CLOUDTRAIL_ENABLED_ON_MEMBER_ACCOUNTS",
        )
    },
    "AWS-GR_IAM_USER_MFA_ENABLED": _detective(ELECTIVE_DETECTIVE),
    "AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS": _detective(ELECTIVE_DETECTIVE),
}


ROOT_PRINCIPAL = "arn:*:iam::*:root"


def _root_only(statement: dict) -> bool:
    conditions = statement.get("Condition", {})
    return any(values.get("aws:PrincipalArn") == [ROOT_PRINCIPAL] for op, values in conditions.items() if op in ("StringLike", "ArnLike"))


def exempts_deployers(control_id: str) -> bool:
    """Whether the control is enabled with `ExemptedPrincipalArns` naming the landing zone's roles:
    a preventive control that takes the parameter and can deny principals other than the root user."""
    behaviour = BEHAVIOUR[control_id]
    return behaviour.behaviour == PREVENTIVE and behaviour.exempted_principal_arns and not all(_root_only(statement) for statement in behaviour.statements)


ASSUME_ROOT_EXEMPTION = {"Null": {"aws:AssumedRoot": ["true"]}}
"""What `ExemptAssumeRoot` adds: the deny holds only where the request is no AssumeRoot session
(`aws:AssumedRoot` is in the context of AssumeRoot sessions only, IAM User Guide,
reference_policies_condition-keys.html). The stored copies of the reference show the artifact
without the parameter; this form is how a public project's notes quote the deployed document (a
secondary source): not confirmed against an AWS page offline."""


def control_statements(control_id: str, exempted_principal_arns: Sequence[str] = (), exempt_assume_root: bool = False) -> list[dict]:
    """The control's SCP statements as Control Tower deploys them with these exemptions ([] if not preventive)."""
    behaviour = BEHAVIOUR[control_id]
    statements = [dict(s, Condition={k: dict(v) for k, v in s.get("Condition", {}).items()}) for s in behaviour.statements]
    for statement in statements:
        if exempted_principal_arns and behaviour.exemption == APPEND:
            current = statement["Condition"]["ArnNotLike"]["aws:PrincipalARN"]
            statement["Condition"]["ArnNotLike"]["aws:PrincipalARN"] = [*exempted_principal_arns, *current]
        elif exempted_principal_arns and behaviour.exemption == ADD:
            statement["Condition"]["ArnNotLike"] = {"aws:PrincipalArn": list(exempted_principal_arns)}
        if exempt_assume_root and behaviour.exempts_assume_root:
            statement["Condition"].update({k: dict(v) for k, v in ASSUME_ROOT_EXEMPTION.items()})
        if not statement["Condition"]:
            del statement["Condition"]
    return statements


@dataclass(frozen=True)
class MandatoryControl:
    title: str
    """The control's title in the reference (most mandatory controls have no id there)."""
    scope: str
    """`all`: every OU Control Tower governs; `security`: the OU of the log archive and audit accounts."""
    statements: tuple[dict, ...]
    before: Optional[tuple[int, int]] = None
    """Landing-zone versions below this one only (4.0 stopped deploying it)."""
    since: Optional[tuple[int, int]] = None
    """Landing-zone versions from this one on."""
    requires: str = ""
    """Manifest section that must be enabled (`centralizedLogging`, `config`)."""
    dropped_with: str = ""
    """From 4.0, removed when this manifest section is enabled."""
    source: str = MANDATORY_CONTROLS


_CT = _except_control_tower()
_READS_AND_WRITES_OF_LOGS = [
    "s3:DeleteObject",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectVersionTagging",
    "s3:Get*",
    "s3:List*",
    "s3:PutBucketTagging",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionAcl",
    "s3:PutObjectVersionTagging",
    "s3:RestoreObject",
]
_CLOUDTRAIL = _deny(
    "GRCLOUDTRAILENABLED",
    ["cloudtrail:DeleteTrail", "cloudtrail:PutEventSelectors", "cloudtrail:StopLogging", "cloudtrail:UpdateTrail"],
    ["arn:aws:cloudtrail:*:*:trail/aws-controltower-*"],
    _CT,
)
_CONFIG = _deny(
    "GRCONFIGENABLED",
    [
        "config:DeleteConfigurationRecorder",
        "config:DeleteDeliveryChannel",
        "config:DeleteRetentionConfiguration",
        "config:PutConfigurationRecorder",
        "config:PutDeliveryChannel",
        "config:PutRetentionConfiguration",
        "config:StopConfigurationRecorder",
    ],
    ["*"],
    _CT,
)
_LOG_BUCKETS = ["arn:aws:s3:::aws-controltower*"]
V4 = (4, 0)

MANDATORY: tuple[MandatoryControl, ...] = (
    MandatoryControl(
        "Disallow Changes to Amazon CloudWatch Logs Log Groups set up by AWS Control Tower",
        "all",
        (_deny("GRLOGGROUPPOLICY", ["logs:DeleteLogGroup", "logs:PutRetentionPolicy"], ["arn:aws:logs:*:*:log-group:*aws-controltower*"], _CT),),
    ),
    MandatoryControl(
        "Disallow Deletion of AWS Config Aggregation Authorizations Created by AWS Control Tower",
        "all",
        (
            _deny(
                "GRCONFIGAGGREGATIONAUTHORIZATIONPOLICY",
                ["config:DeleteAggregationAuthorization"],
                ["arn:aws:config:*:*:aggregation-authorization*"],
                {**_CT, "StringLike": {"aws:ResourceTag/aws-control-tower": "managed-by-control-tower"}},
            ),
        ),
        dropped_with="config",
    ),
    *(
        MandatoryControl(title, "all", (_CLOUDTRAIL,), before=V4)
        for title in (
            "Disallow Configuration Changes to CloudTrail",
            "Integrate CloudTrail Events with Amazon CloudWatch Logs",
            "Enable CloudTrail in All Available Regions",
            "Enable Integrity Validation for CloudTrail Log File",
        )
    ),
    MandatoryControl(
        "Disallow Changes to Amazon CloudWatch Set Up by AWS Control Tower",
        "all",
        (
            _deny(
                "GRCLOUDWATCHEVENTPOLICY",
                ["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DisableRule", "events:DeleteRule"],
                ["arn:aws:events:*:*:rule/aws-controltower-*"],
                _CT,
            ),
        ),
    ),
    MandatoryControl(
        "Disallow Changes to Tags Created by AWS Control Tower for AWS Config Resources",
        "all",
        (
            _deny(
                "GRCONFIGRULETAGSPOLICY",
                ["config:TagResource", "config:UntagResource"],
                ["*"],
                {**_CT, "ForAnyValue:StringEquals": {"aws:TagKeys": "aws-control-tower"}},
            ),
        ),
        dropped_with="config",
    ),
    MandatoryControl("Disallow Configuration Changes to AWS Config", "all", (_CONFIG,)),
    MandatoryControl("Enable AWS Config in All Available Regions", "all", (_CONFIG,)),
    MandatoryControl(
        "Disallow Changes to AWS Config Rules Set Up by AWS Control Tower",
        "all",
        (
            _deny(
                "GRCONFIGRULEPOLICY",
                [
                    "config:PutConfigRule",
                    "config:DeleteConfigRule",
                    "config:DeleteEvaluationResults",
                    "config:DeleteConfigurationAggregator",
                    "config:PutConfigurationAggregator",
                ],
                ["*"],
                {**_CT, "StringEquals": {"aws:ResourceTag/aws-control-tower": "managed-by-control-tower"}},
            ),
        ),
        dropped_with="config",
    ),
    # AWS-GR_IAM_ROLE_CHANGE_PROHIBITED, the updated version (StackSets may create the execution role).
    MandatoryControl(
        "Disallow Changes to AWS IAM Roles Set Up by AWS Control Tower and AWS CloudFormation",
        "all",
        (
            _deny(
                "GRIAMROLEPOLICY",
                [
                    "iam:AttachRolePolicy",
                    "iam:CreateRole",
                    "iam:DeleteRole",
                    "iam:DeleteRolePermissionsBoundary",
                    "iam:DeleteRolePolicy",
                    "iam:DetachRolePolicy",
                    "iam:PutRolePermissionsBoundary",
                    "iam:PutRolePolicy",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:UpdateRole",
                    "iam:UpdateRoleDescription",
                ],
                ["arn:aws:iam::*:role/aws-controltower-*", "arn:aws:iam::*:role/*AWSControlTower*", "arn:aws:iam::*:role/stacksets-exec-*"],
                {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/AWSControlTowerExecution", "arn:aws:iam::*:role/stacksets-exec-*"]}},
            ),
        ),
    ),
    MandatoryControl(
        "Disallow Changes to AWS Lambda Functions Set Up by AWS Control Tower",
        "all",
        (
            _deny(
                "GRLAMBDAFUNCTIONPOLICY",
                [
                    "lambda:AddPermission",
                    "lambda:CreateEventSourceMapping",
                    "lambda:CreateFunction",
                    "lambda:DeleteEventSourceMapping",
                    "lambda:DeleteFunction",
                    "lambda:DeleteFunctionConcurrency",
                    "lambda:PutFunctionConcurrency",
                    "lambda:RemovePermission",
                    "lambda:UpdateEventSourceMapping",
                    "lambda:UpdateFunctionCode",
                    "lambda:UpdateFunctionConfiguration",
                ],
                ["arn:aws:lambda:*:*:function:aws-controltower-*"],
                _CT,
            ),
        ),
    ),
    # The version with three topic ARNs, which every landing zone gets on its next update or reset.
    MandatoryControl(
        "Disallow Changes to Amazon SNS Set Up by AWS Control Tower",
        "all",
        (
            _deny(
                "GRSNSTOPICPOLICY",
                ["sns:AddPermission", "sns:CreateTopic", "sns:DeleteTopic", "sns:RemovePermission", "sns:SetTopicAttributes"],
                [
                    "arn:*:sns:*:*:aws-controltower-AggregateSecurityNotifications*",
                    "arn:*:sns:*:*:aws-controltower-AllConfigNotifications*",
                    "arn:*:sns:*:*:aws-controltower-SecurityNotifications*",
                ],
                {"ArnNotLike": {"aws:PrincipalARN": CONTROL_TOWER_EXECUTION}},
            ),
        ),
    ),
    MandatoryControl(
        "Disallow Changes to Amazon SNS Subscriptions Set Up by AWS Control Tower",
        "all",
        (_deny("GRSNSSUBSCRIPTIONPOLICY", ["sns:Subscribe", "sns:Unsubscribe"], ["arn:aws:sns:*:*:aws-controltower-SecurityNotifications"], _CT),),
    ),
    *(
        MandatoryControl(title, "security", (_deny(sid, actions, _LOG_BUCKETS, _CT),), before=V4)
        for title, sid, actions in (
            (
                "Disallow Changes to Encryption Configuration for AWS Control Tower Created Amazon S3 Buckets in Log Archive",
                "GRCTAUDITBUCKETENCRYPTIONCHANGESPROHIBITED",
                ["s3:PutEncryptionConfiguration"],
            ),
            (
                "Disallow Changes to Logging Configuration for AWS Control Tower Created Amazon S3 Buckets in Log Archive",
                "GRCTAUDITBUCKETLOGGINGCONFIGURATIONCHANGESPROHIBITED",
                ["s3:PutBucketLogging"],
            ),
            (
                "Disallow Changes to Bucket Policy for AWS Control Tower Created Amazon S3 Buckets in Log Archive",
                "GRCTAUDITBUCKETPOLICYCHANGESPROHIBITED",
                ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
            ),
            (
                "Disallow Changes to Lifecycle Configuration for AWS Control Tower Created Amazon S3 Buckets in Log Archive",
                "GRCTAUDITBUCKETLIFECYCLECONFIGURATIONCHANGESPROHIBITED",
                ["s3:PutLifecycleConfiguration"],
            ),
            ("Disallow Deletion of Log Archive", "GRAUDITBUCKETDELETIONPROHIBITED", ["s3:DeleteBucket"]),
        )
    ),
    # New in 4.0. The reference does not say which OUs get them; their resources exist only in the
    # logging and Config accounts, so attaching them to every governed OU changes no other answer.
    MandatoryControl(
        "Disallow changes to Amazon SNS subscriptions and topics managed by AWS Control Tower",
        "all",
        (
            {
                "Sid": "CTSNSPV1",
                "Effect": "Deny",
                "NotAction": [
                    "sns:ConfirmSubscription",
                    "sns:Get*",
                    "sns:List*",
                    "sns:Publish",
                    "sns:PutDataProtectionPolicy",
                    "sns:Subscribe",
                    "sns:TagResource",
                    "sns:Unsubscribe",
                    "sns:UntagResource",
                ],
                "Resource": "arn:*:sns:*:*:aws-controltower-CentralizedLoggingNotifications*",
                "Condition": {"ArnNotLike": {"aws:PrincipalARN": [CONTROL_TOWER_EXECUTION]}},
            },
        ),
        since=V4,
        requires="centralizedLogging",
    ),
    MandatoryControl(
        "Disallow modifications to Amazon S3 buckets managed by AWS Control Tower",
        "all",
        (
            {
                "Sid": "CTS3PV8",
                "Effect": "Deny",
                "NotAction": _READS_AND_WRITES_OF_LOGS,
                "Resource": ["arn:*:s3:::aws-controltower-access-logs-*", "arn:*:s3:::aws-controltower-cloudtrail-*", "arn:*:s3:::aws-controltower-logs-*"],
                "Condition": {"ArnNotLike": {"aws:PrincipalARN": [CONTROL_TOWER_EXECUTION]}},
            },
        ),
        since=V4,
        requires="centralizedLogging",
    ),
    MandatoryControl(
        "Disallow modifications to AWS Config recorder Amazon S3 buckets managed by AWS Control Tower",
        "all",
        (
            {
                "Sid": "CTS3PV7",
                "Effect": "Deny",
                "NotAction": _READS_AND_WRITES_OF_LOGS,
                "Resource": "arn:*:s3:::aws-controltower-config-*",
                "Condition": {"ArnNotLike": {"aws:PrincipalARN": [CONTROL_TOWER_EXECUTION]}},
            },
        ),
        since=V4,
        requires="config",
    ),
)


def version_tuple(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def mandatory_controls(version: str, enabled_sections: frozenset[str], scope: str) -> list[MandatoryControl]:
    """The mandatory controls a landing zone of `version` with these manifest sections enabled puts on OUs of `scope`."""
    current = version_tuple(version)
    chosen = []
    for control in MANDATORY:
        if control.scope != scope:
            continue
        if control.before and current >= control.before:
            continue
        if control.since and current < control.since:
            continue
        if control.requires and control.requires not in enabled_sections:
            continue
        if control.dropped_with and current >= V4 and control.dropped_with in enabled_sections:
            continue
        chosen.append(control)
    return chosen
