"""The machines the application uses: outgoing documents, registration and incoming work,
meetings, exchange deliveries.

Attributes the guards read (plain attributes on any object):

Actor (the user acting):
    ``actor.username: str``, ``actor.roles: Collection[str]`` (``clerk``, ``leader``,
    ``head``, ``specialist``, ``secretary``, ``admin``), ``actor.department_code: str | None``.

Outgoing document (:data:`OUTGOING`):
    ``subject.drafter_username``, ``subject.department_code`` (the drafting department),
    ``subject.signer_username`` (the named signer).

Incoming document (:data:`INCOMING`):
    ``subject.lead_username`` (lead handler when a person, may be ``None``),
    ``subject.lead_department_code`` (lead handler when a department, may be ``None``),
    ``subject.assignee_usernames`` (people the head assigned inside the lead department;
    optional, default empty).

Handler assignment (:data:`ASSIGNMENT`, one per lead/coordinating handler):
    ``subject.assignee_username`` (``None`` while assigned to the department as a whole),
    ``subject.department_code`` (the department the assignment belongs to).

Meeting (:data:`MEETING`): ``subject.chair_username``, ``subject.secretary_username``.
"""

from __future__ import annotations

from typing import Any

from workflow.machine import Machine, Transition, any_of, guard


def N_(text: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a Vietnamese label for the application's message catalogue (translated where
    the application shows it; this library stays free of any translation machinery)."""
    return text

# -- actor predicates ---------------------------------------------------------------------


def _roles(actor: Any) -> set[str]:
    return set(getattr(actor, "roles", ()) or ())


def has_role(role: str, message: str) -> Any:
    """A guard passing when the actor holds ``role``."""

    @guard(message)
    def check(actor: Any, subject: Any) -> bool:
        return role in _roles(actor)

    return check


def is_user(attribute: str, message: str) -> Any:
    """A guard passing when ``actor.username == subject.<attribute>``."""

    @guard(message)
    def check(actor: Any, subject: Any) -> bool:
        expected = getattr(subject, attribute, None)
        return bool(expected) and actor.username == expected

    return check


def is_head_of(attribute: str, message: str) -> Any:
    """A guard passing for a head whose department is ``subject.<attribute>``."""

    @guard(message)
    def check(actor: Any, subject: Any) -> bool:
        dept = getattr(subject, attribute, None)
        return (
            "head" in _roles(actor)
            and bool(dept)
            and getattr(actor, "department_code", None) == dept
        )

    return check


is_clerk = has_role("clerk", "Chỉ văn thư được thực hiện thao tác này.")
is_leader = has_role("leader", "Chỉ lãnh đạo được thực hiện thao tác này.")

# -- outgoing documents -------------------------------------------------------------------

is_drafter = is_user("drafter_username", "Chỉ người soạn thảo được trình văn bản này.")
is_department_head = is_head_of(
    "department_code", "Chỉ trưởng phòng của đơn vị soạn thảo được duyệt nội dung."
)
is_signer = is_user("signer_username", "Chỉ người ký được chỉ định mới được ký văn bản này.")

OUTGOING_STATES = {
    "draft": N_("Dự thảo"),
    "content_review": N_("Chờ duyệt nội dung"),
    "format_review": N_("Chờ kiểm tra thể thức"),
    "ready_to_sign": N_("Chờ ký"),
    "signed": N_("Đã ký"),
    "issued": N_("Đã ban hành"),
    "dispatched": N_("Đã phát hành"),
    "recalled": N_("Đã thu hồi"),
}

OUTGOING = Machine(
    name="outgoing",
    states=OUTGOING_STATES,
    initial="draft",
    transitions=[
        Transition("submit", frozenset({"draft"}), "content_review", is_drafter, "Trình duyệt"),
        Transition(
            "approve",
            frozenset({"content_review"}),
            "format_review",
            is_department_head,
            "Duyệt",
        ),
        Transition("approve", frozenset({"format_review"}), "ready_to_sign", is_clerk, "Duyệt"),
        Transition(
            "reject",
            frozenset({"content_review"}),
            "draft",
            is_department_head,
            "Trả lại",
            requires_comment=True,
        ),
        Transition(
            "reject",
            frozenset({"format_review"}),
            "draft",
            is_clerk,
            "Trả lại",
            requires_comment=True,
        ),
        Transition(
            "reject",
            frozenset({"ready_to_sign"}),
            "draft",
            is_signer,
            "Trả lại",
            requires_comment=True,
        ),
        Transition("sign", frozenset({"ready_to_sign"}), "signed", is_signer, "Ký số"),
        Transition("issue", frozenset({"signed"}), "issued", is_clerk, "Ban hành"),
        Transition("dispatch", frozenset({"issued"}), "dispatched", is_clerk, "Phát hành"),
        Transition(
            "recall",
            frozenset({"issued", "dispatched"}),
            "recalled",
            any_of(is_clerk, is_leader, message="Chỉ văn thư hoặc lãnh đạo được thu hồi văn bản."),
            "Thu hồi",
        ),
    ],
)

# -- incoming documents -------------------------------------------------------------------

REGISTRATION = Machine(
    name="registration",
    states={"new": "Chưa vào sổ", "registered": "Đã vào sổ"},
    initial="new",
    transitions=[Transition("register", frozenset({"new"}), "registered", is_clerk, "Vào sổ")],
)
"""Vào sổ văn bản đến: the clerk takes an arrival number; the document's handling then
follows :data:`INCOMING` from its ``registered`` state."""


@guard("Chỉ đơn vị hoặc người chủ trì xử lý được thực hiện thao tác này.")
def is_lead_handler(actor: Any, subject: Any) -> bool:
    """The lead person, a person assigned inside the lead department, or its head."""
    username = actor.username
    if username and username == getattr(subject, "lead_username", None):
        return True
    if username in set(getattr(subject, "assignee_usernames", ()) or ()):
        return True
    dept = getattr(subject, "lead_department_code", None)
    return (
        bool(dept) and getattr(actor, "department_code", None) == dept and "head" in _roles(actor)
    )


INCOMING_STATES = {
    "registered": N_("Đã vào sổ"),
    "directed": N_("Đã có ý kiến chỉ đạo"),
    "in_progress": N_("Đang xử lý"),
    "completed": N_("Đã hoàn thành"),
    "returned": N_("Đã trả lại"),
}

INCOMING = Machine(
    name="incoming",
    states=INCOMING_STATES,
    initial="registered",
    transitions=[
        Transition(
            "direct", frozenset({"registered", "directed"}), "directed", is_leader, "Bút phê"
        ),
        Transition("start", frozenset({"directed"}), "in_progress", is_lead_handler, "Xử lý"),
        Transition(
            "complete",
            frozenset({"directed", "in_progress"}),
            "completed",
            is_lead_handler,
            "Hoàn thành",
        ),
        Transition(
            "send_back",
            frozenset({"directed"}),
            "registered",
            is_lead_handler,
            "Trả lại lãnh đạo",
            requires_comment=True,
        ),
        Transition(
            "return",
            frozenset({"registered"}),
            "returned",
            is_clerk,
            "Trả lại nơi gửi",
            requires_comment=True,
        ),
    ],
)


@guard("Chỉ người được giao xử lý được thực hiện thao tác này.")
def is_assignee(actor: Any, subject: Any) -> bool:
    """The assigned person; while unassigned to a person, the head of the department."""
    assignee = getattr(subject, "assignee_username", None)
    if assignee:
        return actor.username == assignee
    return is_assignment_head(actor, subject)


is_assignment_head = is_head_of(
    "department_code", "Chỉ trưởng phòng của đơn vị được giao mới được giao lại việc."
)

ASSIGNMENT_STATES = {"assigned": N_("Đã giao"), "in_progress": N_("Đang xử lý"), "done": N_("Đã "
    "xong")}

ASSIGNMENT = Machine(
    name="assignment",
    states=ASSIGNMENT_STATES,
    initial="assigned",
    transitions=[
        Transition("start", frozenset({"assigned"}), "in_progress", is_assignee, "Bắt đầu xử lý"),
        Transition(
            "complete", frozenset({"assigned", "in_progress"}), "done", is_assignee, "Hoàn thành"
        ),
        Transition(
            "reassign",
            frozenset({"assigned", "in_progress"}),
            "assigned",
            any_of(
                is_assignment_head,
                is_leader,
                message="Chỉ trưởng phòng của đơn vị hoặc lãnh đạo được giao lại việc.",
            ),
            "Giao lại",
        ),
    ],
)

# -- meetings -----------------------------------------------------------------------------

is_chair = is_user("chair_username", "Chỉ người chủ trì cuộc họp được thực hiện thao tác này.")
is_meeting_secretary = is_user(
    "secretary_username", "Chỉ thư ký cuộc họp được thực hiện thao tác này."
)

MEETING_STATES = {
    "draft": N_("Đang chuẩn bị"),
    "agenda_signed": N_("Chương trình đã ký"),
    "distributed": N_("Đã gửi giấy mời"),
    "held": N_("Đã họp"),
    "minutes_signed": N_("Biên bản đã ký"),
    "cancelled": N_("Đã hủy"),
}

MEETING = Machine(
    name="meeting",
    states=MEETING_STATES,
    initial="draft",
    transitions=[
        Transition(
            "sign_agenda", frozenset({"draft"}), "agenda_signed", is_chair, "Ký chương trình"
        ),
        Transition(
            "distribute",
            frozenset({"agenda_signed"}),
            "distributed",
            is_meeting_secretary,
            "Gửi giấy mời",
        ),
        Transition(
            "hold",
            frozenset({"distributed"}),
            "held",
            any_of(
                is_meeting_secretary,
                is_chair,
                message="Chỉ thư ký hoặc người chủ trì cuộc họp được thực hiện thao tác này.",
            ),
            "Đã họp xong",
        ),
        Transition("sign_minutes", frozenset({"held"}), "minutes_signed", is_chair, "Ký biên bản"),
        Transition(
            "cancel",
            frozenset({"draft", "agenda_signed", "distributed"}),
            "cancelled",
            any_of(
                is_meeting_secretary,
                is_chair,
                message="Chỉ thư ký hoặc người chủ trì cuộc họp được hủy cuộc họp.",
            ),
            "Hủy cuộc họp",
        ),
    ],
)

# -- exchange deliveries (liên thông) ---------------------------------------------------------
#
# One delivery per recipient agency; its states are the national status codes
# (QĐ 28/2018/QĐ-TTg), after a local "00" that only exists until the delivery is sent (the
# ``send`` transition, in the transaction that creates it). The same machine runs on both
# sides: the receiving agency fires the transitions, the sending agency mirrors them when
# the status message arrives (the actor is then the peer agency, role ``exchange``).
# Sending, direction, handling and completion are fired by the system when the document
# moves (no person chooses them), hence no guard.

is_exchange_peer = has_role("exchange", "Chỉ cơ quan gửi/nhận văn bản được báo trạng thái này.")
clerk_or_peer = any_of(is_clerk, is_exchange_peer,
                       message="Chỉ văn thư được thực hiện thao tác này.")

DELIVERY_STATES = {
    "00": N_("Chưa gửi"),
    "01": N_("Đã gửi"),
    "02": N_("Từ chối tiếp nhận"),
    "03": N_("Đã tiếp nhận"),
    "04": N_("Phân công"),
    "05": N_("Đang xử lý"),
    "06": N_("Hoàn thành"),
    "13": N_("Lấy lại"),
    "15": N_("Đồng ý lấy lại"),
    "16": N_("Từ chối lấy lại"),
}
_WORKING = frozenset({"03", "04", "05", "16"})

DELIVERY = Machine(
    name="delivery",
    states=DELIVERY_STATES,
    initial="00",
    transitions=[
        Transition("send", frozenset({"00"}), "01", None, "Gửi"),
        Transition("accept", frozenset({"01"}), "03", clerk_or_peer, "Tiếp nhận"),
        Transition("refuse", frozenset({"01"}), "02", clerk_or_peer, "Từ chối tiếp nhận",
                   requires_comment=True),
        Transition("assign", _WORKING, "04", None, "Phân công"),
        Transition("progress", _WORKING, "05", None, "Đang xử lý"),
        Transition("complete", _WORKING, "06", None, "Hoàn thành"),
        Transition(
            "recall",
            frozenset({"01", "03", "04", "05", "06", "16"}),
            "13",
            any_of(is_clerk, is_leader, is_exchange_peer,
                   message="Chỉ văn thư hoặc lãnh đạo nơi gửi được lấy lại văn bản."),
            "Lấy lại",
            requires_comment=True,
        ),
        Transition("accept_recall", frozenset({"13"}), "15", clerk_or_peer, "Đồng ý lấy lại"),
        Transition("refuse_recall", frozenset({"13"}), "16", clerk_or_peer, "Từ chối lấy lại",
                   requires_comment=True),
    ],
)

STATUS_TRANSITIONS = {"02": "refuse", "03": "accept", "04": "assign", "05": "progress",
                      "06": "complete", "13": "recall", "15": "accept_recall",
                      "16": "refuse_recall"}
"""The transition that reaches each status code (used to mirror a received status)."""

MACHINES = {m.name: m for m in (OUTGOING, REGISTRATION, INCOMING, ASSIGNMENT, MEETING,
                                DELIVERY)}
