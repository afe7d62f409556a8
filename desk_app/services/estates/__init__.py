"""Estates of deceased holders: the case, its checklist and letter, and re-registration."""
