"""Extension points that later features plug into without the foundation knowing them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

_demo_prepared: list[Callable[[Flask], None]] = []


def on_demo_prepared(func: Callable[[Flask], None]) -> Callable[[Flask], None]:
    """Register a function run after the demo instance is prepared (sample documents…)."""
    _demo_prepared.append(func)
    return func


def demo_prepared(app: Flask) -> None:
    for func in _demo_prepared:
        func(app)
