"""GitHub Actions workflows the landing zone writes into each repository: pure text generation.

The Pulumi program commits the returned files with `github.RepositoryFile`; nothing here touches
Pulumi, GitHub or the network.
"""

from workflows.app import app_workflows
from workflows.infra import OFFLINE_ONLY, PREVIEW_ENVIRONMENT, infra_workflows
from workflows.pins import DEFAULT_PINS, ActionPins, Pin
from workflows.render import Workflows
from workflows.spec import KINDS, AppWorkflowSpec, Commands, InfraWorkflowSpec, default_commands

__all__ = [
    "DEFAULT_PINS",
    "KINDS",
    "ActionPins",
    "AppWorkflowSpec",
    "Commands",
    "InfraWorkflowSpec",
    "Pin",
    "app_workflows",
    "default_commands",
    "infra_workflows",
    "OFFLINE_ONLY",
    "PREVIEW_ENVIRONMENT",
    "Workflows",
]
