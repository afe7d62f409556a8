"""What every flat, read-only table model here shares: counts and item flags.

A subclass says how many rows it has loaded and how many columns it shows;
the cells themselves (`data`, `headerData`) stay its own.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

_READ_ONLY = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)


class ReadOnlyTableModel(QAbstractTableModel):
    """A table without children or editing; subclasses give the row and column counts."""

    def _row_total(self) -> int:
        """How many rows the model holds now."""
        raise NotImplementedError

    def _column_total(self) -> int:
        """How many columns the model shows."""
        raise NotImplementedError

    # -- QAbstractItemModel --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._row_total()

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._column_total()

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _READ_ONLY if index.isValid() else Qt.ItemFlag.NoItemFlags
