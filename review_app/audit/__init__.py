"""The append-only, hash-chained audit trail of everything done through the review app and `seffaf users`."""
