"""Desk: a back-office workstation for a securities brokerage."""

__version__ = "0.1.0"
APP_NAME = "Desk"
ORG_NAME = "Desk"
