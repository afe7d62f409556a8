"""The desktop user interface: PySide6 widgets over services injected by `desk_app.app`.

Nothing here may import SQLAlchemy or `desk_app.db`, even at import time, so the main
window paints before the database layer is loaded.
"""
