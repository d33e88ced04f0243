"""The kb_admin feature area."""
