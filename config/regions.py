"""AWS commercial regions, checked 2026-11.

Kept by hand because a typo in a region only surfaces mid-deploy otherwise; add a region here
when AWS opens one (validation then names it in the error's list of known regions).
"""

AWS_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)

PARTITION = "aws"
"""The partition of every region here, and so of every ARN the landing zone's resources have (botocore 1.44.8
data/endpoints.json: these regions are partition `aws`'s; GovCloud and China are other partitions, not supported)."""

CONTROL_TOWER_REGIONS = frozenset(
    {
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    }
)
"""Commercial regions where AWS Control Tower can be the home region or govern, checked 2026-12-01.

Source: the regions botocore 1.44.8 lists for the `controltower` service (data/endpoints.json,
partition `aws`). The user guide's control availability table (docs.aws.amazon.com/controltower/
latest/userguide/control-region-tables.html, "Last updated May 6, 2025") named 29 of them; the five
newer ones (ap-east-2, ap-southeast-5, ap-southeast-6, ca-west-1, mx-central-1) have an endpoint
but fewer controls. Drop a region here if AWS's "How AWS Regions work with AWS Control Tower" page
does not list it.
"""
