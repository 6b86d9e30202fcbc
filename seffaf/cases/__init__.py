"""Complaints, the cases they become, and the legal holds that keep a case's footage until it closes."""
