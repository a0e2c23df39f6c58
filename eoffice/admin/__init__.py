"""Administration: users, departments and the audit log."""
