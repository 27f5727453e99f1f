"""The landing zone's ComponentResources, one module each."""

from components.account import AccountPlacement
from components.app_account_set import AppAccountSet, AppAccountSetArgs
from components.backup_vaults import BackupAccount, BackupVaults, BackupVaultsArgs
from components.control_tower import ControlTower, ControlTowerArgs
from components.control_tower_roles import ControlTowerRoles, ControlTowerRolesArgs
from components.guardrails import Guardrails, GuardrailsArgs
from components.organization import Organization, OrganizationalUnitSpec, OrganizationArgs
from components.security_ou import SecurityOU, SecurityOUArgs
from components.sso_access import SSOAccess, SSOAccessArgs

__all__ = [
    "AccountPlacement",
    "AppAccountSet",
    "AppAccountSetArgs",
    "BackupAccount",
    "BackupVaults",
    "BackupVaultsArgs",
    "ControlTower",
    "ControlTowerArgs",
    "ControlTowerRoles",
    "ControlTowerRolesArgs",
    "Guardrails",
    "GuardrailsArgs",
    "Organization",
    "OrganizationArgs",
    "OrganizationalUnitSpec",
    "SSOAccess",
    "SSOAccessArgs",
    "SecurityOU",
    "SecurityOUArgs",
]
