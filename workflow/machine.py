"""The state-machine core: transitions, guards, events and the machine itself.

The current state of a subject is never stored on its own: it is derived from the
append-only list of :class:`Event` objects (the transition history), which doubles as the
audit trail. Actors and subjects are arbitrary objects; guards are plain callables
``guard(actor, subject) -> bool``. A guard may carry a Vietnamese ``message`` attribute
(see :func:`guard`) used as the reason when it refuses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

Guard = Callable[[Any, Any], bool]

DEFAULT_REFUSAL = "Bạn không có quyền thực hiện thao tác này."


class WorkflowError(Exception):
    """Base class of the workflow errors; ``str(err)`` is a Vietnamese message."""


class TransitionNotAllowed(WorkflowError):  # noqa: N818 (name fixed by the contract)
    """The transition does not exist or cannot start from the current state."""


class GuardFailed(WorkflowError):  # noqa: N818
    """The transition exists from this state but the actor may not fire it."""


class CommentRequired(GuardFailed):  # noqa: N818
    """The transition needs a comment (e.g. a rejection reason) and none was given."""


class InvalidHistory(WorkflowError):  # noqa: N818
    """The history is not a chain of events starting from the initial state."""


class HasUsername(Protocol):
    """What the machine reads from an actor to record it in an event."""

    username: str


def guard(message: str) -> Callable[[Guard], Guard]:
    """Decorate a predicate with the Vietnamese ``message`` shown when it refuses."""

    def wrap(fn: Guard) -> Guard:
        fn.message = message  # type: ignore[attr-defined]
        return fn

    return wrap


def any_of(*guards: Guard, message: str | None = None) -> Guard:
    """A guard that passes when at least one of ``guards`` passes."""

    def combined(actor: Any, subject: Any) -> bool:
        return any(g(actor, subject) for g in guards)

    combined.message = message or " hoặc ".join(  # type: ignore[attr-defined]
        refusal_message(g) for g in guards
    )
    return combined


def refusal_message(g: Guard) -> str:
    """The Vietnamese reason a guard gives when it refuses."""
    return getattr(g, "message", DEFAULT_REFUSAL)


@dataclass(frozen=True)
class Transition:
    """A named move from any of ``sources`` to ``target``, allowed when ``guard`` passes."""

    name: str
    sources: frozenset[str]
    target: str
    guard: Guard | None = None
    label: str = ""
    """Vietnamese button label, e.g. "Trình duyệt"."""
    requires_comment: bool = False

    def allows(self, actor: Any, subject: Any) -> bool:
        return self.guard is None or bool(self.guard(actor, subject))


@dataclass(frozen=True)
class Event:
    """One fired transition: an entry of the append-only history."""

    transition: str
    from_state: str
    to_state: str
    actor: str
    """The actor's username (``actor.username``, else ``str(actor)``)."""
    at: datetime
    comment: str = ""


@dataclass
class Machine:
    """A declarative state machine.

    ``states`` maps each state name to its Vietnamese label. Several transitions may share
    a name when they start from different states (e.g. ``approve`` at two review steps).
    """

    name: str
    states: dict[str, str]
    initial: str
    transitions: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.initial not in self.states:
            raise ValueError(f"unknown initial state {self.initial!r}")
        seen: set[tuple[str, str]] = set()
        for t in self.transitions:
            for s in (*t.sources, t.target):
                if s not in self.states:
                    raise ValueError(f"{t.name}: unknown state {s!r}")
            for s in t.sources:
                if (t.name, s) in seen:
                    raise ValueError(f"{t.name}: defined twice from {s!r}")
                seen.add((t.name, s))

    # -- reading -------------------------------------------------------------------------
    @property
    def transition_names(self) -> list[str]:
        """Distinct transition names, in definition order."""
        return list(dict.fromkeys(t.name for t in self.transitions))

    def label(self, state: str) -> str:
        """Vietnamese label of a state."""
        return self.states[state]

    def state_of(self, history: Sequence[Event]) -> str:
        """The current state derived from the history (the initial state when empty).

        Raises :class:`InvalidHistory` when the events do not chain.
        """
        state = self.initial
        for ev in history:
            t = self.find(ev.transition, state)
            if ev.from_state != state or t is None or t.target != ev.to_state:
                raise InvalidHistory(
                    f"Lịch sử xử lý không hợp lệ: sự kiện «{ev.transition}» "
                    f"({ev.from_state} → {ev.to_state}) không thể xảy ra ở trạng thái «{state}»."
                )
            state = ev.to_state
        return state

    def find(self, name: str, state: str) -> Transition | None:
        """The transition called ``name`` that may start from ``state``, if any."""
        for t in self.transitions:
            if t.name == name and state in t.sources:
                return t
        return None

    def _label_of(self, name: str) -> str:
        for t in self.transitions:
            if t.name == name:
                return t.label or name
        return name

    def check(
        self, subject: Any, actor: Any, transition: str, history: Sequence[Event]
    ) -> Transition:
        """Return the transition if ``actor`` may fire it now, else raise."""
        state = self.state_of(history)
        t = self.find(transition, state)
        if t is None:
            raise TransitionNotAllowed(
                f"Không thể thực hiện «{self._label_of(transition)}» khi đang ở trạng thái "
                f"«{self.states[state]}»."
            )
        if not t.allows(actor, subject):
            raise GuardFailed(refusal_message(t.guard) if t.guard else DEFAULT_REFUSAL)
        return t

    def can(self, subject: Any, actor: Any, transition: str, history: Sequence[Event]) -> bool:
        """Whether ``actor`` may fire ``transition`` now."""
        try:
            self.check(subject, actor, transition, history)
        except WorkflowError:
            return False
        return True

    def available(self, subject: Any, actor: Any, history: Sequence[Event]) -> list[Transition]:
        """Transitions ``actor`` may fire from the current state (for UI buttons)."""
        state = self.state_of(history)
        return [t for t in self.transitions if state in t.sources and t.allows(actor, subject)]

    # -- writing -------------------------------------------------------------------------
    def fire(
        self,
        subject: Any,
        actor: Any,
        transition: str,
        history: Sequence[Event],
        *,
        comment: str = "",
        at: datetime | None = None,
    ) -> Event:
        """Check and fire ``transition``; return the new event (the caller appends it)."""
        t = self.check(subject, actor, transition, history)
        comment = unicodedata.normalize("NFC", (comment or "").strip())
        if t.requires_comment and not comment:
            raise CommentRequired(f"Thao tác «{t.label or t.name}» cần có ý kiến (lý do).")
        return Event(
            transition=t.name,
            from_state=self.state_of(history),
            to_state=t.target,
            actor=str(getattr(actor, "username", actor)),
            at=at or datetime.now(UTC),
            comment=comment,
        )

    def replay(self, events: Iterable[Event]) -> list[str]:
        """The sequence of states visited, starting with the initial state."""
        events = list(events)
        self.state_of(events)
        return [self.initial, *(ev.to_state for ev in events)]
