"""Security services and alerting as pure data: event patterns, topic and key policies, standards."""
