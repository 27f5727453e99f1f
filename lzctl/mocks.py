"""Computed outputs the offline plan returns in place of AWS: shaped like the real ones, stable per name.

Ids are derived from the resource name, so two plans of one config print the same ids and a
diff of two plan files shows only what the config changed.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Mapping, Optional

import pulumi

import names

SSO_INSTANCE_ARN = "arn:aws:sso:::instance/ssoins-7758a1b2c3d4e5f6"
IDENTITY_STORE_ID = "d-9067a1b2c3"
ORGANIZATION_ID = "o-a1b2c3d4e5"
ROOT_ID = "r-a1b2"


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def account_id(seed: str) -> str:
    """A 12-digit account id that never starts with 0, so it survives any int round trip."""
    return str(10**11 + int(_hex(seed, 15), 16) % (9 * 10**11))


def stable_uuid(seed: str) -> str:
    return str(uuid.UUID(_hex(seed, 32)))


# Organizations and Control Tower name the management account in their ARNs (Organizations user
# guide, "ARN formats": arn:aws:organizations::<management account id>:ou/o-.../ou-...); the
# resources are created through the management provider, whose account the mocks learned from
# its allowedAccountIds, so `account` is the configured management account id.


def _organization(name: str, inputs: dict, account: str, region: str) -> tuple[str, dict]:
    arn = f"arn:aws:organizations::{account}:organization/{ORGANIZATION_ID}"
    root = {"id": ROOT_ID, "arn": f"arn:aws:organizations::{account}:root/{ORGANIZATION_ID}/{ROOT_ID}", "name": "Root", "policyTypes": []}
    return ORGANIZATION_ID, {**inputs, "arn": arn, "roots": [root], "masterAccountId": account}


def _organizational_unit(name: str, inputs: dict, account: str, region: str) -> tuple[str, dict]:
    ou_id = f"ou-{ROOT_ID[2:]}-{_hex(name, 8)}"
    return ou_id, {**inputs, "arn": f"arn:aws:organizations::{account}:ou/{ORGANIZATION_ID}/{ou_id}"}


def _account(name: str, inputs: dict, account: str, region: str) -> tuple[str, dict]:
    member_id = account_id(name)
    arn = f"arn:aws:organizations::{account}:account/{ORGANIZATION_ID}/{member_id}"
    return member_id, {**inputs, "arn": arn, "status": "ACTIVE", "govcloudId": ""}


def _policy(name: str, inputs: dict, account: str, region: str) -> tuple[str, dict]:
    policy_id = f"p-{_hex(name, 8)}"
    # Organizations names each policy type in its ARNs in lower case: .../service_control_policy/p-...,
    # .../resource_control_policy/p-..., .../tag_policy/p-...
    kind = str(inputs.get("type", "SERVICE_CONTROL_POLICY")).lower()
    arn = f"arn:aws:organizations::{account}:policy/{ORGANIZATION_ID}/{kind}/{policy_id}"
    return policy_id, {**inputs, "arn": arn}


def _landing_zone(name: str, inputs: dict, account: str, region: str) -> tuple[str, dict]:
    zone_id = _hex(name, 16).upper()
    return zone_id, {**inputs, "arn": f"arn:aws:controltower:{region}:{account}:landingzone/{zone_id}"}


def _enabled(kind: str):
    def make(name: str, inputs: dict, account: str, region: str) -> tuple[str, dict]:
        arn = f"arn:aws:controltower:{region}:{account}:{kind}/{_hex(name, 16).upper()}"
        return arn, {**inputs, "arn": arn}

    return make


_ORGANIZATION = "aws:organizations/organization:Organization"
_OU = "aws:organizations/organizationalUnit:OrganizationalUnit"
_IN_ACCOUNT = {
    _ORGANIZATION: _organization,
    _OU: _organizational_unit,
    "aws:organizations/account:Account": _account,
    "aws:organizations/policy:Policy": _policy,
    "aws:controltower/landingZone:LandingZone": _landing_zone,
    "aws:controltower/baseline:Baseline": _enabled("enabledbaseline"),
    "aws:controltower/controlTowerControl:ControlTowerControl": _enabled("enabledcontrol"),
}
"""Type -> outputs of a resource whose ARN names the account and region of its provider."""


def _permission_set(name: str, inputs: dict) -> tuple[str, dict]:
    arn = f"{SSO_INSTANCE_ARN.replace(':instance/', ':permissionSet/')}/ps-{_hex(name, 16)}"
    return f"{arn},{SSO_INSTANCE_ARN}", {**inputs, "arn": arn}


def _user(name: str, inputs: dict) -> tuple[str, dict]:
    user_id = stable_uuid(name)
    return f"{IDENTITY_STORE_ID}/{user_id}", {**inputs, "userId": user_id}


def _group(name: str, inputs: dict) -> tuple[str, dict]:
    group_id = stable_uuid(name)
    return f"{IDENTITY_STORE_ID}/{group_id}", {**inputs, "groupId": group_id}


def _membership(name: str, inputs: dict) -> tuple[str, dict]:
    membership_id = stable_uuid(name)
    return f"{IDENTITY_STORE_ID}/{membership_id}", {**inputs, "membershipId": membership_id}


_NEW_RESOURCE = {
    "aws:ssoadmin/permissionSet:PermissionSet": _permission_set,
    "aws:identitystore/user:User": _user,
    "aws:identitystore/group:Group": _group,
    "aws:identitystore/groupMembership:GroupMembership": _membership,
}


def _numeric(seed: str, digits: int = 8) -> str:
    """A number of exactly `digits` digits, as GitHub's ids look today (organisations ~8, repositories ~9)."""
    return str(10 ** (digits - 1) + int(_hex(seed, 15), 16) % (9 * 10 ** (digits - 1)))


def _github_team(name: str, inputs: dict) -> tuple[str, dict]:
    team_id = _numeric(name)
    return team_id, {**inputs, "slug": inputs.get("name", name), "nodeId": f"T_{_hex(name, 12)}"}


def _github_repository(name: str, inputs: dict) -> tuple[str, dict]:
    repository = inputs.get("name", name)
    return repository, {**inputs, "fullName": f"acme-inc/{repository}", "nodeId": f"R_{_hex(name, 12)}", "repoId": int(_numeric(name, 9))}


def _slack_channel(name: str, inputs: dict) -> tuple[str, dict]:
    return f"C0{_hex(name, 9).upper()}", dict(inputs)


_NEW_RESOURCE.update(
    {
        "github:index/team:Team": _github_team,
        "github:index/repository:Repository": _github_repository,
        "slack:index/conversation:Conversation": _slack_channel,
    }
)

_IMPORTED = {"github:index/repository:Repository": _github_repository}
"""Types whose outputs an import reads as a create computes them (the id stays the import's)."""

_CALLS = {
    "aws:guardduty/getDetector:getDetector": lambda args: {"id": _hex("detector", 32), "status": "ENABLED", "findingPublishingFrequency": "SIX_HOURS"},
    "github:index/getOrganization:getOrganization": lambda args: {
        "id": _numeric(f"organization-{args['name']}"),
        "login": args["name"],
        "name": args["name"],
        "nodeId": f"O_{_hex(args['name'], 12)}",
    },
    "github:index/getUser:getUser": lambda args: {"id": _numeric(args["username"]), "login": args["username"], "nodeId": f"U_{_hex(args['username'], 12)}"},
    "aws:ssoadmin/getInstances:getInstances": lambda args: {
        "arns": [SSO_INSTANCE_ARN],
        "identityStoreIds": [IDENTITY_STORE_ID],
        "id": "ap-northeast-1",
    },
}


def _parameters_by_path(parameters: Mapping[str, str], args: dict) -> dict:
    """GetParametersByPath over `parameters` (name -> value): recursive, every level below the path."""
    path = args["path"].rstrip("/")
    found = sorted(name for name in parameters if name.startswith(path + "/"))
    return {
        "id": args["path"],
        "path": args["path"],
        "names": found,
        "values": [parameters[name] for name in found],
        "types": ["String"] * len(found),
        "arns": [f"arn:aws:ssm:ap-northeast-1:{account_id('handoff')}:parameter{name}" for name in found],
    }


class LandingZoneMocks(pulumi.runtime.Mocks):
    def __init__(self, parameters: Optional[Mapping[str, str]] = None):
        self.account_of_provider: dict[str, str] = {}
        """Provider id -> the account it is pinned to, so ARNs name the account they live in."""
        self.region_of_provider: dict[str, str] = {}
        self.organization_id = ORGANIZATION_ID
        """The organisation's id: an imported one's once the program has imported it."""
        self.parameters = dict(parameters or {})
        """SSM parameter name -> value, answered to GetParametersByPath (what the management stack writes)."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        if args.resource_id:
            # Adopted with `import_`: the resource keeps the id it already has, and an import reads its
            # outputs (a repository's numeric id, which immutable OIDC subjects name; an OU's ARN, which
            # Control Tower's baselines and controls target and rules/service.py tells apart).
            if args.typ == _ORGANIZATION:
                self.organization_id = args.resource_id
            if args.typ == _OU:
                account = self.account_of_provider.get(args.provider.rsplit("::", 1)[-1], account_id("management"))
                return args.resource_id, {**args.inputs, "arn": f"arn:aws:organizations::{account}:ou/{self.organization_id}/{args.resource_id}"}
            read = _IMPORTED.get(args.typ)
            return args.resource_id, read(args.name, dict(args.inputs))[1] if read else dict(args.inputs)
        if args.typ == "pulumi:providers:aws":
            provider_id = f"{args.name}-{_hex(args.typ + args.name, 8)}"
            allowed = json.loads(args.inputs.get("allowedAccountIds", "[]"))
            if allowed:
                self.account_of_provider[provider_id] = allowed[0]
            self.region_of_provider[provider_id] = args.inputs.get("region", "ap-northeast-1")
            return provider_id, dict(args.inputs)
        provider_id = args.provider.rsplit("::", 1)[-1]
        account = self.account_of_provider.get(provider_id, account_id("management"))
        region = self.region_of_provider.get(provider_id, "ap-northeast-1")
        if args.typ == "aws:sns/topic:Topic":
            arn = f"arn:aws:sns:{region}:{account}:{args.inputs.get('name', args.name)}"
            return arn, {**args.inputs, "arn": arn}
        if args.typ == "aws:kms/key:Key":
            key_id = stable_uuid(args.name)
            return key_id, {**args.inputs, "arn": f"arn:aws:kms:{region}:{account}:key/{key_id}", "keyId": key_id}
        if args.typ == "aws:iam/role:Role":
            role_name = args.inputs.get("name", args.name)
            arn = names.Role(role_name, args.inputs.get("path", "/")).arn(account)
            return role_name, {**args.inputs, "arn": arn, "uniqueId": f"AROA{_hex(arn, 17).upper()}"}
        if args.typ == "aws:iam/policy:Policy":
            arn = f"arn:aws:iam::{account}:policy{args.inputs.get('path', '/')}{args.inputs.get('name', args.name)}"
            return arn, {**args.inputs, "arn": arn}
        if args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            arn = f"arn:aws:iam::{account}:oidc-provider/{args.inputs['url'].removeprefix('https://')}"
            return arn, {**args.inputs, "arn": arn}
        if args.typ == "aws:ecr/repository:Repository":
            url = f"{account}.dkr.ecr.ap-northeast-1.amazonaws.com/{args.inputs['name']}"
            return args.inputs["name"], {**args.inputs, "repositoryUrl": url, "arn": f"arn:aws:ecr:ap-northeast-1:{account}:repository/{args.inputs['name']}"}
        if args.typ in _IN_ACCOUNT:
            return _IN_ACCOUNT[args.typ](args.name, dict(args.inputs), account, region)
        make = _NEW_RESOURCE.get(args.typ)
        if make is not None:
            return make(args.name, dict(args.inputs))
        return f"{args.name}-{_hex(args.typ + args.name, 8)}", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict:
        if args.token == "aws:ssm/getParametersByPath:getParametersByPath":
            return _parameters_by_path(self.parameters, args.args)
        answer = _CALLS.get(args.token)
        return answer(args.args) if answer else {}
