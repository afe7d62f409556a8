"""Settlement: obligations from trades, instructions and statuses, settling, fails, SSIs.

Public entries: `settlements` (the worklist), `obligations` (what a trade version must
settle, used by trading when a correction replaces a version, and by accounts when
an account's status changes), `settling` (instruct,
match, settle, reverse, mark failing), `settlement_messages` (sese.023 out, statuses
in), `fails`, `netting`, `ssis` and `lots` (cost basis replayed from the ledger). The
settlement run (`obligation_run`), bulk settling and the re-check of exceptions
(`exception_checks`) are this area's own helpers.
"""
