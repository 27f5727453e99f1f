"""The Control Tower controls this program knows, and which OUs get which by default.

Ids are checked against this catalogue during validation, so a typo fails before deploy instead
of at EnableControl. Controls Control Tower applies itself (mandatory) are not listed: enabling
them again is an error. How each control acts (preventive SCP, detective Config rule) and its
parameters are in `guardrails.control_policies.BEHAVIOUR`.

The defaults deny nothing the landing zone or the applications deploy: the two preventive controls
among them deny the root user only. The two electives that are SCPs over every principal below
their OU (`AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA`: no role session carries MFA;
`AWS-GR_AUDIT_BUCKET_RETENTION_POLICY`: lifecycle changes on every bucket, not only Control
Tower's) are opt-in, and are enabled with `ExemptedPrincipalArns` naming the landing zone's own
roles in the OU's accounts (config/guardrail_checks.py).
"""

from __future__ import annotations

from typing import Mapping

STRONGLY_RECOMMENDED = {
    "AWS-GR_RESTRICT_ROOT_USER": "Disallow actions as the root user.",
    "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS": "Disallow creating access keys for the root user.",
    "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED": "Detect whether MFA is enabled for the root user.",
    "AWS-GR_ENCRYPTED_VOLUMES": "Detect whether attached EBS volumes are encrypted.",
    "AWS-GR_EBS_OPTIMIZED_INSTANCE": "Detect whether EBS optimisation is enabled for EC2 instances.",
    "AWS-GR_EC2_VOLUME_INUSE_CHECK": "Detect whether EBS volumes are attached to EC2 instances.",
    "AWS-GR_RDS_INSTANCE_PUBLIC_ACCESS_CHECK": "Detect whether RDS instances are publicly accessible.",
    "AWS-GR_RDS_SNAPSHOTS_PUBLIC_PROHIBITED": "Detect whether RDS snapshots are public.",
    "AWS-GR_RDS_STORAGE_ENCRYPTED": "Detect whether RDS storage is encrypted.",
    "AWS-GR_RESTRICTED_COMMON_PORTS": "Detect unrestricted incoming traffic on common ports.",
    "AWS-GR_RESTRICTED_SSH": "Detect unrestricted incoming SSH.",
    "AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED": "Detect S3 buckets that allow public read.",
    "AWS-GR_S3_BUCKET_PUBLIC_WRITE_PROHIBITED": "Detect S3 buckets that allow public write.",
    "AWS-GR_DETECT_CLOUDTRAIL_ENABLED_ON_MEMBER_ACCOUNTS": "Detect whether CloudTrail is enabled in member accounts.",
}
ELECTIVE = {
    "AWS-GR_IAM_USER_MFA_ENABLED": "Detect IAM users without MFA.",
    "AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS": "Detect IAM console users without MFA.",
}
OPT_IN = {
    "AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA": "Deny S3 object and bucket deletes without MFA to every principal below the OU (an SCP).",
    "AWS-GR_AUDIT_BUCKET_RETENTION_POLICY": "Deny lifecycle configuration changes on every S3 bucket below the OU (an SCP).",
}
"""Never defaulted: they deny the deploys of everything below their OU but the roles they exempt."""
CATALOGUE: Mapping[str, str] = {**STRONGLY_RECOMMENDED, **ELECTIVE, **OPT_IN}
STRICT_ENVIRONMENT = "prod"

GLOBAL_IDS: Mapping[str, str] = {
    "AWS-GR_RESTRICT_ROOT_USER": "5kvme4m5d2b4d7if2fs5yg2ui",
    "AWS-GR_RESTRICT_ROOT_USER_ACCESS_KEYS": "8ui9y3oace2513xarz8aqojl7",
    "AWS-GR_ROOT_ACCOUNT_MFA_ENABLED": "24izmu4k16gv9tvd7sexnyrfy",
    "AWS-GR_ENCRYPTED_VOLUMES": "503uicglhjkokaajywfpt6ros",
    "AWS-GR_EBS_OPTIMIZED_INSTANCE": "2j9gjxqfo040xtx8kd1jf4ni6",
    "AWS-GR_EC2_VOLUME_INUSE_CHECK": "8c3i4catfgmyy1e19476v06rr",
    "AWS-GR_RDS_INSTANCE_PUBLIC_ACCESS_CHECK": "4jc77cq1lcr7g64xywwypykv8",
    "AWS-GR_RDS_SNAPSHOTS_PUBLIC_PROHIBITED": "1h4eyqyyonp19dlrreqf1i3w0",
    "AWS-GR_RDS_STORAGE_ENCRYPTED": "e34kieahgkm0lggs5g0s412jt",
    "AWS-GR_RESTRICTED_COMMON_PORTS": "df2ta5ytg2zatj1q7y5e09u32",
    "AWS-GR_RESTRICTED_SSH": "6rilu41n0gb9w6mxrkyewoer4",
    "AWS-GR_S3_BUCKET_PUBLIC_READ_PROHIBITED": "8sw3pbid15t9cbww8d2w2qwgf",
    "AWS-GR_S3_BUCKET_PUBLIC_WRITE_PROHIBITED": "9j9nwxj789d82sypnukhyyowy",
    "AWS-GR_DETECT_CLOUDTRAIL_ENABLED_ON_MEMBER_ACCOUNTS": "8sdhbqfe2fsmh3b1i2b24xaic",
    "AWS-GR_IAM_USER_MFA_ENABLED": "7z1uzm6s8qk7ym7m0sm56cq0u",
    "AWS-GR_MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS": "1fvktjhpo9wdpt3pjb2wsz7nt",
    "AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA": "69wj8mo0sfw7gbz9lklsu9u51",
    "AWS-GR_AUDIT_BUCKET_RETENTION_POLICY": "ew9b99j144ugzye49kokym66c",
}
"""Control id -> its Control Catalog (global) id, checked 2026-12.

AWS recommends the global ARN `arn:aws:controlcatalog:::control/<id>` over the regional
`arn:aws:controltower:<region>::control/<name>` ("Resource identifiers for APIs and controls",
https://docs.aws.amazon.com/controltower/latest/controlreference/control-identifiers.html). The ids
are Control Catalog's ListControls as aws-samples/aws-control-tower-controls-terraform exported it
(helpers/controlcatalog_list_controls.csv, commit e8ebe75, 2025-04-17), matched to each control by
its title and its AWS Config rule identifier (ENCRYPTED_VOLUMES, RESTRICTED_INCOMING_TRAFFIC,
INCOMING_SSH_DISABLED, CLOUD_TRAIL_ENABLED, ...); that repository's README names
503uicglhjkokaajywfpt6ros as AWS-GR_ENCRYPTED_VOLUMES. The provider takes either form
(terraform-provider-aws internal/service/controltower/control.go: `control_identifier` is only
`verify.ValidARN`, which accepts an ARN with no region or account)."""


def control_arn(control_id: str) -> str:
    return f"arn:aws:controlcatalog:::control/{GLOBAL_IDS[control_id]}"


def default_controls(environment_ous: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Environment -> OU key in; OU key -> controls out: strongly recommended on every environment
    OU, the MFA detective electives on prod's. None on the Security OU: landing zone 4.0 registers
    no baseline there, and detective controls need one (see config/guardrail_checks.py)."""
    controls: dict[str, tuple[str, ...]] = {}
    for environment, ou in environment_ous.items():
        chosen = list(STRONGLY_RECOMMENDED)
        if environment == STRICT_ENVIRONMENT:
            chosen += list(ELECTIVE)
        controls[ou] = tuple(dict.fromkeys([*controls.get(ou, ()), *chosen]))
    return controls
