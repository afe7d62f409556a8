"""Backups of a local database: copy it while others work, check a copy, restore one.

The public face is `desk_app.services.backup.backups`; the copying, the checks, the
swap and the daily schedule each keep to a module of their own.
"""
