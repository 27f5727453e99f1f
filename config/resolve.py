"""Validation phase 2: resolve a well-shaped config into the `LandingZone` the components build.

Cross-references, uniqueness and templating are checked here (guardrails and delivery in their
`*_checks` modules); each check appends to one list of issues so the user sees every problem in
one run. `resolve` returns the `LandingZone`, or the issues that stop it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Optional

from email_validator import EmailNotValidError, validate_email

from config.adoption_checks import adopted_policies, check_existing_ids, identity_center_imports
from config.app_secrets import GivenSecrets, check_app_secrets
from config.closure_checks import check_closures
from config.conformance_pack import check_template
from config.control_tower_adoption import check_baseline_arns, control_tower_imports
from config.delivery_checks import check_delivery
from config.files import FileProblem, inside, read_text
from config.guardrail_checks import check_guardrails
from config.inline_policy import check_identity_policy
from config.issues import ConfigIssue, path_of
from config.model import (
    AUDIT,
    LOG,
    AccountSpec,
    AlertSpec,
    AssignmentSpec,
    GroupSpec,
    LandingZone,
    PermissionSetSpec,
    PersonSpec,
    SecurityServicesSpec,
    UserAssignmentSpec,
    attachment_key,
    membership_key,
    parents_first,
)
from config.partial import INVALID, attempt
from config.schema import (
    RESERVED_SCOPES,
    SCOPE_ALL,
    SCOPE_MANAGEMENT,
    SCOPE_SECURITY,
    Account,
    LandingZoneConfig,
)
from config.security_checks import check_security_services
from config.service_limits import (
    check_action_pins,
    check_application_keys,
    check_deploy_policies,
    check_duplicates,
    check_managed_policy_names,
    check_permission_set_policies,
    check_repository_descriptions,
    check_required_tags,
    check_slack_channels,
)
from security.services import RUNTIME_MONITORING

EXAMPLE_DOMAINS = ("example.com", "example.net", "example.org")
MAX_EMAIL_CHARS = 64
"""CreateAccount `Email`: length 6 to 64 (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html),
checked 2026-12; rules/service.py checks the planned accounts against the same number."""
CONFORMANCE_PACKS = "conformance-packs"
SHIPPED_CONFORMANCE_PACKS = Path(__file__).resolve().parent / CONFORMANCE_PACKS
"""The packs that ship with the program: the defaults for a config folder without its own."""
"""Folder of the conformance pack templates, inside the config folder."""


class _Checker:
    def __init__(self, cfg: LandingZoneConfig, source: Path, refuse_example_domains: bool):
        self.cfg = cfg
        self.source = source
        self.file = str(source)
        self.refuse_example_domains = refuse_example_domains
        self.issues: list[ConfigIssue] = []
        self.warnings: list[str] = []

    @property
    def limits(self):
        # Read when a check needs it: with a shape error in guardrails only the checks using limits stop.
        return self.cfg.guardrails.limits

    def fail(self, path: str, message: str, value=None, hint=None, file=None) -> None:
        self.issues.append(ConfigIssue(file or self.file, path, message, value, hint))

    def ancestors(self, key: str) -> list[str]:
        ous, found = self.cfg.organization.organizational_units, []
        while key in ous and ous[key].parent is not None and ous[key].parent not in found:
            key = ous[key].parent
            found.append(key)
        return found

    def require_ou(self, path: str, key: str) -> None:
        ous = self.cfg.organization.organizational_units
        if key not in ous:
            self.fail(path, "no such organizational unit", key, f"define it under organization.organizational_units ({', '.join(ous)})")

    # --- organisation -------------------------------------------------------------------

    def check_organization(self) -> None:
        org = self.cfg.organization
        ous = org.organizational_units
        for key, ou in ous.items():
            if ou.parent is not None:
                self.require_ou(path_of("organization.organizational_units", key, "parent"), ou.parent)
        for key in ous:
            chain, parent = [key], ous[key].parent
            while parent in ous and parent not in chain:
                chain.append(parent)
                parent = ous[parent].parent
            if parent == key and key == min(chain):
                self.fail(
                    path_of("organization.organizational_units", key, "parent"),
                    "OU nesting forms a cycle",
                    " -> ".join(chain + [key]),
                    "one OU in the chain must sit under the root",
                )
            elif parent is None and len(chain) > self.limits.ou_max_depth:
                self.fail(
                    path_of("organization.organizational_units", key),
                    f"OU is nested {len(chain)} levels deep",
                    " / ".join(reversed(chain)),
                    f"AWS Organizations allows at most {self.limits.ou_max_depth} levels under the root (guardrails.limits.ou_max_depth)",
                )
        names = Counter((ou.parent, ou.name.lower()) for ou in ous.values())
        for key, ou in ous.items():
            if names[(ou.parent, ou.name.lower())] > 1:
                self.fail(
                    path_of("organization.organizational_units", key, "name"),
                    "two OUs under one parent share this name",
                    ou.name,
                    "OU names must be unique among siblings",
                )
        self.require_ou("organization.suspended_ou", org.suspended_ou)
        if org.home_region not in org.governed_regions:
            self.fail("organization.home_region", "home region is not among the governed regions", org.home_region, "add it to organization.governed_regions")
        for region, count in Counter(org.governed_regions).items():
            if count > 1:
                self.fail("organization.governed_regions", "region listed twice", region)

    def check_placements(self) -> None:
        suspended = self.cfg.organization.suspended_ou
        self.require_ou("security.ou", self.cfg.security.ou)
        if self.cfg.security.ou == suspended:
            self.fail("security.ou", "the Security OU cannot be the suspended OU", suspended, "give the audit and log accounts their own OU")
        for role in ("audit", "log"):
            if getattr(self.cfg.security, role).suspended:
                self.fail(
                    path_of("security", role, "suspended"),
                    "the audit and log accounts cannot be suspended",
                    True,
                    "the Security OU, Control Tower and the security stacks depend on them",
                )
        for key, env in self.cfg.environments.items():
            path = path_of("environments", key, "ou")
            self.require_ou(path, env.ou)
            if env.ou in (suspended, self.cfg.security.ou) or suspended in self.ancestors(env.ou):
                self.fail(
                    path,
                    "workloads cannot live in (or under) the suspended OU or in the security OU",
                    env.ou,
                    "give each environment an OU under the member OU",
                )
            if key in RESERVED_SCOPES:
                self.fail(
                    path_of("environments", key),
                    "this name is reserved for assignment scopes",
                    key,
                    f"rename the environment; {', '.join(RESERVED_SCOPES)} are taken",
                )

    # --- accounts -----------------------------------------------------------------------

    def account_spec(self, path: str, key: str, account: Account, ou: str, app=None, env=None) -> AccountSpec:
        org = self.cfg.organization
        email = account.email
        if email is None:
            if org.account_email_template is None:
                self.fail(
                    path_of(path, "email"),
                    "account has no e-mail and there is no template",
                    None,
                    "set organization.account_email_template, e.g. aws+{account}@corp.example",
                )
                email = ""
            else:
                email = org.account_email_template.replace("{account}", key)
                try:
                    email = validate_email(email, check_deliverability=False).normalized
                except EmailNotValidError as err:
                    self.fail("organization.account_email_template", f"templated e-mail for {key} is invalid: {err}", email)
        return AccountSpec(
            key=key,
            name=account.name or key,
            email=email,
            ou=org.suspended_ou if account.suspended else ou,
            application=app,
            environment=env,
            suspended=account.suspended,
            existing_account_id=account.existing_account_id,
            existing_config_service_role=account.existing_config_service_role,
            closing=account.closed == "pending",
            closed_on=None if account.closed in (None, "pending") else account.closed,
        )

    def collect_accounts(self) -> list[tuple[str, AccountSpec]]:
        security = self.cfg.security
        accounts = [
            ("security.audit", self.account_spec("security.audit", AUDIT, security.audit, security.ou)),
            ("security.log", self.account_spec("security.log", LOG, security.log, security.ou)),
        ]
        for app_key, app in self.cfg.applications.items():
            app_path = path_of("applications", app_key)
            # An environment listed twice is reported once, as such, not as six account clashes.
            envs = list(dict.fromkeys(app.environments)) if app.environments is not None else list(self.cfg.environments)
            for index, env in enumerate(envs):
                if env not in self.cfg.environments:
                    self.fail(path_of(app_path, "environments", index), "no such environment", env, f"defined environments: {', '.join(self.cfg.environments)}")
            for env in app.accounts:
                if env not in envs:
                    self.fail(
                        path_of(app_path, "accounts", env),
                        "override for an environment this application does not have",
                        env,
                        f"the application's environments: {', '.join(envs)}",
                    )
            for env in envs:
                if env in self.cfg.environments:
                    path = path_of(app_path, "accounts", env)
                    spec = self.account_spec(path, f"{app_key}-{env}", app.accounts.get(env, Account()), self.cfg.environments[env].ou, app_key, env)
                    accounts.append((path, spec))
        return accounts

    def check_accounts(self, accounts: list[tuple[str, AccountSpec]]) -> None:
        for attribute in ("key", "name", "email"):
            seen = Counter(getattr(spec, attribute).lower() for _, spec in accounts)
            for path, spec in accounts:
                value = getattr(spec, attribute)
                if value and seen[value.lower()] > 1:
                    self.fail(
                        path,
                        f"account {attribute} is used by more than one account",
                        value,
                        "every account needs its own name and root e-mail (after templating)",
                    )
        for path, spec in accounts:
            if len(spec.email) > MAX_EMAIL_CHARS:
                self.fail(
                    path_of(path, "email"),
                    f"root e-mail is {len(spec.email)} characters, over the {MAX_EMAIL_CHARS} Organizations accepts (CreateAccount Email)",
                    spec.email,
                    "use a shorter address or organization.account_email_template",
                )
        adopted = Counter(spec.existing_account_id for _, spec in accounts if spec.existing_account_id)
        for path, spec in accounts:
            if spec.existing_config_service_role and not spec.existing_account_id:
                self.fail(
                    path_of(path, "existing_config_service_role"),
                    "only an adopted account (existing_account_id) has a service-linked role to import",
                    True,
                    "remove it: an account the program creates has no AWSServiceRoleForConfig, the program creates it",
                )
            elif spec.existing_config_service_role and self.cfg.guardrails.control_tower.enabled:
                # stacks/management_security.py records with AWS Config only with Control Tower off.
                self.warnings.append(
                    f"{path_of(path, 'existing_config_service_role')}: no effect with Control Tower on, which records with "
                    "AWS Config in the accounts it enrols (the program creates no Config role then); remove it"
                )
            if not spec.existing_account_id:
                continue
            if spec.existing_account_id == self.cfg.organization.management_account_id:
                self.fail(path_of(path, "existing_account_id"), "the management account cannot be adopted as a member account", spec.existing_account_id)
            elif adopted[spec.existing_account_id] > 1:
                self.fail(path_of(path, "existing_account_id"), "account id adopted twice", spec.existing_account_id)
            else:
                self.warnings.append(
                    f"{spec.key}: adopting account {spec.existing_account_id}; its name ({spec.name!r}) and root e-mail ({spec.email}) "
                    "must match what AWS has exactly, or the import fails (`python -m lzctl migrate inventory` shows them)"
                )
        at_example_domains = [(path, spec) for path, spec in accounts if spec.email.rpartition("@")[2].lower() in EXAMPLE_DOMAINS]
        if self.refuse_example_domains:
            for path, spec in at_example_domains:
                self.fail(
                    path_of(path, "email"),
                    "root e-mail is at a reserved example domain",
                    spec.email,
                    "AWS sends the new account's root credentials there; use a mailbox you own (set email or organization.account_email_template)",
                )
        elif at_example_domains:
            keys = ", ".join(spec.key for _, spec in at_example_domains)
            self.warnings.append(
                f"root e-mails of {len(at_example_domains)} accounts ({keys}) are at reserved example domains; AWS would send root "
                "credentials there, so a real `pulumi up` refuses them; only a run with landing-zone:offlinePlan (which lzctl plan "
                "sets; never set it on a stack you deploy) accepts them"
            )

    # --- Identity Center ----------------------------------------------------------------

    def check_people_and_groups(self) -> None:
        ic = self.cfg.identity_center
        for key, group in ic.groups.items():
            for index, member in enumerate(group.members):
                if member not in ic.people:
                    self.fail(path_of("identity_center.groups", key, "members", index), "no such person", member, "add them under identity_center.people")
                elif group.members.index(member) != index:
                    self.fail(path_of("identity_center.groups", key, "members", index), "person listed twice", member)
        for attribute in ("email", "github"):
            seen = Counter(str(getattr(p, attribute)).lower() for p in ic.people.values() if getattr(p, attribute))
            for key, person in ic.people.items():
                value = getattr(person, attribute)
                if value and seen[str(value).lower()] > 1:
                    self.fail(path_of("identity_center.people", key, attribute), f"{attribute} is shared with another person", value)
        self.require_unique_names(
            "membership",
            [(path_of("identity_center.groups", g, "members"), membership_key(g, m)) for g, group in ic.groups.items() for m in set(group.members)],
        )
        self.require_unique_names(
            "managed policy attachment",
            [
                (path_of("identity_center.permission_sets", ps, "managed_policies"), attachment_key(ps, policy))
                for ps, spec in ic.permission_sets.items()
                for policy in spec.managed_policies
            ],
        )

    def require_unique_names(self, kind: str, located: list[tuple[str, str]]) -> None:
        """Keys joined with hyphens can meet (`a` + `b-c` and `a-b` + `c`); each resource needs its own name."""
        counts = Counter(key for _, key in located)
        for path, key in located:
            if counts[key] > 1:
                self.fail(path, f"two {kind}s would both be named {key}", key, "rename a key so the hyphen-joined names differ")

    def migration_access(self, accounts: list[AccountSpec], today: date) -> list[UserAssignmentSpec]:
        ic = self.cfg.identity_center
        active = {a.key for a in accounts if not a.suspended}
        granted = []
        for index, access in enumerate(ic.migration_access):
            path = path_of("identity_center.migration_access", index)
            for person_index, person in enumerate(access.people):
                if person not in ic.people:
                    self.fail(path_of(path, "people", person_index), "no such person", person)
            if access.account not in active:
                self.fail(path_of(path, "account"), "no such active account", access.account, f"accounts: {', '.join(sorted(active))}")
            if access.permission_set not in ic.permission_sets:
                self.fail(path_of(path, "permission_set"), "no such permission set", access.permission_set)
            if access.until > today + timedelta(days=MIGRATION_ACCESS_MAX_DAYS):
                self.fail(
                    path_of(path, "until"),
                    f"temporary access may last at most {MIGRATION_ACCESS_MAX_DAYS} days",
                    str(access.until),
                    "extend it later by editing the date if the move takes longer",
                )
            if access.until < today:
                self.warnings.append(f"identity_center.migration_access[{index}] ended on {access.until}: its access is removed; delete the entry")
                continue
            granted += [UserAssignmentSpec(person, access.permission_set, access.account) for person in access.people]
        return granted

    def security_services(self, accounts: list[AccountSpec]) -> SecurityServicesSpec:
        settings = self.cfg.security_services
        pack = settings.config.conformance_pack
        text = ""
        path = "security_services.config.conformance_pack"
        try:
            pack_file = inside(self.source.parent, f"{CONFORMANCE_PACKS}/{pack}.yaml")
            if not os.path.lexists(pack_file) and (SHIPPED_CONFORMANCE_PACKS / f"{pack}.yaml").is_file():
                pack_file = SHIPPED_CONFORMANCE_PACKS / f"{pack}.yaml"  # the folder's own file of that name replaces it
            text = read_text(pack_file)
        except FileProblem as err:
            if err.message == "file not found":
                shipped = ", ".join(sorted(p.stem for p in SHIPPED_CONFORMANCE_PACKS.glob("*.yaml")))
                self.fail(
                    path,
                    "conformance pack template not found",
                    pack,
                    f"create {self.source.parent / CONFORMANCE_PACKS / pack}.yaml, or name a shipped one ({shipped})",
                )
            else:
                self.fail(path, f"conformance pack template: {err.message}", pack, err.hint)
        else:
            errors, warnings = check_template(text)
            for problem in errors:
                self.fail(path, f"conformance pack template: {problem}", pack, file=str(pack_file))
            self.warnings.extend(f"{pack_file}: {problem}" for problem in warnings)
        keys = {a.key for a in accounts}
        for key in self.cfg.budgets.accounts:
            if key not in keys:
                self.fail(path_of("budgets.accounts", key), "no such account", key, f"accounts: {', '.join(sorted(keys))}")
        alerts = settings.alerts
        return SecurityServicesSpec(
            protection_plans=tuple(settings.guardduty.protection_plans),
            runtime_agents=tuple(settings.guardduty.runtime_agents) if RUNTIME_MONITORING in settings.guardduty.protection_plans else (),
            standards=tuple(settings.security_hub.standards),
            inspector_resource_types=tuple(settings.inspector.resource_types),
            conformance_pack=pack,
            conformance_pack_template=text,
            alerts=AlertSpec(tuple(alerts.security_hub_severities), alerts.guardduty_min_severity, alerts.access_analyzer),
        )

    def identity_center(self, inline_policies: dict[str, str]) -> tuple[dict, dict, dict]:
        """People, groups and permission sets as the records SSOAccess takes."""
        ic = self.cfg.identity_center
        people = {
            key: PersonSpec(
                p.given_name, p.family_name, str(p.email), p.github, p.user_name or str(p.email), p.display_name or f"{p.given_name} {p.family_name}"
            )
            for key, p in ic.people.items()
        }
        groups = {key: GroupSpec(g.description, tuple(g.members), g.display_name or key) for key, g in ic.groups.items()}
        permission_sets = {
            name: PermissionSetSpec(ps.description, ps.session_duration, tuple(ps.managed_policies), inline_policies.get(name))
            for name, ps in ic.permission_sets.items()
        }
        for name, spec in permission_sets.items():
            if not spec.managed_policies and spec.inline_policy is None and ic.permission_sets[name].inline_policy is None:
                self.warnings.append(f"identity_center.permission_sets.{name} grants nothing: it has no managed policy and no inline policy")
        return people, groups, permission_sets

    def load_inline_policies(self) -> dict[str, str]:
        policies = {}
        folder = self.source.parent
        for name, permission_set in self.cfg.identity_center.permission_sets.items():
            if permission_set.inline_policy is None:
                continue
            path = path_of("identity_center.permission_sets", name, "inline_policy")
            try:
                policy_file = inside(folder, permission_set.inline_policy)
                text = read_text(policy_file)
            except FileProblem as err:
                self.fail(path, f"inline policy: {err.message}", permission_set.inline_policy, err.hint or f"paths are relative to {folder}")
                continue
            try:
                document = json.loads(text)
            except (ValueError, RecursionError) as err:
                self.fail(
                    path,
                    f"inline policy is not valid JSON: {err}",
                    permission_set.inline_policy,
                    'an inline policy is one JSON object, {"Version": "2012-10-17", "Statement": [...]}, with double-quoted names and no trailing commas',
                    file=str(policy_file),
                )
                continue
            errors, warnings = check_identity_policy(document)
            for problem in errors:
                self.fail(path, f"inline policy {problem}", permission_set.inline_policy, file=str(policy_file))
            self.warnings.extend(f"{policy_file}: {problem}" for problem in warnings)
            if errors:
                continue
            minified = json.dumps(document, separators=(",", ":"))
            size = len("".join(minified.split()))
            if size > self.limits.permission_set_inline_max_chars:
                self.fail(
                    path,
                    f"inline policy has {size} non-whitespace characters, over Identity Center's {self.limits.permission_set_inline_max_chars}",
                    permission_set.inline_policy,
                    "split it into a customer managed policy",
                )
            policies[name] = minified
        return policies

    def scope_accounts(self, path: str, scope: str, applications, accounts: list[AccountSpec]) -> list[str]:
        active = [a for a in accounts if not a.suspended]
        in_apps = [a for a in active if a.application and (applications is None or a.application in applications)]
        security = [a.key for a in active if a.application is None]
        if scope == SCOPE_ALL:
            return [SCOPE_MANAGEMENT, *security, *(a.key for a in in_apps)]
        if scope == SCOPE_SECURITY:
            return security
        if scope == SCOPE_MANAGEMENT:
            return [SCOPE_MANAGEMENT]
        if scope not in self.cfg.environments:
            self.fail(path, "no such environment or scope", scope, f"use an environment ({', '.join(self.cfg.environments)}) or {', '.join(RESERVED_SCOPES)}")
            return []
        return [a.key for a in in_apps if a.environment == scope]

    def expand_assignments(self, accounts: list[AccountSpec]) -> list[AssignmentSpec]:
        ic = self.cfg.identity_center
        expanded: dict[tuple[str, str, str], AssignmentSpec] = {}
        paths: dict[tuple[str, str, str], str] = {}
        for index, assignment in enumerate(ic.assignments):
            base = path_of("identity_center.assignments", index)
            if assignment.group not in ic.groups:
                self.fail(path_of(base, "group"), "no such group", assignment.group, "define it under identity_center.groups")
            for app_index, app in enumerate(assignment.applications or []):
                if app not in self.cfg.applications:
                    self.fail(path_of(base, "applications", app_index), "no such application", app)
            for scope, names in assignment.permission_sets.items():
                path = path_of(base, "permission_sets", scope)
                for name in names:
                    if name not in ic.permission_sets:
                        self.fail(path, "no such permission set", name, f"defined: {', '.join(ic.permission_sets) or 'none'}")
                for account in self.scope_accounts(path, scope, assignment.applications, accounts):
                    for name in names:
                        spec = AssignmentSpec(assignment.group, name, account)
                        expanded[(spec.group, spec.permission_set, spec.account)] = spec
                        paths[(spec.group, spec.permission_set, spec.account)] = path
        self.require_unique_names("assignment", [(paths[k], spec.key) for k, spec in expanded.items()])
        return list(expanded.values())


MIGRATION_ACCESS_MAX_DAYS = 90


def resolve(
    cfg: LandingZoneConfig, source: Path, refuse_example_domains: bool, today: Optional[date] = None, secrets: Optional[GivenSecrets] = None
) -> tuple[LandingZone | None, list[ConfigIssue]]:
    """Phase 2 over `cfg`; with a config rebuilt by `config.partial` (phase 1 failed), every check
    whose parts are valid still runs and reports, and no `LandingZone` is returned. `secrets`: the
    application secrets the stack config holds, checked against what the config names (None: not checked)."""
    today = today or date.today()
    checker = _Checker(cfg, source, refuse_example_domains)
    ou_tree_sound = attempt(checker.check_organization) is not INVALID and not checker.issues
    attempt(check_existing_ids, cfg, checker.fail)
    attempt(checker.check_placements)
    located = attempt(checker.collect_accounts)
    attempt(checker.check_accounts, located)
    attempt(check_closures, located, today, checker.fail, checker.warnings.append)
    # A closed account leaves the program: nothing is planned for it, which is what closes it.
    accounts = INVALID if located is INVALID else [spec for _, spec in located if spec.closed_on is None]
    closed = INVALID if located is INVALID else [spec for _, spec in located if spec.closed_on is not None]
    attempt(checker.check_people_and_groups)
    identity_center = attempt(checker.identity_center, attempt(checker.load_inline_policies))
    security_services = attempt(checker.security_services, accounts)
    attempt(check_security_services, cfg, accounts, checker.fail, checker.warnings.append)
    assignments = attempt(checker.expand_assignments, accounts)
    migration_assignments = attempt(checker.migration_access, accounts, today)
    # For delivery a closed account is a suspended one: its environment stays the application's, with nothing to deploy to.
    delivery = attempt(check_delivery, cfg, INVALID if located is INVALID else [*accounts, *closed], checker.fail, checker.warnings.append)
    if delivery is not None and delivery is not INVALID:
        attempt(check_app_secrets, delivery.pipelines, secrets, checker.fail, checker.warnings.append)
    for check in (
        check_application_keys,
        check_repository_descriptions,
        check_slack_channels,
        check_deploy_policies,
        check_permission_set_policies,
        check_action_pins,
        check_required_tags,
        check_baseline_arns,
    ):
        attempt(check, cfg, checker.fail)
    attempt(check_duplicates, cfg, checker.fail, list(checker.issues))
    adopted = attempt(adopted_policies, cfg, source.parent, accounts, checker.fail)
    sso_imports = attempt(identity_center_imports, cfg, accounts, assignments, checker.fail)
    attempt(check_managed_policy_names, cfg, checker.warnings.append)
    guardrails = None
    if ou_tree_sound:
        # OU order and guardrail targets are only meaningful once the OU tree itself is sound.
        guardrails = attempt(_guardrails, cfg, accounts, delivery, checker)
    ct_imports = INVALID if guardrails is None or guardrails is INVALID else attempt(control_tower_imports, cfg, guardrails, checker.fail)
    if checker.issues:
        return None, checker.issues
    parts = (identity_center, security_services, assignments, migration_assignments, delivery, guardrails, adopted, sso_imports, ct_imports)
    if not ou_tree_sound or any(part is INVALID for part in parts):
        return None, []  # phase 1 failed: its issues are the loader's to report
    people, groups, permission_sets = identity_center
    return (
        LandingZone(
            config=cfg,
            source=source,
            accounts=tuple(accounts),
            assignments=tuple(assignments),
            people=people,
            groups=groups,
            permission_sets=permission_sets,
            guardrails=guardrails,
            migration_assignments=tuple(migration_assignments),
            delivery=delivery,
            security_services=security_services,
            warnings=tuple(checker.warnings),
            adopted_policies=adopted,
            identity_center_imports=sso_imports,
            control_tower_imports=ct_imports,
            closed_accounts=tuple(closed),
        ),
        [],
    )


def _guardrails(cfg: LandingZoneConfig, accounts: list[AccountSpec], delivery, checker: _Checker):
    order = parents_first({key: ou.parent for key, ou in cfg.organization.organizational_units.items()})
    known = {SCOPE_MANAGEMENT: cfg.organization.management_account_id, **{a.key: a.existing_account_id for a in accounts if a.existing_account_id}}
    return check_guardrails(cfg, order, known, checker.fail, checker.warnings.append, accounts, delivery, checker.source.parent)
