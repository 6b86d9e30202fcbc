"""The review app's server-rendered pages: login, search, the session page, the audit trail."""
