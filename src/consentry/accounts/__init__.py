"""Accounts: providers, resellers and customers, their users and API keys, tenant scoping."""
