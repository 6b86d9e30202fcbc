"""`seffaf doctor`: observations of the installation (probes) and the verdicts drawn from them (checks)."""
