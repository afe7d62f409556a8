"""Use cases: each public method is one unit of work (transaction, rules, commit)."""
