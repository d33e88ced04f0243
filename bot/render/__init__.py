"""Renderers turn an engine Answer into terminal text, JSON, or Discord-ready plain data."""
