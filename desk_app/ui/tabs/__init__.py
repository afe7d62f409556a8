"""One module per main-window tab; each is a small `TableTab` subclass."""
