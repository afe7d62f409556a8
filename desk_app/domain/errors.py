"""Errors a clerk can read: they say what is wrong and where."""

from __future__ import annotations


class DeskError(Exception):
    """Base of every error the application reports to a user rather than as a bug."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DeskError):
    """A value that breaks a business rule; names the field and the reason."""

    def __init__(self, field: str, reason: str, value: object = None) -> None:
        self.field = field
        self.reason = reason
        self.value = value
        shown = f" ({value!r})" if value is not None else ""
        super().__init__(f"{field}: {reason}{shown}")


class Retryable(DeskError):
    """A refusal that says nothing about what was asked: the same action may work again.

    The database server ended the session or could not be reached; a screen offers
    Retry, and a new connection is made for it.
    """


class IllegalTransition(DeskError):
    """A state change the state machine does not allow."""

    def __init__(self, what: str, current: str, target: str, allowed: tuple[str, ...]) -> None:
        self.what = what
        self.current = current
        self.target = target
        self.allowed = allowed
        options = ", ".join(allowed) if allowed else "none (final state)"
        super().__init__(
            f"{what} cannot go from '{current}' to '{target}'; allowed from '{current}': {options}"
        )


class NotPermitted(DeskError):
    """The acting user's roles do not allow the action, or a supervision rule forbids it."""


class StaleRecord(DeskError):
    """The record changed after the user (or the request) last saw it."""


class ValidationProblems(ValidationError):
    """Every problem with one request, each naming its field: one line each.

    ``field`` and ``reason`` are the first problem's, so a caller that shows one
    still shows something true; ``problems`` holds them all.
    """

    def __init__(self, problems: list[ValidationError]) -> None:
        if not problems:
            raise ValueError("ValidationProblems needs at least one problem")
        self.problems = problems
        super().__init__(problems[0].field, problems[0].reason, problems[0].value)
        self.message = "\n".join(p.message for p in problems)
        self.args = (self.message,)


def refuse(problems: list[ValidationError]) -> None:
    """Raise every problem at once (one alone as itself); nothing when there are none."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ValidationProblems(problems)
