"""GitHub OIDC subjects: the two forms GitHub sends, built and taken apart (delivery/policies.py)."""

from __future__ import annotations

import pytest

from delivery.policies import GitHubSubject, github_subject, parse_github_subject

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
