"""The feedback feature area."""
