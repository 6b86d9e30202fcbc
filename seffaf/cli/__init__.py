"""The one command-line interface: `seffaf`."""
