"""Reference data: instruments, counterparties and accounts as lists, settlement calendars.

Public entries: `lists` (accounts, instruments and counterparties as lists) and
`calendar` (settlement dates from the cycles and the calendar overrides kept as
reference data).
"""
