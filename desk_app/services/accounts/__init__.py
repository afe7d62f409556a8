"""Client accounts: opening, amending, restricting and closing, each a supervised request.

Public entries: `maintenance`, and `holdings` (an account's positions as of a day, its
cash by currency, its recent activity; read only). Estates join this area.
"""
