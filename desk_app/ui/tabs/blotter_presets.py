"""Saved blotter filters: pick one, save the current filter under a name, delete one.

Presets belong to the signed-in user and live in the database (they follow the user
to any workstation); the service refuses anything else.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QInputDialog, QPushButton, QWidget

from desk_app.domain.errors import DeskError
from desk_app.services.trading.trade_filter import TradeFilter
from desk_app.ui.ops import Op
from desk_app.ui.tabs.workspace_view import PresetsView

SCREEN = "blotter"
_NONE = "Saved filters…"


class PresetPicker(QWidget):
    """A drop-down of the user's presets with Save as… and Delete."""

    #: A preset was chosen: the argument is its `TradeFilter`.
    preset_chosen = Signal(object)
    #: Saving or deleting failed; the argument says why.
    failed = Signal(str)

    def __init__(self, current: Callable[[], TradeFilter], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current = current
        self._presets: PresetsView | None = None
        self.combo = QComboBox(self)
        self.combo.setObjectName("presets")
        self.combo.setToolTip("Your saved filters")
        self.combo.setMinimumContentsLength(10)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.activated.connect(self._on_activated)
        self.save_button = QPushButton("Save as…", self)
        self.save_button.setObjectName("save_preset")
        self.save_button.setToolTip("Keep the current filter under a name")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("delete_preset")
        self.delete_button.setToolTip("Forget the chosen saved filter")
        self.delete_button.clicked.connect(self._on_delete_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.save_button)
        layout.addWidget(self.delete_button)
        self.set_presets(None)

    def set_presets(self, presets: PresetsView | None) -> None:
        self._presets = presets
        self.reload()

    def names(self) -> list[str]:
        return [self.combo.itemText(i) for i in range(1, self.combo.count())]

    def reload(self, select: str = "") -> None:
        """Read the user's presets again (selecting ``select`` if given)."""
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_NONE, None)
        # On the GUI thread: the user's few saved filters, read as the tab opens.
        try:
            presets = self._presets.list(SCREEN) if self._presets else []
        except Exception as exc:  # shown in the tab's notice; the picker stays empty
            self.failed.emit(str(exc))
            presets = []
        for preset in presets:
            self.combo.addItem(preset.name, preset.definition)
        self.combo.setCurrentIndex(max(self.combo.findText(select), 0) if select else 0)
        self.combo.blockSignals(False)
        enabled = self._presets is not None
        self.combo.setEnabled(enabled)
        self.save_button.setEnabled(enabled)
        self._update_delete()

    def choose(self, name: str) -> None:
        """Pick the preset ``name`` as if from the list."""
        index = self.combo.findText(name)
        if index > 0:
            self.combo.setCurrentIndex(index)
            self._on_activated(index)

    def save_as(self, name: str) -> None:
        """Keep the current filter as ``name`` (replacing a preset of that name)."""
        presets = self._presets
        if presets is None:
            return
        definition = self._current().to_json()
        Op(
            self,
            lambda: presets.save(SCREEN, name, definition),
            done=lambda saved: self.reload(select=saved.name),
            refused=self._refused,
            busy_key=f"blotter.preset.{id(self)}",
        ).run()

    def delete_chosen(self) -> None:
        name = self.combo.currentText() if self.combo.currentIndex() > 0 else ""
        presets = self._presets
        if not name or presets is None:
            return
        Op(
            self,
            lambda: presets.delete(SCREEN, name),
            done=lambda _none: self.reload(),
            refused=self._refused,
            busy_key=f"blotter.preset.{id(self)}",
        ).run()

    def ask_name(self) -> str:
        """The name to save under, asked of the user ("" if they cancel)."""
        suggested = self.combo.currentText() if self.combo.currentIndex() > 0 else ""
        name, ok = QInputDialog.getText(self, "Save filter", "Name of this filter:", text=suggested)
        return name if ok else ""

    # -- internals ----------------------------------------------------------------------
    def _refused(self, exc: DeskError) -> None:
        self.failed.emit(exc.message)

    def _on_activated(self, index: int) -> None:
        self._update_delete()
        definition = self.combo.itemData(index)
        if isinstance(definition, str):
            self.preset_chosen.emit(TradeFilter.from_json(definition))

    def _on_save_clicked(self) -> None:
        name = self.ask_name().strip()
        if name:
            self.save_as(name)

    def _on_delete_clicked(self) -> None:
        self.delete_chosen()

    def _update_delete(self) -> None:
        self.delete_button.setEnabled(self._presets is not None and self.combo.currentIndex() > 0)
