"""Named filters a user keeps for a screen ("My accounts this week"), in the shared database.

A preset belongs to the signed-in user alone: nobody lists, overwrites or deletes
another's. Saving under an existing name replaces that preset (the usual "Save as…").
The definition is the screen's own canonical JSON (`TradeFilter.to_json` for the
blotter); this service stores it without reading it.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desk_app.db import models as m
from desk_app.domain.errors import ValidationError
from desk_app.domain.permissions import Action
from desk_app.services.unit_of_work import UnitOfWork

MAX_NAME = 64


@dataclass(frozen=True)
class Preset:
    name: str
    definition: str


def _clean_name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise ValidationError("Name", "give the filter a name")
    if len(text) > MAX_NAME:
        raise ValidationError("Name", f"at most {MAX_NAME} characters")
    return text


class PresetService:
    """Saved filters of the signed-in user, by screen."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def list(self, screen: str) -> builtins.list[Preset]:
        """The user's presets for ``screen``, by name."""
        self._uow.actor.require(Action.VIEW_BOOKS)
        with self._uow.read() as session:
            user = self._uow.current_actor(session)  # refuses a deactivated user
            rows = session.execute(
                select(m.SavedFilter.name, m.SavedFilter.definition)
                .join(m.User, m.User.id == m.SavedFilter.user_id)
                .where(m.User.username == user.username, m.SavedFilter.screen == screen)
                .order_by(m.SavedFilter.name)
            ).all()
        return [Preset(name, definition) for name, definition in rows]

    def save(self, screen: str, name: str, definition: str) -> Preset:
        """Keep ``definition`` as ``name`` (replacing a preset of that name)."""
        name = _clean_name(name)
        with self._uow.write("filter.save", permission=Action.VIEW_BOOKS) as session:
            user_id = self._user_id(session)
            row = session.scalars(
                select(m.SavedFilter).where(
                    m.SavedFilter.user_id == user_id,
                    m.SavedFilter.screen == screen,
                    m.SavedFilter.name == name,
                )
            ).one_or_none()
            if row is None:
                session.add(
                    m.SavedFilter(user_id=user_id, screen=screen, name=name, definition=definition)
                )
            elif row.definition != definition:
                row.definition = definition
        return Preset(name, definition)

    def delete(self, screen: str, name: str) -> bool:
        """Forget the user's preset ``name``; False if they had none of that name."""
        with self._uow.write("filter.delete", permission=Action.VIEW_BOOKS) as session:
            row = session.scalars(
                select(m.SavedFilter).where(
                    m.SavedFilter.user_id == self._user_id(session),
                    m.SavedFilter.screen == screen,
                    m.SavedFilter.name == " ".join(name.split()),
                )
            ).one_or_none()
            if row is None:
                return False
            session.delete(row)
        return True

    def _user_id(self, session: Session) -> int:
        user_id = session.scalar(
            select(m.User.id).where(m.User.username == self._uow.actor.username)
        )
        assert user_id is not None  # the unit of work has just checked the user
        return int(user_id)
