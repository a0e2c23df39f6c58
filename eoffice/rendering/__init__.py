"""Official documents per Decree 30/2020: drafts (PDF with reserved fields, DOCX), registers,
meeting agendas and minutes, reference codes and Vietnamese dates.

Plain functions over dataclasses: no Flask, no database.
"""

from eoffice.rendering.dates import vn_date_text, vn_short_date
from eoffice.rendering.draft import DraftDocument, render_docx, render_pdf
from eoffice.rendering.fonts import FontUnavailable
from eoffice.rendering.meeting import (
    AgendaItem,
    Meeting,
    Minutes,
    render_agenda_pdf,
    render_minutes_pdf,
)
from eoffice.rendering.register_rows import (
    IncomingRegisterRow,
    OutgoingRegisterRow,
    TrackingRegisterRow,
)
from eoffice.rendering.registers import (
    render_incoming_register,
    render_outgoing_register,
    render_tracking_register,
)
from eoffice.rendering.registers_xlsx import (
    incoming_register_xlsx,
    outgoing_register_xlsx,
    tracking_register_xlsx,
)
from eoffice.rendering.types import (
    DOCUMENT_TYPES,
    SECRECY_LABELS,
    URGENCY_LABELS,
    reference_code,
    type_name,
)

__all__ = [
    "AgendaItem",
    "IncomingRegisterRow",
    "Meeting",
    "Minutes",
    "OutgoingRegisterRow",
    "TrackingRegisterRow",
    "incoming_register_xlsx",
    "outgoing_register_xlsx",
    "render_agenda_pdf",
    "render_incoming_register",
    "render_minutes_pdf",
    "render_outgoing_register",
    "render_tracking_register",
    "tracking_register_xlsx",
    "DOCUMENT_TYPES",
    "SECRECY_LABELS",
    "URGENCY_LABELS",
    "DraftDocument",
    "FontUnavailable",
    "reference_code",
    "render_docx",
    "render_pdf",
    "type_name",
    "vn_date_text",
    "vn_short_date",
]
