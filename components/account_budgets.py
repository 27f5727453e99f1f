"""A monthly cost budget per account, alerting at the configured thresholds to an SNS topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_aws as aws

import names


@dataclass(frozen=True)
class BudgetSpec:
    account: str
    """Account key; names the budget."""
    account_id: pulumi.Input[str]
    """The linked account the budget filters on."""
    monthly_usd: float
    """Monthly limit."""
    topic: str
    """Key of the alert topic (the app's channel, or security alerts)."""


@dataclass(frozen=True)
class AccountBudgetsArgs:
    budgets: Sequence[BudgetSpec]
    """One per active account."""
    thresholds: Sequence[int]
    """Percentages of actual spend that alert."""
    topic_arns: Mapping[str, pulumi.Input[str]]
    """Topic key -> SNS topic ARN."""


class AccountBudgets(pulumi.ComponentResource):
    def __init__(self, name: str, args: AccountBudgetsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("landingzone:account_budgets:AccountBudgets", name, None, opts)
        for spec in args.budgets:
            aws.budgets.Budget(
                f"{name}-{spec.account}-budget",
                name=names.budget(spec.account),
                budget_type="COST",
                time_unit="MONTHLY",
                limit_amount=f"{spec.monthly_usd:.2f}",
                limit_unit="USD",
                cost_filters=[aws.budgets.BudgetCostFilterArgs(name="LinkedAccount", values=[spec.account_id])],
                notifications=[
                    aws.budgets.BudgetNotificationArgs(
                        comparison_operator="GREATER_THAN",
                        threshold=threshold,
                        threshold_type="PERCENTAGE",
                        notification_type="ACTUAL",
                        subscriber_sns_topic_arns=[args.topic_arns[spec.topic]],
                    )
                    for threshold in args.thresholds
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
