"""GitHub teams from the Identity Center groups: one list of people drives both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_github as github

from config.model import TeamSpec


@dataclass(frozen=True)
class GitHubTeamsArgs:
    teams: Sequence[TeamSpec]
    """Group key and members' GitHub logins (repository permissions are set by each repository)."""


class GitHubTeams(pulumi.ComponentResource):
    team_ids: dict[str, pulumi.Output[int]]
    memberships: dict[str, list[github.TeamMembership]]
    """Group key -> its members' memberships (a reviewer team reviews through them)."""

    def __init__(self, name: str, args: GitHubTeamsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:github_teams:GitHubTeams", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.team_ids, self.memberships = {}, {}
        for spec in args.teams:
            team = github.Team(
                f"{name}-{spec.group}-team",
                name=spec.group,
                description=f"Identity Center group {spec.group}, managed by the landing zone",
                privacy="closed",
                opts=child,
            )
            self.team_ids[spec.group] = team.id.apply(int)
            self.memberships[spec.group] = [
                github.TeamMembership(f"{name}-{spec.group}-{login}-membership", team_id=team.id, username=login, role="member", opts=child)
                for login in spec.logins
            ]
        self.register_outputs({"teamIds": self.team_ids})
