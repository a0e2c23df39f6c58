"""Official documents per Decree 30/2020: drafts (PDF with reserved fields, DOCX), registers,
meeting agendas and minutes, reference codes and Vietnamese dates.

Plain functions over dataclasses: no Flask, no database.
"""

from eoffice.rendering.dates import vn_date_text, vn_short_date
from eoffice.rendering.draft import DraftDocument, render_docx, render_pdf
from eoffice.rendering.fonts import FontUnavailable
from eoffice.rendering.types import (
    DOCUMENT_TYPES,
    SECRECY_LABELS,
    URGENCY_LABELS,
    reference_code,
    type_name,
)

__all__ = [
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
