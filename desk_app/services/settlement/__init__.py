"""Settlement: obligations from trades, instructions and statuses, settling, fails, SSIs.

Public entries: `settlements` (the worklist), `obligations` (what a trade version must
settle, used by trading when a correction replaces a version), `settling` (instruct,
match, settle, reverse, mark failing), `settlement_messages` (sese.023 out, statuses
in), `fails`, `netting`, `ssis` and `lots` (cost basis replayed from the ledger). The
settlement run (`obligation_run`) and bulk settling are this area's own helpers.
"""
