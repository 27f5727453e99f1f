"""Landing-zone tooling: the offline plan now, more verbs as the product grows."""
