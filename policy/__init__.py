"""The landing zone's Pulumi policy pack (`pulumi preview --policy-pack policy`)."""
