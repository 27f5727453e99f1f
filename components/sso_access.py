"""IAM Identity Center: people, groups, permission sets and group x account assignments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

from config.model import AssignmentSpec, GroupSpec, IdentityCenterImports, PermissionSetSpec, PersonSpec, UserAssignmentSpec, attachment_key, membership_key
from names import managed_policy_arn


def first_instance(values: list, what: str, region: str):
    if not values:
        raise pulumi.RunError(
            f"IAM Identity Center has no instance in {region}: enable it in the management account (docs/deploying.md, 'Deploy for real': 'Enable IAM Identity Center') so the {what} can be read"
        )
    return values[0]


@dataclass(frozen=True)
class SSOAccessArgs:
    region: str
    """Region of the Identity Center instance (the home region)."""
    people: Mapping[str, PersonSpec]
    """Person key -> identity-store user."""
    groups: Mapping[str, GroupSpec]
    """Group key -> identity-store group with its members."""
    permission_sets: Mapping[str, PermissionSetSpec]
    """Permission set name -> definition, with its inline policy."""
    assignments: Sequence[AssignmentSpec]
    """Every group x permission set x account to assign."""
    account_ids: Mapping[str, pulumi.Input[str]]
    """Account key (`management`, `audit`, `shop-dev`...) -> account id."""
    user_assignments: Sequence[UserAssignmentSpec] = ()
    """Temporary direct assignments to people (the migration access)."""
    imports: IdentityCenterImports = IdentityCenterImports()
    """Import ids of what an adopted organisation has already (`lzctl adopt`); empty otherwise."""


class SSOAccess(pulumi.ComponentResource):
    instance_arn: pulumi.Output[str]
    identity_store_id: pulumi.Output[str]
    group_ids: dict[str, pulumi.Output[str]]
    permission_set_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SSOAccessArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:sso_access:SSOAccess", name, None, opts)
        imports = args.imports
        instances = aws.ssoadmin.get_instances_output(opts=pulumi.InvokeOutputOptions(parent=self))
        self.instance_arn = instances.arns.apply(lambda arns: first_instance(arns, "instance ARN", args.region))
        self.identity_store_id = instances.identity_store_ids.apply(lambda ids: first_instance(ids, "identity store id", args.region))

        users = {
            key: aws.identitystore.User(
                f"{name}-{key}-user",
                identity_store_id=self.identity_store_id,
                user_name=person.user_name,
                display_name=person.display_name,
                name=aws.identitystore.UserNameArgs(given_name=person.given_name, family_name=person.family_name),
                emails=aws.identitystore.UserEmailsArgs(value=person.email, primary=True),
                opts=pulumi.ResourceOptions(parent=self, import_=imports.users.get(key)),
            )
            for key, person in args.people.items()
        }
        groups = {
            key: aws.identitystore.Group(
                f"{name}-{key}-group",
                identity_store_id=self.identity_store_id,
                display_name=group.display_name,
                description=group.description or None,
                opts=pulumi.ResourceOptions(parent=self, import_=imports.groups.get(key)),
            )
            for key, group in args.groups.items()
        }
        for key, group in args.groups.items():
            for member in group.members:
                aws.identitystore.GroupMembership(
                    f"{name}-{membership_key(key, member)}-membership",
                    identity_store_id=self.identity_store_id,
                    group_id=groups[key].group_id,
                    member_id=users[member].user_id,
                    opts=pulumi.ResourceOptions(parent=self, import_=imports.memberships.get(membership_key(key, member))),
                )

        permission_sets: dict[str, aws.ssoadmin.PermissionSet] = {}
        policies_of: dict[str, list[pulumi.Resource]] = {}
        for ps_name, spec in args.permission_sets.items():
            permission_set = aws.ssoadmin.PermissionSet(
                f"{name}-{ps_name}-permission-set",
                name=ps_name,
                description=spec.description,
                session_duration=spec.session_duration,
                instance_arn=self.instance_arn,
                opts=pulumi.ResourceOptions(parent=self, import_=imports.permission_sets.get(ps_name)),
            )
            permission_sets[ps_name] = permission_set
            policies_of[ps_name] = [
                aws.ssoadmin.ManagedPolicyAttachment(
                    f"{name}-{attachment_key(ps_name, policy)}-attachment",
                    instance_arn=self.instance_arn,
                    permission_set_arn=permission_set.arn,
                    managed_policy_arn=managed_policy_arn(policy),
                    opts=pulumi.ResourceOptions(parent=self, import_=imports.managed_policies.get(attachment_key(ps_name, policy))),
                )
                for policy in spec.managed_policies
            ]
            if spec.inline_policy is not None:
                policies_of[ps_name].append(
                    aws.ssoadmin.PermissionSetInlinePolicy(
                        f"{name}-{ps_name}-inline-policy",
                        instance_arn=self.instance_arn,
                        permission_set_arn=permission_set.arn,
                        inline_policy=spec.inline_policy,
                        opts=pulumi.ResourceOptions(parent=self, import_=imports.inline_policies.get(ps_name)),
                    )
                )

        def assign(key: str, permission_set: str, principal_type: str, principal_id, account: str, import_id: Optional[str] = None) -> None:
            aws.ssoadmin.AccountAssignment(
                f"{name}-{key}",
                instance_arn=self.instance_arn,
                permission_set_arn=permission_sets[permission_set].arn,
                principal_type=principal_type,
                principal_id=principal_id,
                target_type="AWS_ACCOUNT",
                target_id=args.account_ids[account],
                # Provisioning copies the set's policies into the account: attach them first.
                opts=pulumi.ResourceOptions(parent=self, depends_on=policies_of[permission_set], import_=import_id),
            )

        for group in args.assignments:
            assign(f"{group.key}-assignment", group.permission_set, "GROUP", groups[group.group].group_id, group.account, imports.assignments.get(group.key))
        for access in args.user_assignments:
            assign(f"{access.key}-migration-assignment", access.permission_set, "USER", users[access.person].user_id, access.account)

        self.group_ids = {key: group.group_id for key, group in groups.items()}
        self.permission_set_arns = {ps_name: ps.arn for ps_name, ps in permission_sets.items()}
        self.register_outputs(
            {
                "instanceArn": self.instance_arn,
                "identityStoreId": self.identity_store_id,
                "groupIds": self.group_ids,
                "permissionSetArns": self.permission_set_arns,
            }
        )
