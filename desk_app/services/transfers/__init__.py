"""Transfers: cash and securities moving between accounts and, later, between firms (ACATS).

Public entry: `journals` (internal journals, always a supervised request).
"""
