"""Trading: the blotter and everything that books, amends, cancels, imports or finds a trade.

Public entries: `trades` (capture, amend, cancel), `trade_import` (CSV and FIX files),
`blotter` (the list and its totals), `trade_lookup` (one trade and its versions) and
`trade_filter` (what the blotter is narrowed to, free of SQL for the GUI). The rest
(`trade_books`, `fix_changes`) are this area's own helpers.
"""
