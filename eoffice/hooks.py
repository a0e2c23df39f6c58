"""Extension points that later features connect to without the foundation knowing them:
blinker signals (the mechanism Flask's own signals use). A feature connects its receivers
when it is registered; ``connect`` is idempotent, and module-level receivers stay alive
(blinker keeps weak references).

Receivers are called as ``receiver(sender, **kwargs)``, in the caller's transaction, in no
particular order (blinker keeps them in a set): a step that needs the others' work waits
for a later signal (``demo_ready`` after ``demo_prepared``).
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace

signals = Namespace()

demo_prepared = signals.signal("demo-prepared", doc="""Sender: the Flask app, after the demo
instance is prepared (features add sample documents, the index is filled).""")

demo_ready = signals.signal("demo-ready", doc="""Sender: the Flask app, once every
:data:`demo_prepared` receiver has run (the search indexes the sample documents).""")

reclassified = signals.signal("reclassified", doc="""Sender: the document whose secrecy
changed; ``session``: its transaction (meetings withdraw it from their packs, the search
forgets its text).""")

dispatched = signals.signal("dispatched", doc="""Sender: an issued document dispatched to
other agencies; ``session``, ``actor``, ``codes`` (their agency codes). The exchange creates
the deliveries; a receiver may refuse with an error.""")

recalled = signals.signal("recalled", doc="""Sender: a document its sender recalls;
``session``, ``actor``, ``reason``. A receiver returns how many recipients it asked.""")


def recall(session: Any, document: Any, actor: Any, reason: str) -> int:
    """Send :data:`recalled`; how many recipients the receivers asked in all."""
    return sum(int(asked or 0) for _, asked in recalled.send(
        document, session=session, actor=actor, reason=reason))
