"""Accounts: agency, departments, users, roles, clearances, login and API tokens."""
