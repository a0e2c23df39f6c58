"""The whole transition table of every machine: state × transition × actor kind."""

from __future__ import annotations

import pytest

from workflow import ASSIGNMENT, INCOMING, MEETING, OUTGOING, GuardFailed, TransitionNotAllowed

ACTOR_KINDS = [
    "drafter",
    "colleague",
    "head",
    "other_head",
    "clerk",
    "signer",
    "other_leader",
    "secretary",
    "admin",
]
LEADERS = {"signer", "other_leader"}
LEAD_HANDLERS = {"drafter", "head"}  # chuyenvien is assigned inside VHTT, the lead department

# (state, transition) -> (target state, actor kinds allowed); every other pair is refused.
EXPECTED = {
    "outgoing": {
        ("draft", "submit"): ("content_review", {"drafter"}),
        ("content_review", "approve"): ("format_review", {"head"}),
        ("content_review", "reject"): ("draft", {"head"}),
        ("format_review", "approve"): ("ready_to_sign", {"clerk"}),
        ("format_review", "reject"): ("draft", {"clerk"}),
        ("ready_to_sign", "reject"): ("draft", {"signer"}),
        ("ready_to_sign", "sign"): ("signed", {"signer"}),
        ("signed", "issue"): ("issued", {"clerk"}),
        ("issued", "dispatch"): ("dispatched", {"clerk"}),
        ("issued", "recall"): ("recalled", {"clerk"} | LEADERS),
        ("dispatched", "recall"): ("recalled", {"clerk"} | LEADERS),
    },
    "incoming": {
        ("registered", "direct"): ("directed", LEADERS),
        ("directed", "direct"): ("directed", LEADERS),
        ("directed", "start"): ("in_progress", LEAD_HANDLERS),
        ("directed", "complete"): ("completed", LEAD_HANDLERS),
        ("in_progress", "complete"): ("completed", LEAD_HANDLERS),
        ("directed", "send_back"): ("registered", LEAD_HANDLERS),
        ("registered", "return"): ("returned", {"clerk"}),
    },
    "assignment": {
        ("assigned", "start"): ("in_progress", {"drafter"}),
        ("assigned", "complete"): ("done", {"drafter"}),
        ("in_progress", "complete"): ("done", {"drafter"}),
        ("assigned", "reassign"): ("assigned", {"head"} | LEADERS),
        ("in_progress", "reassign"): ("assigned", {"head"} | LEADERS),
    },
    "meeting": {
        ("draft", "sign_agenda"): ("agenda_signed", {"signer"}),
        ("agenda_signed", "distribute"): ("distributed", {"secretary"}),
        ("distributed", "hold"): ("held", {"secretary", "signer"}),
        ("held", "sign_minutes"): ("minutes_signed", {"signer"}),
        ("draft", "cancel"): ("cancelled", {"secretary", "signer"}),
        ("agenda_signed", "cancel"): ("cancelled", {"secretary", "signer"}),
        ("distributed", "cancel"): ("cancelled", {"secretary", "signer"}),
    },
}
MACHINES = {m.name: m for m in (OUTGOING, INCOMING, ASSIGNMENT, MEETING)}

CASES = [
    pytest.param(name, state, transition, kind, id=f"{name}-{state}-{transition}-{kind}")
    for name, machine in MACHINES.items()
    for state in machine.states
    for transition in machine.transition_names
    for kind in ACTOR_KINDS
]


@pytest.mark.parametrize(("machine_name", "state", "transition", "kind"), CASES)
def test_fire(machine_name, state, transition, kind, actors, subject, reach):
    machine = MACHINES[machine_name]
    history = reach(machine, state)
    assert machine.state_of(history) == state
    expected = EXPECTED[machine_name].get((state, transition))
    actor = actors[kind]
    if expected is None:
        with pytest.raises(TransitionNotAllowed, match="Không thể thực hiện"):
            machine.fire(subject, actor, transition, history, comment="ý kiến")
    elif kind not in expected[1]:
        with pytest.raises(GuardFailed, match="Chỉ "):
            machine.fire(subject, actor, transition, history, comment="ý kiến")
    else:
        event = machine.fire(subject, actor, transition, history, comment="ý kiến")
        assert (event.from_state, event.to_state) == (state, expected[0])
        assert event.actor == actor.username
        assert machine.state_of([*history, event]) == expected[0]


@pytest.mark.parametrize(
    ("machine_name", "state", "kind"),
    [
        (name, state, kind)
        for name, machine in MACHINES.items()
        for state in machine.states
        for kind in ACTOR_KINDS
    ],
)
def test_available_matches_table(machine_name, state, kind, actors, subject, reach):
    machine = MACHINES[machine_name]
    history = reach(machine, state)
    names = {t.name for t in machine.available(subject, actors[kind], history)}
    expected = {
        tr
        for (st, tr), (_, allowed) in EXPECTED[machine_name].items()
        if st == state and kind in allowed
    }
    assert names == expected


def test_every_state_is_reachable(reach):
    for machine in MACHINES.values():
        for state in machine.states:
            reach(machine, state)
