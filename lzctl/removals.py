"""Removals from the organisation that one `pulumi up` runs in the wrong order, found between two plans.

Pulumi runs every create and update of a deployment before its deletes (pulumi/pulumi
pkg/resource/deploy/step_generator.go: deletes are scheduled after the resources that remain).
Dropping the last document of a policy type therefore updates the Organization first, and
DisablePolicyType "detaches all policies of that type from every root, OU and account"
(Organizations API Reference, DisablePolicyType), those this program does not manage included,
before the policies and attachments are deleted. Turning centralised root access off likewise
removes IAM's trusted access before `OrganizationsFeatures` is deleted, whose DisableOrganizationsRoot*
calls need it. The way round is two deploys: the deletes first (`pulumi destroy --target`), then
the change to the organisation.
"""

from __future__ import annotations

from typing import Iterator, Mapping, Protocol

ORGANIZATION = "aws:organizations/organization:Organization"
POLICY = "aws:organizations/policy:Policy"
ATTACHMENT = "aws:organizations/policyAttachment:PolicyAttachment"
FEATURES = "aws:iam/organizationsFeatures:OrganizationsFeatures"
ROOT_ACCESS_SERVICE = "iam.amazonaws.com"


class Planned(Protocol):
    urn: str
    type: str
    name: str
    inputs: Mapping


def _removed(old: Planned, new: Planned, key: str) -> list[str]:
    return sorted(set(old.inputs.get(key) or ()) - set(new.inputs.get(key) or ()))


def _destroy_first(stack: str, deleted: list[Planned]) -> str:
    targets = " ".join(f"--target '{r.urn}'" for r in deleted)
    return f"`pulumi destroy --stack {stack} {targets}`, then `pulumi up` with this change"


def warnings(old: Mapping[str, Planned], new: Mapping[str, Planned]) -> Iterator[tuple[str, str]]:
    """(Organization URN, message) for each policy type or trusted service the change removes."""
    deleted = [r for urn, r in old.items() if urn not in new]
    for urn, before in old.items():
        after = new.get(urn)
        if before.type != ORGANIZATION or after is None:
            continue
        stack = urn.split("::")[0].removeprefix("urn:pulumi:")
        for policy_type in _removed(before, after, "enabledPolicyTypes"):
            policies = [r for r in deleted if r.type == POLICY and r.inputs.get("type") == policy_type]
            names = {p.name.removesuffix("-policy") + "-attachment" for p in policies}
            gone = [r for r in deleted if r.type == ATTACHMENT and r.name in names] + policies
            then = f"deploy twice: {_destroy_first(stack, gone)}" if gone else "no planned policy of it is deleted: check none is attached"
            yield (
                urn,
                f"{policy_type} leaves the organisation: Pulumi updates the Organization before its deletes, so DisablePolicyType first "
                f"detaches every {policy_type} in the organisation, those this program does not manage included; {then}",
            )
        for service in _removed(before, after, "awsServiceAccessPrincipals"):
            features = [r for r in deleted if r.type == FEATURES] if service == ROOT_ACCESS_SERVICE else []
            then = (
                f"centralised root access is switched off after IAM loses its trusted access, which those calls need; deploy twice: {_destroy_first(stack, features)}"
                if features
                else "check nothing of the service still depends on it (its delegated administrator, its policies)"
            )
            yield urn, f"trusted access for {service} ends with the Organization update, before the deployment's deletes; {then}"
