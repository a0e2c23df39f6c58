"""Fixtures for the workflow tests: actors of every kind and histories reaching any state."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from workflow import Event, Machine


@dataclass(frozen=True)
class User:
    username: str
    roles: frozenset[str]
    department_code: str | None


@dataclass
class Subject:
    drafter_username: str = "chuyenvien"
    department_code: str = "VHTT"
    signer_username: str = "chutich"
    lead_username: str | None = None
    lead_department_code: str | None = "VHTT"
    assignee_usernames: set[str] = field(default_factory=lambda: {"chuyenvien"})
    assignee_username: str | None = "chuyenvien"
    chair_username: str = "chutich"
    secretary_username: str = "thuky"


ACTORS = {
    "drafter": User("chuyenvien", frozenset({"specialist"}), "VHTT"),
    "colleague": User("chuyenvien2", frozenset({"specialist"}), "VHTT"),
    "head": User("truongphong", frozenset({"head"}), "VHTT"),
    "other_head": User("truongphong_tckh", frozenset({"head"}), "TCKH"),
    "clerk": User("vanthu", frozenset({"clerk"}), "VP"),
    "signer": User("chutich", frozenset({"leader"}), "LD"),
    "other_leader": User("phochutich", frozenset({"leader"}), "LD"),
    "secretary": User("thuky", frozenset({"secretary"}), "VP"),
    "admin": User("admin", frozenset({"admin"}), None),
}


@pytest.fixture
def actors() -> dict[str, User]:
    return ACTORS


@pytest.fixture
def subject() -> Subject:
    return Subject()


@pytest.fixture
def reach() -> Callable[[Machine, str], list[Event]]:
    """A valid history (shortest path, guards ignored) from the initial state to ``state``."""

    def build(machine: Machine, state: str) -> list[Event]:
        paths: dict[str, list[Event]] = {machine.initial: []}
        queue = deque([machine.initial])
        while queue:
            cur = queue.popleft()
            for t in machine.transitions:
                if cur in t.sources and t.target not in paths:
                    ev = Event(t.name, cur, t.target, "setup", datetime.now(UTC), "lý do")
                    paths[t.target] = [*paths[cur], ev]
                    queue.append(t.target)
        return paths[state]

    return build
