"""Log analysis in the log archive account: an Athena workgroup over the organisation's CloudTrail.

A hardened results bucket, a workgroup that enforces where results go and how they are encrypted,
a Glue database with a partition-projected CloudTrail table (no crawler, no partitions to add),
and saved queries for the questions asked first after an incident.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from components.secure_bucket import SecureBucket, SecureBucketArgs
from logs.cloudtrail import CLOUDTRAIL_COLUMNS, CLOUDTRAIL_INPUT_FORMAT, CLOUDTRAIL_SERDE, HIVE_OUTPUT_FORMAT, projection_parameters
from logs.queries import ACCOUNT_PARTITION, DAY_PARTITION, REGION_PARTITION, saved_queries
from names import ATHENA_RESULTS, ATHENA_WORKGROUP, CLOUDTRAIL_TABLE, GLUE_DATABASE, regional_bucket

ENGINE_VERSION = "Athena engine version 3"
BYTES_SCANNED_CUTOFF = 10 * 1024**3
"""10 GiB (about 0.05 USD) per query; the saved queries read 30 days of partitions."""


@dataclass(frozen=True)
class LogAnalysisArgs:
    account_id: pulumi.Input[str]
    """The log archive account: owns the results bucket and its key."""
    region: str
    """Home region: Athena, Glue and the results bucket live there."""
    trail_location: pulumi.Input[str]
    """S3 prefix of the organisation trail, up to `AWSLogs/<org id>/` (see `logs.cloudtrail.trail_location`)."""
    account_ids: pulumi.Input[Sequence[str]]
    """Every account of the organisation, projected as the `account` partition."""
    trail_regions: Sequence[str]
    """Regions projected as the `region` partition: all of them, since denied calls in ungoverned regions are logged too."""
    results_expiry_days: int
    """Athena query results are deleted after this."""
    bytes_scanned_cutoff: int = BYTES_SCANNED_CUTOFF
    """Athena cancels any query of the workgroup that scans more than this."""


class LogAnalysis(pulumi.ComponentResource):
    workgroup: aws.athena.Workgroup
    database: aws.glue.CatalogDatabase
    table: aws.glue.CatalogTable
    results: SecureBucket
    queries: dict[str, aws.athena.NamedQuery]

    def __init__(self, name: str, args: LogAnalysisArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:log_analysis:LogAnalysis", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.results = SecureBucket(
            f"{name}-results",
            SecureBucketArgs(
                bucket=pulumi.Output.from_input(args.account_id).apply(lambda account: regional_bucket(ATHENA_RESULTS, account, args.region)),
                account_id=args.account_id,
                description="Athena query results of the log-analysis workgroup",
                expire_after_days=args.results_expiry_days,
            ),
            opts=child,
        )
        self.workgroup = aws.athena.Workgroup(
            f"{name}-workgroup",
            name=ATHENA_WORKGROUP,
            description="Queries over the organisation's CloudTrail logs; results encrypted, expired, and only here",
            state="ENABLED",
            force_destroy=False,
            configuration=aws.athena.WorkgroupConfigurationArgs(
                enforce_workgroup_configuration=True,
                publish_cloudwatch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=args.bytes_scanned_cutoff,
                engine_version=aws.athena.WorkgroupConfigurationEngineVersionArgs(selected_engine_version=ENGINE_VERSION),
                result_configuration=aws.athena.WorkgroupConfigurationResultConfigurationArgs(
                    output_location=self.results.name.apply(lambda bucket: f"s3://{bucket}/results/"),
                    expected_bucket_owner=args.account_id,
                    encryption_configuration=aws.athena.WorkgroupConfigurationResultConfigurationEncryptionConfigurationArgs(
                        encryption_option="SSE_KMS", kms_key_arn=self.results.key_arn
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.results]),
        )
        self.database = aws.glue.CatalogDatabase(
            f"{name}-database",
            name=GLUE_DATABASE,
            description="The landing zone's logs, queried with Athena",
            opts=child,
        )
        self.table = aws.glue.CatalogTable(
            f"{name}-cloudtrail-table",
            name=CLOUDTRAIL_TABLE,
            database_name=self.database.name,
            description="The organisation trail, partition-projected by account, region and day",
            table_type="EXTERNAL_TABLE",
            parameters=pulumi.Output.all(args.trail_location, args.account_ids).apply(lambda v: projection_parameters(v[0], v[1], args.trail_regions)),
            partition_keys=[aws.glue.CatalogTablePartitionKeyArgs(name=key, type="string") for key in (ACCOUNT_PARTITION, REGION_PARTITION, DAY_PARTITION)],
            storage_descriptor=aws.glue.CatalogTableStorageDescriptorArgs(
                location=args.trail_location,
                input_format=CLOUDTRAIL_INPUT_FORMAT,
                output_format=HIVE_OUTPUT_FORMAT,
                ser_de_info=aws.glue.CatalogTableStorageDescriptorSerDeInfoArgs(
                    serialization_library=CLOUDTRAIL_SERDE, parameters={"serialization.format": "1"}
                ),
                columns=[aws.glue.CatalogTableStorageDescriptorColumnArgs(name=column, type=type_) for column, type_ in CLOUDTRAIL_COLUMNS],
            ),
            opts=child,
        )
        self.queries = {
            query.key: aws.athena.NamedQuery(
                f"{name}-{query.key}-query",
                name=query.name,
                description=query.description[:1024],
                workgroup=self.workgroup.name,
                database=self.database.name,
                query=query.sql,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.table]),
            )
            for query in saved_queries(GLUE_DATABASE, CLOUDTRAIL_TABLE)
        }
        self.register_outputs(
            {
                "workgroup": self.workgroup.name,
                "database": self.database.name,
                "table": self.table.name,
                "resultsBucket": self.results.name,
            }
        )
