"""Complaint intake, case handling and legal holds in the review app: the API and the pages."""
