"""Client accounts: opening, amending and closing (supervised requests), and restrictions.

Public entries: `maintenance`, `restriction_service` (and `restrictions` for other
processes that place and lift their own), and `holdings` (an account's positions as of a
day, its cash by currency, its recent activity; read only).
"""
