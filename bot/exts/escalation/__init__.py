"""The escalation feature area."""
