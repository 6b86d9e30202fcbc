"""Policies: the centre's ethics rules evaluated over sessions into findings."""
