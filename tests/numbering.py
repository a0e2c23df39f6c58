"""A series of incoming registrations made in a worker process, for the numbering
concurrency tests (no fixtures here; ``tests/conftest.py`` puts this folder on
``sys.path``, and spawned pool workers inherit it)."""

from __future__ import annotations

from datetime import date


def register_series(url: str, instance: str, clerk_name: str, worker: int, count: int,
                    pdf: bytes, check: object) -> list[tuple[str, int]]:
    """``count`` registrations by ``clerk_name`` in their own app; the first one classified
    (no file). Returns (register, arrival number) of each."""
    import sqlalchemy as sa

    from eoffice import create_app
    from eoffice.auth.models import User
    from eoffice.db import db
    from eoffice.extensions import file_store
    from eoffice.incoming.forms import IncomingInput
    from eoffice.incoming.registration import register_incoming
    from eoffice.signing_services import TrustMaterial

    app = create_app({"DATABASE_URL": url}, instance=instance)
    numbers = []
    with app.app_context():
        for i in range(count):
            with db.transaction() as session:  # no SQLite write lock held meanwhile
                clerk = session.scalar(sa.select(User).where(User.username == clerk_name))
            secret = i == 0
            data = IncomingInput.parse({"issuer_name": f"Sở {worker}",
                                        "subject": f"Văn bản {clerk_name} {worker}-{i}",
                                        "secrecy": "mat" if secret else "none"})
            with db.transaction() as session:
                done = register_incoming(session, file_store(), clerk, data,
                                         file=None if secret else pdf, trust=TrustMaterial(),
                                         classified_files=False, today=date(2026, 5, 4),
                                         check=None if secret else check)
                numbers.append((done.document.register, done.document.arrival_number))
    return numbers
