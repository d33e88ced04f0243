"""Forced-labour trade law explainer: a Discord-free answer engine plus a discord.py front end."""

__version__ = "0.1.0"
