"""The config feature area."""
