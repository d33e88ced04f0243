"""The explain feature area."""
