"""What the Users dialogs show and call: the user service's shape, as protocols.

The dialogs talk to the user service through these, so the UI never imports the
services that load SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desk_app.domain.codes import Role
from desk_app.domain.supervision import Registration

MIN_PASSWORD_LENGTH = 10  # as services.passwords.MIN_LENGTH; checked again by the service
ERROR_STYLE = "color: #c62828;"
COLUMNS = (
    "User", "Name", "Roles", "Active", "DB login", "Password", "Registrations", "Pending grant",
)  # fmt: skip
GRANT_NOTE = (
    "Giving power (a supervisor, compliance or admin role, a registration, a login, "
    "someone's password) is a grant: it is filed as a request that a principal other "
    "than you and the user approves in the Approvals tab."
)


class UserRecord(Protocol):
    """What a row shows (structurally `services.users.UserView`)."""

    @property
    def username(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def roles(self) -> frozenset[Role]: ...
    @property
    def active(self) -> bool: ...
    @property
    def db_login(self) -> str | None: ...
    @property
    def has_password(self) -> bool: ...
    @property
    def registrations(self) -> tuple[Registration, ...]: ...
    @property
    def version(self) -> int: ...
    @property
    def pending_grant(self) -> int | None: ...


class UserChangeRecord(Protocol):
    """What a save did (structurally `services.users.UserChange`)."""

    @property
    def username(self) -> str: ...
    @property
    def view(self) -> UserRecord | None: ...
    @property
    def request_id(self) -> int | None: ...
    @property
    def applied_as(self) -> str | None: ...


class PendingGrantRecord(Protocol):
    """A grant awaiting a principal (structurally `services.users.PendingGrant`)."""

    @property
    def request_id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def maker(self) -> str: ...


class UserDirectory(Protocol):
    """The calls the dialogs make (structurally `services.users.UserService`)."""

    def users(self, search: str = ...) -> Sequence[UserRecord]: ...
    def get(self, username: str) -> UserRecord: ...
    def add(
        self,
        username: str,
        roles: Iterable[Role],
        *,
        full_name: str = ...,
        registrations: Sequence[Registration] = ...,
        db_login: str | None = ...,
        password: str | None = ...,
        reason: str = ...,
    ) -> UserChangeRecord: ...
    def update(
        self,
        username: str,
        expected_version: int,
        *,
        full_name: str | None = ...,
        roles: Iterable[Role] | None = ...,
        active: bool | None = ...,
        db_login: str | None = ...,
        registrations: Sequence[Registration] | None = ...,
        password: str | None = ...,
        clear_password: bool = ...,
        reason: str = ...,
    ) -> UserChangeRecord: ...
    def set_password(
        self, username: str, password: str | None, *, current: str | None = ..., reason: str = ...
    ) -> int | None: ...
    def check_password(self, password: str) -> bool: ...
    def pending_grants(self) -> Sequence[PendingGrantRecord]: ...


def registration_text(registrations: Iterable[Registration]) -> str:
    """``S24 since 2019-03-01, S9 2010-01-04 – 2020-06-30``."""
    return ", ".join(
        f"{r.series} since {r.effective_from}"
        if r.effective_to is None
        else f"{r.series} {r.effective_from} – {r.effective_to}"
        for r in registrations
    )


def error_label(parent: QWidget) -> QLabel:
    """Where a form says what the service refused (hidden until then)."""
    label = QLabel(parent)
    label.setObjectName("form_error")
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label
