"""Organisation policies: the merged documents of every policy type, each attached to its target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from config.model import AdoptedPolicySpec
from guardrails.policies import PolicyDocument


@dataclass(frozen=True)
class GuardrailsArgs:
    policies: Sequence[PolicyDocument]
    """Merged, size-checked documents of every type, each naming its target."""
    target_ids: Mapping[str, pulumi.Input[str]]
    """`root` and every OU key -> the id to attach to."""
    organization_id: pulumi.Input[str]
    """The organisation's id, for the documents that name it (the RCPs' `aws:PrincipalOrgID`)."""
    account_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Account key -> id, for the accounts SCP exemptions name (`PolicyDocument.accounts`)."""
    github_owner_id: pulumi.Input[str] = ""
    """The GitHub owner's numeric id, for the documents that pin it (the GitHub tenant RCP); empty without GitHub."""
    github_login: pulumi.Input[str] = ""
    """The GitHub owner's login as GitHub spells it, for the documents that name it (the GitHub tenant RCP); empty
    without GitHub."""
    after: Sequence[pulumi.Resource] = ()
    """What the policies wait for: the organisation, whose policy types must be enabled first."""
    attach_after: Mapping[str, Sequence[pulumi.Resource]] = field(default_factory=dict)
    """Policy type key -> what its attachments wait for: a backup policy's vaults and roles, which
    must exist in every account before its plans run (orgs_manage_policies_backup_create.html)."""
    adopted: Sequence[AdoptedPolicySpec] = ()
    """Policies of an adopted organisation: imported, kept verbatim, attached where they are."""


LEGACY_KEYS = {"tag_policy": "tags"}
"""Policy type key -> the key its one document had before every type was first-class: the tag
policy was `<name>-tags-policy` and `<name>-tags-attachment`. The type's first document keeps those
names as aliases, so a live stack renames the policy in place (UpdatePolicy changes its name) and
keeps its attachment, instead of creating a second tag policy and deleting the first."""


def _aliases(name: str, old_key: Optional[str], purpose: str) -> Optional[list[pulumi.Alias]]:
    return [pulumi.Alias(name=f"{name}-{old_key}-{purpose}")] if old_key else None


class Guardrails(pulumi.ComponentResource):
    policies: dict[str, aws.organizations.Policy]

    def __init__(self, name: str, args: GuardrailsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:guardrails:Guardrails", name, None, opts)
        after = pulumi.ResourceOptions(parent=self, depends_on=list(args.after))
        self.policies = {}
        legacy = dict(LEGACY_KEYS)
        for document in args.policies:
            old_key = legacy.pop(document.policy_type.key, None)
            policy = aws.organizations.Policy(
                f"{name}-{document.key}-policy",
                name=names.organization_policy(document.key),
                type=document.policy_type.api_type,
                content=self._content(document, args),
                description=f"Landing zone {document.policy_type.label} for {document.target}: {', '.join(document.templates)}"[:512],
                opts=pulumi.ResourceOptions.merge(after, pulumi.ResourceOptions(aliases=_aliases(name, old_key, "policy"))),
            )
            aws.organizations.PolicyAttachment(
                f"{name}-{document.key}-attachment",
                policy_id=policy.id,
                target_id=args.target_ids[document.target],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=list(args.attach_after.get(document.policy_type.key, ())),
                    aliases=_aliases(name, old_key, "attachment"),
                ),
            )
            self.policies[document.key] = policy
        targets = {**args.target_ids, **args.account_ids}
        for spec in args.adopted:
            self.policies[spec.key] = self._adopt(name, spec, targets, after)
        self.register_outputs({"policyIds": {key: policy.id for key, policy in self.policies.items()}})

    def _adopt(self, name: str, spec: AdoptedPolicySpec, targets: Mapping[str, pulumi.Input[str]], opts: pulumi.ResourceOptions) -> aws.organizations.Policy:
        """Import `spec` with exactly the inputs it has in AWS (an import with other inputs fails).

        Protected, with the attachments that existed: it was made outside this program, so dropping
        it from config must stop `pulumi up` rather than delete or detach it.
        """
        policy = aws.organizations.Policy(
            f"{name}-{spec.key}-adopted-policy",
            name=spec.name,
            type=spec.type,
            content=spec.content,
            description=spec.description,
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True, import_=spec.existing_id)),
        )
        for attachment in spec.attachments:
            # Protected too when it existed: Pulumi deletes dependents first, so dropping the
            # policy from config would detach it everywhere before the policy's protection stops
            # `pulumi up --skip-preview`.
            aws.organizations.PolicyAttachment(
                f"{name}-{spec.key}-{attachment.target}-adopted-attachment",
                policy_id=policy.id,
                target_id=targets[attachment.target],
                opts=pulumi.ResourceOptions(parent=self, protect=attachment.import_id is not None, import_=attachment.import_id),
            )
        return policy

    @staticmethod
    def _content(document: PolicyDocument, args: GuardrailsArgs) -> pulumi.Input[str]:
        """The document as sent: its slots filled once the ids they name (accounts, the organisation,
        the GitHub owner) are known."""
        if not document.accounts and not document.needs_organization_id and not document.needs_github_owner_id and not document.needs_github_login:
            return document.content
        if document.needs_github_owner_id and not args.github_owner_id:
            # Sent as is, the slot would refuse every immutable subject of the owner.
            raise ValueError(f"{document.key} pins the GitHub owner's id, but the stack passed none")
        if document.needs_github_login and not args.github_login:
            raise ValueError(f"{document.key} names the GitHub owner's login, but the stack passed none")
        ids = pulumi.Output.all(*(args.account_ids[key] for key in document.accounts))
        organization = pulumi.Output.from_input(args.organization_id if document.needs_organization_id else "")
        owner = pulumi.Output.from_input(args.github_owner_id if document.needs_github_owner_id else "")
        login = pulumi.Output.from_input(args.github_login if document.needs_github_login else "")
        return pulumi.Output.all(ids, organization, owner, login).apply(
            lambda values: document.sent(dict(zip(document.accounts, values[0], strict=True)), *values[1:])
        )
