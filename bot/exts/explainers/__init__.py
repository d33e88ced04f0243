"""The explainers feature area."""
