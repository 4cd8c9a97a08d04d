"""Doors into the core: console, Slack, Teams, and the process that hosts them."""
