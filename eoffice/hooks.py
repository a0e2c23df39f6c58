"""Extension points that later features plug into without the foundation knowing them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

_demo_prepared: list[Callable[[Flask], None]] = []


def on_demo_prepared(func: Callable[[Flask], None]) -> Callable[[Flask], None]:
    """Register a function run after the demo instance is prepared (sample documents…)."""
    if func not in _demo_prepared:
        _demo_prepared.append(func)
    return func


def demo_prepared(app: Flask) -> None:
    for func in _demo_prepared:
        func(app)


_reclassified: list[Callable[..., object]] = []


def on_reclassified(func: Callable[..., object]) -> Callable[..., object]:
    """Register ``func(session, document)``, called in the transaction that changes a
    document's secrecy (meetings withdraw it from their packs, for example)."""
    if func not in _reclassified:
        _reclassified.append(func)
    return func


def reclassified(session: object, document: object) -> None:
    for func in _reclassified:
        func(session, document)


_dispatched: list[Callable[..., object]] = []
_recalled: list[Callable[..., int]] = []


def on_dispatched(func: Callable[..., object]) -> Callable[..., object]:
    """Register ``func(session, document, actor, agency_codes)``, called in the transaction
    that dispatches an issued document to other agencies (the exchange creates deliveries;
    it may refuse with an error)."""
    if func not in _dispatched:
        _dispatched.append(func)
    return func


def dispatched(session: object, document: object, actor: object, codes: list[str]) -> None:
    for func in _dispatched:
        func(session, document, actor, codes)


def on_recalled(func: Callable[..., int]) -> Callable[..., int]:
    """Register ``func(session, document, actor, reason) -> int`` (how many recipients were
    asked), called when the sender recalls a document."""
    if func not in _recalled:
        _recalled.append(func)
    return func


def recalled(session: object, document: object, actor: object, reason: str) -> int:
    return sum(func(session, document, actor, reason) for func in _recalled)
