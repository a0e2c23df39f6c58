"""Domain operations of outgoing documents, one module per concept (re-exported here).

Every operation takes the acting user, flushes and never commits: the caller commits once.
"""

from eoffice.outgoing.common import (
    available_actions,
    ensure_allowed,
    get_outgoing,
    outgoing_query,
    subject_of,
)
from eoffice.outgoing.credentials import SigningSettings, settings_from_config
from eoffice.outgoing.dispatch import (
    dispatch,
    dispatches_of,
    notifications_for,
    recall,
    received_query,
)
from eoffice.outgoing.drafting import DraftInput, create_draft
from eoffice.outgoing.editing import (
    current_docx,
    edit_draft,
    ensure_editable,
    form_values,
    last_rejection,
    may_edit,
)
from eoffice.outgoing.issuance import agency_today, code_for, counter_key, issue
from eoffice.outgoing.register_book import (
    register_documents,
    register_pdf,
    register_rows,
    register_xlsx,
)
from eoffice.outgoing.review import approve, reject, submit
from eoffice.outgoing.signature import sign, sign_batch

__all__ = [
    "DraftInput", "SigningSettings", "agency_today", "approve", "available_actions",
    "code_for", "counter_key", "create_draft", "current_docx", "dispatch", "dispatches_of",
    "edit_draft", "ensure_allowed", "ensure_editable", "form_values", "get_outgoing", "issue",
    "last_rejection", "may_edit", "notifications_for", "outgoing_query", "recall",
    "received_query", "register_documents", "register_pdf", "register_rows", "register_xlsx",
    "reject", "settings_from_config", "sign", "sign_batch", "submit", "subject_of",
]
