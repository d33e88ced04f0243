"""The ask feature area."""
