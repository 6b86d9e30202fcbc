"""Placeholder: a helper is writing the SeaweedFS S3 fixture here."""
