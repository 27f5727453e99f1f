"""The Control Tower controls this program knows, and which OUs get which by default.

Ids are checked against this catalogue during validation, so a typo fails before deploy instead
of at EnableControl. Controls Control Tower applies itself (mandatory) are not listed: enabling
them again is an error. How each control acts (preventive SCP, detective Config rule) and its
parameters are in `guardrails.control_policies.BEHAVIOUR`.
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
    "AWS-GR_RESTRICT_S3_DELETE_WITHOUT_MFA": "Deny S3 object and bucket deletes without MFA (an SCP: no role has MFA).",
}
LOG_ARCHIVE = {
    "AWS-GR_AUDIT_BUCKET_RETENTION_POLICY": "Deny lifecycle configuration changes on every S3 bucket below the OU (an SCP).",
}
CATALOGUE: Mapping[str, str] = {**STRONGLY_RECOMMENDED, **ELECTIVE, **LOG_ARCHIVE}
STRICT_ENVIRONMENT = "prod"


def control_arn(region: str, control_id: str) -> str:
    return f"arn:aws:controltower:{region}::control/{control_id}"


def default_controls(environment_ous: Mapping[str, str], security_ou: str) -> dict[str, tuple[str, ...]]:
    """Environment -> OU key in; OU key -> controls out.

    Strongly recommended on every environment OU, the MFA and delete electives on prod's, and the
    log-bucket retention check where the log archive account lives.
    """
    controls: dict[str, tuple[str, ...]] = {security_ou: tuple(LOG_ARCHIVE)}
    for environment, ou in environment_ous.items():
        chosen = list(STRONGLY_RECOMMENDED)
        if environment == STRICT_ENVIRONMENT:
            chosen += list(ELECTIVE)
        controls[ou] = tuple(dict.fromkeys([*controls.get(ou, ()), *chosen]))
    return controls
