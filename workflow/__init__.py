"""Declarative state machines with guards and an append-only transition history.

A library: it imports neither Flask nor a database session.
"""

from workflow.definitions import (
    ASSIGNMENT,
    DELIVERY,
    INCOMING,
    MACHINES,
    MEETING,
    OUTGOING,
    REGISTRATION,
    STATUS_TRANSITIONS,
)
from workflow.machine import (
    CommentRequired,
    Event,
    GuardFailed,
    InvalidHistory,
    Machine,
    Transition,
    TransitionNotAllowed,
    WorkflowError,
    any_of,
    guard,
)

__all__ = [
    "ASSIGNMENT",
    "DELIVERY",
    "INCOMING",
    "MACHINES",
    "MEETING",
    "OUTGOING",
    "REGISTRATION",
    "STATUS_TRANSITIONS",
    "CommentRequired",
    "Event",
    "GuardFailed",
    "InvalidHistory",
    "Machine",
    "Transition",
    "TransitionNotAllowed",
    "WorkflowError",
    "any_of",
    "guard",
]
