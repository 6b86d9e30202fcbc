"""seffaf: video audit and ethics monitoring for one-stop public service centres.

This package holds what every component shares: configuration, the domain model,
the object-key layout and the object-store interface.
"""

__version__ = "0.1.0"
