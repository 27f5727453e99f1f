"""GitHub OIDC subjects: the two forms GitHub sends, built and taken apart; ECR lifecycle policies against ECR's rules; a terraform plan role's state access (delivery/policies.py)."""

from __future__ import annotations

import json

import pytest

from delivery.policies import (
    GitHubSubject,
    ecr_lifecycle_policy,
    github_subject,
    lifecycle_policy_problems,
    parse_github_subject,
    terraform_plan_state_policy,
)

BUILT = [
    (("acme", "shop", "prod"), {"owner_id": 12345678, "repository_id": 987654321}, "repo:acme@12345678/shop@987654321:environment:prod"),
    (("acme", "shop", "prod"), {"owner_id": "12345678", "repository_id": "987654321"}, "repo:acme@12345678/shop@987654321:environment:prod"),
    (("acme", "shop", "prod"), {"form": "name"}, "repo:acme/shop:environment:prod"),
    (("acme-inc", "landing-zone", "preview"), {"form": "name", "owner_id": 1, "repository_id": 2}, "repo:acme-inc/landing-zone:environment:preview"),
]


@pytest.mark.parametrize("args, kwargs, subject", BUILT)
def test_github_subject_of_each_form(args, kwargs, subject):
    assert github_subject(*args, **kwargs) == subject


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({}, "needs the numeric owner and repository ids, got None and None"),
        ({"owner_id": 12, "repository_id": "R_kgDO"}, "got 12 and 'R_kgDO'"),
        ({"form": "legacy"}, "unknown subject form 'legacy'; forms: immutable, name"),
    ],
)
def test_github_subject_refuses_what_github_never_sends(kwargs, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        github_subject("acme", "shop", "prod", **kwargs)


PARSED = [
    ("repo:acme@12345678/shop@987654321:environment:prod", GitHubSubject("acme", "shop", "environment:prod", "12345678", "987654321")),
    ("repo:acme/shop:environment:prod", GitHubSubject("acme", "shop", "environment:prod")),
    ("repo:acme/shop:pull_request", GitHubSubject("acme", "shop", "pull_request")),
    ("repo:acme/shop.web:ref:refs/heads/main", GitHubSubject("acme", "shop.web", "ref:refs/heads/main")),
    ("repo:acme@12345678/shop:environment:prod", None),
    ("repo:acme/shop@987654321:environment:prod", None),
    ("repo:acme@0123/shop@1:environment:prod", None),
    ("repo:acme/*:environment:prod", None),
    ("repo:acme/shop:*", None),
    ("repo:acme/shop", None),
    ("acme/shop:environment:prod", None),
    (["repo:acme/shop:environment:prod"], None),
]


@pytest.mark.parametrize("subject, parsed", PARSED)
def test_parse_github_subject(subject, parsed):
    assert parse_github_subject(subject) == parsed


def test_a_parsed_subject_names_its_form_and_repository():
    immutable = parse_github_subject("repo:acme@12345678/shop@987654321:environment:prod")
    assert (immutable.form, immutable.full_name) == ("immutable", "acme/shop")
    assert parse_github_subject("repo:acme/shop:environment:prod").form == "name"


def _rule(priority, status="tagged", count=("imageCountMoreThan", None, 10), **tags) -> dict:
    count_type, unit, number = count
    selection = {"tagStatus": status, **tags, "countType": count_type, **({"countUnit": unit} if unit else {}), "countNumber": number}
    return {"rulePriority": priority, "selection": selection, "action": {"type": "expire"}}


DEPLOYED = {"tagPatternList": ["deployed-*"]}
DAYS = ("sinceImagePushed", "days", 7)
# (rules, the one problem ECR would refuse them for); sources: delivery.policies LIFECYCLE_SOURCE and
# LIFECYCLE_EVALUATION_SOURCE ("Lifecycle policy properties", "Lifecycle policy evaluation rules").
LIFECYCLE_CASES = [
    ([_rule(1, **DEPLOYED), _rule(2, "untagged", DAYS), _rule(3, "any")], None),
    # Priorities need not be sequential, only unique.
    ([_rule(10, **DEPLOYED), _rule(20, tagPrefixList=["release-"]), _rule(99, "any")], None),
    ([_rule(1, **DEPLOYED), _rule(1, "any")], "rulePriority values [1, 1] are not unique: each rule needs its own"),
    ([_rule(0, **DEPLOYED)], "rule 0: rulePriority must be a positive integer"),
    ([_rule(1, "any"), _rule(2, **DEPLOYED)], "rule 1: the rule with tagStatus any must have the highest rulePriority (it is evaluated last)"),
    ([_rule(1, "untagged", DAYS), _rule(2, "untagged")], "2 rules select untagged images; only one may"),
    ([_rule(1)], "rule 1: a tagged rule takes either tagPatternList or tagPrefixList, exactly one"),
    ([_rule(1, tagPatternList=["deployed-*"], tagPrefixList=["deployed-"])], "rule 1: a tagged rule takes either tagPatternList or tagPrefixList, exactly one"),
    ([_rule(1, "untagged", tagPrefixList=["x"])], "rule 1: only a tagged rule takes tagPatternList or tagPrefixList"),
    ([_rule(1, tagPatternList=["a*b*c*d*e*"])], "rule 1: tag pattern 'a*b*c*d*e*' has more than 4 wildcards"),
    ([_rule(1, tagPatternList=["*a*b*c*"])], None),
    ([_rule(1, **DEPLOYED), _rule(2, **DEPLOYED)], "rule 2: another rule selects the same tags ['deployed-*']; each rule's tags must differ"),
    ([_rule(1, "mixed")], "rule 1: tagStatus 'mixed' is not tagged, untagged or any"),
    (
        [_rule(1, "any", ("sinceImagePushed", None, 7))],
        "rule 1: countUnit `days` goes with sinceImagePushed, sinceImagePulled, sinceImageTransitioned, and only with them (got None with 'sinceImagePushed')",
    ),
    (
        [_rule(1, "any", ("imageCountMoreThan", "days", 7))],
        "rule 1: countUnit `days` goes with sinceImagePushed, sinceImagePulled, sinceImageTransitioned, and only with them (got 'days' with 'imageCountMoreThan')",
    ),
    # The age counts ECR added later (the user guide's policy template) are accepted, in days only.
    ([_rule(1, "any", ("sinceImagePulled", "days", 7))], None),
    (
        [_rule(1, "any", ("sinceImagePulled", None, 7))],
        "rule 1: countUnit `days` goes with sinceImagePushed, sinceImagePulled, sinceImageTransitioned, and only with them (got None with 'sinceImagePulled')",
    ),
    (
        [_rule(1, "any", ("sinceImageUsed", None, 7))],
        "rule 1: countType 'sinceImageUsed' is not imageCountMoreThan, sinceImagePushed, sinceImagePulled, sinceImageTransitioned",
    ),
    ([_rule(1, "any", ("imageCountMoreThan", None, 0))], "rule 1: countNumber 0 must be a positive integer"),
    ([], "a lifecycle policy holds a non-empty list `rules`"),
]


@pytest.mark.parametrize("rules, problem", LIFECYCLE_CASES)
def test_lifecycle_policy_problems_follow_ecrs_rules(rules, problem):
    assert lifecycle_policy_problems({"rules": rules}) == ([problem] if problem else [])


def test_a_lifecycle_policy_longer_than_the_api_takes_is_refused():
    document = {"rules": [{**_rule(1, "any"), "description": "x" * 30720}]}
    assert lifecycle_policy_problems(document) == ["the policy is 30876 characters minified; PutLifecyclePolicy takes 100 to 30720"]


@pytest.mark.parametrize("keep_deployed, keep_tested", [(1, 1), (10, 100), (200, 3)])
def test_the_generated_lifecycle_keeps_deployed_then_tested_images_ahead_of_every_other_rule(keep_deployed, keep_tested):
    document = ecr_lifecycle_policy(keep_deployed=keep_deployed, keep_tested=keep_tested)
    assert lifecycle_policy_problems(document) == []
    # Deployed, then tested images: nothing with those tags is expired by a later rule (evaluation
    # rules), and each pattern has a rule of its own (a list of several selects images with all of them).
    ordered = sorted(document["rules"], key=lambda rule: rule["rulePriority"])
    assert [rule["selection"] for rule in ordered[:2]] == [
        {"tagStatus": "tagged", "tagPatternList": ["deployed-*"], "countType": "imageCountMoreThan", "countNumber": keep_deployed},
        {"tagStatus": "tagged", "tagPatternList": ["tested-*"], "countType": "imageCountMoreThan", "countNumber": keep_tested},
    ]
    assert [rule["selection"]["tagStatus"] for rule in ordered[2:]] == ["untagged", "any"]


KEY = "arn:aws:kms:ap-northeast-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.mark.parametrize(
    "bucket, state_key, statements",
    [
        (
            "landing-zone-tfstate-111111111111-ap-northeast-1",
            "network/terraform.tfstate",
            [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "arn:aws:s3:::landing-zone-tfstate-111111111111-ap-northeast-1/network/terraform.tfstate",
                },
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::landing-zone-tfstate-111111111111-ap-northeast-1"},
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY},
                {
                    "Effect": "Allow",
                    "Action": "kms:GenerateDataKey",
                    "Resource": KEY,
                    "Condition": {"StringEquals": {"kms:EncryptionContext:purpose": "terraform-plan"}},
                },
            ],
        ),
        (
            "b",
            "a/b/terraform.tfstate",
            [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a/b/terraform.tfstate"},
                {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"},
                {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY},
                {
                    "Effect": "Allow",
                    "Action": "kms:GenerateDataKey",
                    "Resource": KEY,
                    "Condition": {"StringEquals": {"kms:EncryptionContext:purpose": "terraform-plan"}},
                },
            ],
        ),
    ],
)
def test_a_terraform_plan_role_reads_one_state_and_writes_nothing(bucket, state_key, statements):
    document = terraform_plan_state_policy(bucket, state_key, KEY)
    assert document["Statement"] == statements
    # Not even the lock file: the plan runs with -lock=false. Its one KMS data key is for the saved
    # plan: with that context only, so never one S3 could use for the state (S3 sends aws:s3:arn).
    assert not any(word in json.dumps(document) for word in ("Put", "Delete", '"kms:Encrypt"', "tflock", "*"))
