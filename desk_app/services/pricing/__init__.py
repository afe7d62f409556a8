"""Instrument prices: the daily file that values positions (and an estate at death).

Public entry: `prices` (`PriceService`); `price_file` reads a file's lines.
"""
