"""Reference data: instruments, counterparties and accounts as lists, settlement calendars.

Public entries: `lists` (accounts, instruments and counterparties as lists),
`calendar` (settlement dates from the cycles and the calendar overrides kept as
reference data), `counterparties` and `instruments` (adding, amending, deactivating
and importing them; `records` and `reference_import` are their shared insides) and
`rules` (the editable settlement rules and supervised changes to them).
"""
