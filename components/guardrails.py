"""Organisation policies: the merged SCPs on their targets and the tag policy on its OU."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names
from guardrails.scp import ScpDocument


@dataclass(frozen=True)
class GuardrailsArgs:
    scps: Sequence[ScpDocument]
    """Merged, size-checked SCP documents, each naming its target."""
    target_ids: Mapping[str, pulumi.Input[str]]
    """`root` and every OU key -> the id to attach to."""
    tag_policy: Optional[str]
    """Minified TAG_POLICY document, or None."""
    tag_policy_target: str
    """OU key the tag policy is attached to."""
    account_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Account key -> id, for the accounts SCP exemptions name (`ScpDocument.accounts`)."""
    after: Sequence[pulumi.Resource] = ()
    """What the policies wait for: the organisation, whose policy types must be enabled first."""


class Guardrails(pulumi.ComponentResource):
    policies: dict[str, aws.organizations.Policy]

    def __init__(self, name: str, args: GuardrailsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:guardrails:Guardrails", name, None, opts)
        after = pulumi.ResourceOptions(parent=self, depends_on=list(args.after))
        self.policies = {}
        for document in args.scps:
            self.policies[document.key] = self._attach(
                name,
                document.key,
                "SERVICE_CONTROL_POLICY",
                self._content(document, args.account_ids),
                f"Landing zone SCP for {document.target}: {', '.join(document.templates)}",
                args.target_ids[document.target],
                after,
            )
        if args.tag_policy is not None:
            self.policies["tags"] = self._attach(
                name,
                "tags",
                "TAG_POLICY",
                args.tag_policy,
                "Landing zone tag policy: required tags and their spelling",
                args.target_ids[args.tag_policy_target],
                after,
            )
        self.register_outputs({"policyIds": {key: policy.id for key, policy in self.policies.items()}})

    @staticmethod
    def _content(document: ScpDocument, account_ids: Mapping[str, pulumi.Input[str]]) -> pulumi.Input[str]:
        """The document as sent: its account slots filled once those accounts' ids are known."""
        if not document.accounts:
            return document.content
        ids = pulumi.Output.all(*(account_ids[key] for key in document.accounts))
        return ids.apply(lambda values: document.render(dict(zip(document.accounts, values, strict=True))))

    def _attach(self, name, key, policy_type, content, description, target_id, opts) -> aws.organizations.Policy:
        policy = aws.organizations.Policy(
            f"{name}-{key}-policy",
            name=names.organization_policy(key),
            type=policy_type,
            content=content,
            description=description[:512],
            opts=opts,
        )
        aws.organizations.PolicyAttachment(
            f"{name}-{key}-attachment",
            policy_id=policy.id,
            target_id=target_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return policy
