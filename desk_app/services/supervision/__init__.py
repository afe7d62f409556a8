"""Supervision: who acts, what they may do, four-eyes requests and the audit trail read back.

Public entries: `approvals` (maker-checker requests and the handlers other areas
register), `users` (users, roles, registrations), `history` (a record's audited
changes and the chain check), `identity` (who is acting, resolved before anything
heavy is imported) and `os_login` (the operating system's password check).
"""
