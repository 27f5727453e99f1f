"""The landing-zone definition: YAML data in this folder, validated by the models beside it."""

from config.issues import ConfigError, ConfigIssue
from config.loader import CONFIG_FILE, load
from config.model import AccountSpec, AssignmentSpec, LandingZone

__all__ = ["CONFIG_FILE", "AccountSpec", "AssignmentSpec", "ConfigError", "ConfigIssue", "LandingZone", "load"]
