"""Test support that ships with the package (the Discord API emulator, used by tests and the benchmark)."""
