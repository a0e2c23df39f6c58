"""The delivery machine: national status codes of the exchange (liên thông)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from workflow import (
    DELIVERY,
    STATUS_TRANSITIONS,
    CommentRequired,
    GuardFailed,
    TransitionNotAllowed,
)


@dataclass(frozen=True)
class Actor:
    username: str
    roles: frozenset[str] = field(default_factory=frozenset)


CLERK = Actor("vanthu", frozenset({"clerk"}))
PEER = Actor("agency:000.00.00.H62", frozenset({"exchange"}))
SYSTEM = Actor("system")
SPECIALIST = Actor("chuyenvien", frozenset({"specialist"}))


def run(steps):
    """The delivery's history: sent (in the transaction that creates it), then ``steps``."""
    history = []
    for actor, name, comment in [(SYSTEM, "send", ""), *steps]:
        history.append(DELIVERY.fire(None, actor, name, history, comment=comment))
    return history


def test_full_life_sent_accepted_handled_recalled_twice():
    history = run([
        (CLERK, "accept", ""), (SYSTEM, "assign", ""), (SYSTEM, "progress", ""),
        (SYSTEM, "complete", ""), (PEER, "recall", "Ban hành nhầm"),
        (CLERK, "refuse_recall", "Đã triển khai"), (PEER, "recall", "Thu hồi lần hai"),
        (CLERK, "accept_recall", ""),
    ])
    assert DELIVERY.replay(history) == ["00", "01", "03", "04", "05", "06", "13", "16",
                                      "13", "15"]
    assert history[6].comment == "Đã triển khai" and history[6].actor == "vanthu"


def test_refusal_and_recall_answers_need_a_reason():
    with pytest.raises(CommentRequired):
        run([(CLERK, "refuse", "")])
    with pytest.raises(CommentRequired):
        run([(CLERK, "accept", ""), (PEER, "recall", "")])
    assert DELIVERY.state_of(run([(CLERK, "refuse", "Sai nơi nhận")])) == "02"


def test_only_clerks_or_the_peer_agency_accept():
    with pytest.raises(GuardFailed, match="văn thư"):
        run([(SPECIALIST, "accept", "")])
    assert DELIVERY.state_of(run([(PEER, "accept", "")])) == "03"


def test_nothing_moves_after_refusal_or_accepted_recall():
    refused = run([(CLERK, "refuse", "Sai nơi nhận")])
    with pytest.raises(TransitionNotAllowed):
        DELIVERY.fire(None, SYSTEM, "assign", refused)
    withdrawn = run([(CLERK, "accept", ""), (PEER, "recall", "x"), (CLERK, "accept_recall", "")])
    for name in ("complete", "recall", "accept"):
        with pytest.raises(TransitionNotAllowed):
            DELIVERY.fire(None, PEER, name, withdrawn, comment="x")


def test_every_status_code_has_a_transition():
    for code, name in STATUS_TRANSITIONS.items():
        assert any(t.name == name and t.target == code for t in DELIVERY.transitions)
    assert set(DELIVERY.states) == {"00", "01", *STATUS_TRANSITIONS}


def test_a_delivery_is_sent_once_and_only_before_anything_else():
    assert DELIVERY.state_of(run([])) == "01"
    with pytest.raises(TransitionNotAllowed):
        DELIVERY.fire(None, SYSTEM, "send", run([]))
    with pytest.raises(TransitionNotAllowed):
        DELIVERY.fire(None, CLERK, "accept", [])
