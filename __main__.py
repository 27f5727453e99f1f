"""Pulumi entry point. The stack's `landing-zone:role` picks what to build (see stacks/)."""

import stacks

stacks.run()
