"""Dialogs: about, connect to a shared database, errors."""
