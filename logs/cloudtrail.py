"""The organisation trail as data: where it writes, the Athena table over it, what its bucket and key allow.

Sources: AWS CloudTrail user guide, "Amazon S3 bucket policy for CloudTrail" and "Configure AWS KMS
key policies for CloudTrail" (organisation trails, aws:SourceArn); Athena user guide, "Create the
table for CloudTrail logs in Athena using partition projection" (columns, SerDe, formats).
"""

from __future__ import annotations

from typing import Sequence

from logs.queries import ACCOUNT_PARTITION, DAY_FORMAT, DAY_PARTITION, REGION_PARTITION
from names import TRAIL, bucket_arn

CLOUDTRAIL = "cloudtrail.amazonaws.com"
PROJECTION_START = "2020/01/01"
CLOUDTRAIL_SERDE = "com.amazon.emr.hive.serde.CloudTrailSerde"
CLOUDTRAIL_INPUT_FORMAT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
HIVE_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

_SESSION_ISSUER = "struct<type:string,principalid:string,arn:string,accountid:string,username:string>"
_USER_IDENTITY = (
    "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,"
    "onbehalfof:struct<userid:string,identitystorearn:string>,"
    "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,"
    f"sessionissuer:{_SESSION_ISSUER},ec2roledelivery:string,"
    "webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>>>"
)
CLOUDTRAIL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventversion", "string"),
    ("useridentity", _USER_IDENTITY),
    ("eventtime", "string"),
    ("eventsource", "string"),
    ("eventname", "string"),
    ("awsregion", "string"),
    ("sourceipaddress", "string"),
    ("useragent", "string"),
    ("errorcode", "string"),
    ("errormessage", "string"),
    ("requestparameters", "string"),
    ("responseelements", "string"),
    ("additionaleventdata", "string"),
    ("requestid", "string"),
    ("eventid", "string"),
    ("resources", "array<struct<arn:string,accountid:string,type:string>>"),
    ("eventtype", "string"),
    ("apiversion", "string"),
    ("readonly", "string"),
    ("recipientaccountid", "string"),
    ("serviceeventdetails", "string"),
    ("sharedeventid", "string"),
    ("vpcendpointid", "string"),
    ("vpcendpointaccountid", "string"),
    ("eventcategory", "string"),
    ("addendum", "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>"),
    ("sessioncredentialfromconsole", "string"),
    ("edgedevicedetails", "string"),
    ("tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"),
)
"""The CloudTrail record schema of Athena's CloudTrail DDL (lower case, as the Glue catalog stores it)."""


def trail_location(bucket: str, organization_id: str, key_prefix: str = "") -> str:
    """Where an organisation trail writes: `s3://<bucket>/[<prefix>/]AWSLogs/<org id>/`, then `<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/`.

    Control Tower's trail uses the organisation id as its key prefix.
    """
    prefix = f"{key_prefix}/" if key_prefix else ""
    return f"s3://{bucket}/{prefix}AWSLogs/{organization_id}/"


def projection_parameters(location: str, account_ids: Sequence[str], regions: Sequence[str]) -> dict[str, str]:
    """Partition projection: accounts and regions enumerated, days from PROJECTION_START to today."""
    template = f"{location}${{{ACCOUNT_PARTITION}}}/CloudTrail/${{{REGION_PARTITION}}}/${{{DAY_PARTITION}}}"
    return {
        "EXTERNAL": "TRUE",
        "classification": "cloudtrail",
        "projection.enabled": "true",
        f"projection.{ACCOUNT_PARTITION}.type": "enum",
        f"projection.{ACCOUNT_PARTITION}.values": ",".join(sorted(set(account_ids))),
        f"projection.{REGION_PARTITION}.type": "enum",
        f"projection.{REGION_PARTITION}.values": ",".join(sorted(set(regions))),
        f"projection.{DAY_PARTITION}.type": "date",
        f"projection.{DAY_PARTITION}.format": DAY_FORMAT,
        f"projection.{DAY_PARTITION}.range": f"{PROJECTION_START},NOW",
        f"projection.{DAY_PARTITION}.interval": "1",
        f"projection.{DAY_PARTITION}.interval.unit": "DAYS",
        "storage.location.template": template,
    }


OBJECT_LOCK_MODE = "GOVERNANCE"
"""GOVERNANCE, not COMPLIANCE: no one can shorten or lift the retention without
s3:BypassGovernanceRetention, which the Security OU's protect-log-buckets SCP denies to all but the
privileged roles, while a wrong `object_lock_days` stays correctable. COMPLIANCE would make every
log version undeletable by anyone, root included, for the whole period, with no way back."""


def trail_arn(region: str, management_account_id: str, name: str = TRAIL) -> str:
    """An organisation trail is owned by the management account even when its delegated administrator creates it."""
    return f"arn:aws:cloudtrail:{region}:{management_account_id}:trail/{name}"


def trail_bucket_statements(bucket: str, trail: str, organization_id: str, management_account_id: str) -> list[dict]:
    """What CloudTrail needs on the bucket for this trail only (aws:SourceArn), as AWS documents for organisation trails."""
    arn = bucket_arn(bucket)
    write = {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trail}}
    return [
        {
            "Sid": "AWSCloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:GetBucketAcl",
            "Resource": arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail}},
        },
        {
            "Sid": "AWSCloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/{management_account_id}/*",
            "Condition": write,
        },
        {
            "Sid": "AWSCloudTrailOrganizationWrite",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "s3:PutObject",
            "Resource": f"{arn}/AWSLogs/{organization_id}/*",
            "Condition": write,
        },
    ]


def trail_key_statements(trail: str, management_account_id: str) -> list[dict]:
    """CloudTrail may encrypt for this trail (the encryption context names the management account's trails) and describe the key."""
    source = {"aws:SourceArn": trail}
    return [
        {
            "Sid": "AllowCloudTrailToEncryptLogs",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {
                "StringEquals": source,
                "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{management_account_id}:trail/*"},
            },
        },
        {
            "Sid": "AllowCloudTrailToDescribeKey",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDTRAIL},
            "Action": "kms:DescribeKey",
            "Resource": "*",
            "Condition": {"StringEquals": source},
        },
    ]
