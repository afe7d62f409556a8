"""Client accounts: opening, amending, restricting and closing, each a supervised request.

Public entry: `maintenance`. Estates, positions and cash views join this area.
"""
