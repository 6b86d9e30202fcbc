"""Who may use the review app: accounts, roles and centre scope, login sessions, CSRF, rate limits."""
