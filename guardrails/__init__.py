"""Guardrail building blocks as pure functions: SCP templates, the control catalogue, policy rules."""
