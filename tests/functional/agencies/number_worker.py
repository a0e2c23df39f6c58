"""Run in a separate process (see test_numbering.py): one agency's clerk issues the given
documents, one transaction each, with the agency's own seal. Globals URL, INSTANCE, ROOTS,
CLERK, IDS, BARRIER are injected by runpy."""

from datetime import date

import sqlalchemy as sa

from eoffice import create_app
from eoffice.admin.credentials import for_agency
from eoffice.auth.models import User
from eoffice.db import db
from eoffice.extensions import file_store
from eoffice.outgoing.common import get_outgoing
from eoffice.outgoing.issuance import issue
from eoffice.signing_services import settings_from_config

app = create_app({"DATABASE_URL": URL, "TRUST_ROOTS": ROOTS}, instance=INSTANCE)  # noqa: F821
with app.app_context():
    BARRIER.wait(timeout=120)  # noqa: F821
    for doc_id in IDS:  # noqa: F821
        with db.transaction() as session:
            clerk = session.scalar(sa.select(User).where(User.username == CLERK))  # noqa: F821
            settings = for_agency(settings_from_config(app.config), clerk.agency)
            document = get_outgoing(session, clerk, doc_id)
            issue(session, file_store(), document, clerk, settings=settings,
                  passphrase="eoffice-demo", clock=lambda: date(2026, 6, 1))
        db.session.remove()
