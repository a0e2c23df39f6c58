"""Behaviour of the machine core: history, comments, messages, walks."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from workflow import (
    OUTGOING,
    CommentRequired,
    Event,
    GuardFailed,
    InvalidHistory,
    Machine,
    Transition,
    TransitionNotAllowed,
    guard,
)


def test_empty_history_is_initial_state():
    assert OUTGOING.state_of([]) == "draft"


def test_whole_outgoing_flow_with_history(actors, subject):
    steps = [
        ("drafter", "submit"),
        ("head", "approve"),
        ("clerk", "approve"),
        ("signer", "sign"),
        ("clerk", "issue"),
        ("clerk", "dispatch"),
        ("other_leader", "recall"),
    ]
    history: list[Event] = []
    for kind, transition in steps:
        history.append(OUTGOING.fire(subject, actors[kind], transition, history))
    assert OUTGOING.state_of(history) == "recalled"
    assert [e.actor for e in history] == [
        "chuyenvien",
        "truongphong",
        "vanthu",
        "chutich",
        "vanthu",
        "vanthu",
        "phochutich",
    ]
    assert OUTGOING.replay(history) == [
        "draft",
        "content_review",
        "format_review",
        "ready_to_sign",
        "signed",
        "issued",
        "dispatched",
        "recalled",
    ]


def test_reject_needs_a_comment_and_records_it(actors, subject):
    history = [OUTGOING.fire(subject, actors["drafter"], "submit", [])]
    with pytest.raises(CommentRequired, match="cần có ý kiến"):
        OUTGOING.fire(subject, actors["head"], "reject", history, comment="   ")
    ev = OUTGOING.fire(subject, actors["head"], "reject", history, comment="Sửa lại trích yếu")
    assert ev.to_state == "draft"
    assert ev.comment == "Sửa lại trích yếu"
    assert ev.at.tzinfo is not None


def test_comment_is_normalised_to_nfc(actors, subject):
    history = [OUTGOING.fire(subject, actors["drafter"], "submit", [])]
    nfd = "Sửa lại"
    ev = OUTGOING.fire(
        subject, actors["head"], "reject", history, comment=unicodedata.normalize("NFD", nfd)
    )
    assert ev.comment == unicodedata.normalize("NFC", nfd)


def test_messages_are_vietnamese(actors, subject):
    with pytest.raises(TransitionNotAllowed) as err:
        OUTGOING.fire(subject, actors["clerk"], "issue", [])
    assert str(err.value) == "Không thể thực hiện «Ban hành» khi đang ở trạng thái «Dự thảo»."
    with pytest.raises(GuardFailed) as err2:
        OUTGOING.fire(subject, actors["clerk"], "submit", [])
    assert str(err2.value) == "Chỉ người soạn thảo được trình văn bản này."


def test_unknown_transition_is_refused(actors, subject):
    with pytest.raises(TransitionNotAllowed):
        OUTGOING.fire(subject, actors["drafter"], "teleport", [])


def test_broken_history_is_rejected():
    now = datetime.now(UTC)
    history = [Event("sign", "draft", "signed", "x", now)]
    with pytest.raises(InvalidHistory, match="không hợp lệ"):
        OUTGOING.state_of(history)


def test_plain_callable_guard_and_custom_machine():
    machine = Machine(
        "door",
        {"closed": "Đóng", "open": "Mở"},
        "closed",
        [
            Transition("open", frozenset({"closed"}), "open", lambda a, s: a == s),
            Transition(
                "close",
                frozenset({"open"}),
                "closed",
                guard("Không được đóng.")(lambda a, s: False),
            ),
        ],
    )
    ev = machine.fire("key", "key", "open", [])
    assert ev.actor == "key" and ev.to_state == "open"
    with pytest.raises(GuardFailed, match="quyền"):
        machine.fire("key", "other", "open", [])
    with pytest.raises(GuardFailed, match="Không được đóng."):
        machine.fire("key", "key", "close", [ev])


def test_definition_errors():
    with pytest.raises(ValueError):
        Machine("bad", {"a": "A"}, "b")
    with pytest.raises(ValueError):
        Machine("bad", {"a": "A"}, "a", [Transition("go", frozenset({"a"}), "z")])
