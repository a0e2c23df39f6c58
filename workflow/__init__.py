"""Declarative state machines with guards and an append-only transition history.

A library: it imports neither Flask nor a database session.
"""
