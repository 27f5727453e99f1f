"""What every verb starts from: the landing zone, the sessions, and which account each profile reaches."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from config import AccountSpec, LandingZone
from lzctl.migrate.aws import MigrationError, SessionFactory, account_of, organization_of, session_for

NO_ADOPTION_HINT = (
    'set `applications.<app>.accounts.prod.existing_account_id: "<12-digit id>"` in {file} to the account you '
    "run today (`python -m lzctl migrate inventory --profile P` prints its id, name and e-mail)"
)


@dataclass(frozen=True)
class Context:
    landing_zone: LandingZone
    sessions: SessionFactory
    config_dir: Path

    @property
    def region(self) -> str:
        """Where regional clients for global services are made: the organisation's home region."""
        return self.landing_zone.organization.home_region

    @property
    def management_id(self) -> str:
        return self.landing_zone.organization.management_account_id

    def access_role(self, spec: AccountSpec) -> str:
        """The role the account's provider assumes (config/model.py `access_role_name`):
        AWSControlTowerExecution for a workload account with Control Tower on."""
        return self.landing_zone.access_role_name(spec.key)

    @property
    def control_tower(self) -> bool:
        return self.landing_zone.config.guardrails.control_tower.enabled

    def adopted(self) -> list[AccountSpec]:
        """Accounts the config adopts; a migration without one has nothing to work on."""
        accounts = [a for a in self.landing_zone.accounts if a.existing_account_id]
        if not accounts:
            raise MigrationError(
                "no account in the config has `existing_account_id`, so there is no existing account to migrate. "
                "Fix: " + NO_ADOPTION_HINT.format(file=self.landing_zone.source) + "."
            )
        return accounts

    def adopted_by_id(self, account_id: str) -> AccountSpec:
        for spec in self.adopted():
            if spec.existing_account_id == account_id:
                return spec
        known = ", ".join(f"{a.key}: {a.existing_account_id}" for a in self.adopted())
        raise MigrationError(
            f"account {account_id} is not adopted by the config (adopted: {known}). Fix: pass one of those ids, "
            f'or set existing_account_id: "{account_id}" on the account it should become in {self.landing_zone.source}.'
        )

    def existing(self, profile: str) -> tuple[object, AccountSpec]:
        """The session of `profile` and the adopted account it reaches; any other account is refused."""
        session = session_for(self.sessions, profile)
        account_id = account_of(session, self.region)
        try:
            return session, self.adopted_by_id(account_id)
        except MigrationError as err:
            raise MigrationError(f"profile '{profile}' reaches account {account_id}, but {err}") from None

    def management(self, profile: str):
        """The session of `profile`, which must reach the configured management account."""
        session = session_for(self.sessions, profile)
        account_id = account_of(session, self.region)
        if account_id != self.management_id:
            raise MigrationError(
                f"profile '{profile}' reaches account {account_id}, not the management account {self.management_id} "
                "(organization.management_account_id). Fix: pass the profile of the management account as "
                "--management-profile."
            )
        return session

    def require_not_elsewhere(self, session, spec: AccountSpec):
        """The account's organisation if it is already ours, None if it has none; another one is refused."""
        organization = organization_of(session, self.region)
        if organization is not None and organization["MasterAccountId"] != self.management_id:
            raise MigrationError(
                f"account {spec.existing_account_id} already belongs to organisation {organization['Id']} "
                f"(management account {organization['MasterAccountId']}), not to the configured one "
                f"({self.management_id}). Fix: have it leave that organisation first (from the account: "
                "`aws organizations leave-organization`; it needs its own payment method and must be at least "
                "7 days old), or correct organization.management_account_id, then run this again."
            )
        return organization

    def command(self, verb: str, *options: str) -> str:
        """The exact command line of another verb, for "next:" lines and the runbook."""
        config = () if self.config_dir == Path("config") else ("--config", str(self.config_dir))
        return " ".join(("python -m lzctl migrate", verb, *options, *config))


def identity_mismatches(actual: dict, wanted: dict) -> list[tuple[str, str, str]]:
    """(field, AWS's value, config's value) where the account's name or root e-mail differs from the config.

    Only fields AWS let us read (not None) are compared; e-mail case does not matter to AWS.
    """
    differ = {"name": lambda a, w: a != w, "email": lambda a, w: a.lower() != str(w).lower()}
    return [(field, actual[field], wanted[field]) for field, test in differ.items() if actual.get(field) is not None and test(actual[field], wanted[field])]
