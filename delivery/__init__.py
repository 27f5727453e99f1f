"""Pure building blocks of the delivery wiring: OIDC trust, the deploy boundary, ECR lifecycle."""
