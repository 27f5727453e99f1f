"""A container application's promotion path: the image tested in the staging environment is the one prod runs.

The staging account's registry replicates the application's repository into prod's (ECR private
image replication keeps the digest); prod's deploy job reads, in the staging repository, the digest
its source tree passed with, waits for that digest in its own repository, tags it `deployed-<run>`
there (the lifecycle policy keeps those) and deploys it by digest. Nothing is rebuilt for prod
(workflows/images.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

import names
from delivery.policies import promotion_reader_policy, promotion_repository_policy, replication_registry_policy
from iam import minify


@dataclass(frozen=True)
class ImagePromotionArgs:
    source_environment: str
    """The staging environment (the one deployed just before prod): it tests and marks the images."""
    target_environment: str
    """The prod environment: it deploys the marked image by digest."""
    region: str
    """Home region: both registries live there, and replication's destination names it."""
    source_provider: aws.Provider
    """Provider of the staging environment's account."""
    source_account_id: pulumi.Input[str]
    """The staging account: the replication source, the registry policy's principal."""
    source_repository: aws.ecr.Repository
    """The staging environment's repository of the application."""
    target_provider: aws.Provider
    """Provider of the prod account."""
    target_account_id: pulumi.Input[str]
    """The prod account: the replication destination."""
    target_repository: aws.ecr.Repository
    """Prod's repository of the same name, created with immutable tags (replication writes into it)."""
    target_role: aws.iam.Role
    """Prod's deploy role, which looks the tested image up and tags it in prod's repository."""


class ImagePromotion(pulumi.ComponentResource):
    def __init__(self, name: str, args: ImagePromotionArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:image_promotion:ImagePromotion", name, None, opts)
        in_source = pulumi.ResourceOptions(parent=self, provider=args.source_provider)
        in_target = pulumi.ResourceOptions(parent=self, provider=args.target_provider)
        # One registry policy per registry and region (PutRegistryPolicy replaces it): prod's account
        # belongs to this one application, so nothing else writes it.
        registry = aws.ecr.RegistryPolicy(
            f"{name}-{args.target_environment}-replication-registry-policy",
            policy=pulumi.Output.all(args.source_account_id, args.target_repository.arn).apply(lambda v: minify(replication_registry_policy(*v))),
            opts=in_target,
        )
        # Also one per registry; only images pushed after it exists are replicated (ECR user guide,
        # "Private image replication"), and it fails until the destination's registry policy exists.
        aws.ecr.ReplicationConfiguration(
            f"{name}-{args.source_environment}-replication",
            replication_configuration=aws.ecr.ReplicationConfigurationReplicationConfigurationArgs(
                rules=[
                    aws.ecr.ReplicationConfigurationReplicationConfigurationRuleArgs(
                        destinations=[
                            aws.ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs(region=args.region, registry_id=args.target_account_id)
                        ],
                        # PREFIX_MATCH is the only filter type; the account holds this application's repository only.
                        repository_filters=[
                            aws.ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArgs(
                                filter=args.source_repository.name, filter_type="PREFIX_MATCH"
                            )
                        ],
                    )
                ]
            ),
            opts=pulumi.ResourceOptions.merge(in_source, pulumi.ResourceOptions(depends_on=[registry, args.target_repository])),
        )
        aws.ecr.RepositoryPolicy(
            f"{name}-{args.source_environment}-promotion-repository-policy",
            repository=args.source_repository.name,
            policy=args.target_role.arn.apply(lambda arn: minify(promotion_repository_policy(arn))),
            opts=in_source,
        )
        aws.iam.RolePolicy(
            f"{name}-{args.target_environment}-promotion-reader",
            name=names.IMAGE_PROMOTION_POLICY,
            role=args.target_role.name,
            policy=pulumi.Output.all(args.source_repository.arn, args.target_repository.arn).apply(lambda v: minify(promotion_reader_policy(*v))),
            opts=in_target,
        )
        self.register_outputs({})
