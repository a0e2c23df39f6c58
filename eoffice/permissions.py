"""Route access declarations, in one place.

Every view function carries an access rule, set by one of the decorators below. The app checks
it before the view runs; a test walks ``app.url_map`` and fails on a route without one.

- ``@public`` — anyone (login page, health, OpenAPI).
- ``@authenticated`` — any logged-in user (session or API token).
- ``@roles(Role.CLERK, ...)`` — a logged-in user with one of the roles.
Object-level checks (clearance, access keys, "the named signer") are made by the domain code;
anything a user may not see answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from eoffice.auth.models import Role

F = TypeVar("F", bound=Callable[..., Any])
ATTRIBUTE = "_eoffice_access"


@dataclass(frozen=True)
class AccessRule:
    login_required: bool
    roles: frozenset[Role] = frozenset()

    def describe(self) -> str:
        if not self.login_required:
            return "public"
        return "roles:" + ",".join(sorted(self.roles)) if self.roles else "authenticated"


def _mark(rule: AccessRule) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        setattr(view, ATTRIBUTE, rule)
        return view

    return decorator


def public(view: F) -> F:
    return _mark(AccessRule(login_required=False))(view)


def authenticated(view: F) -> F:
    return _mark(AccessRule(login_required=True))(view)


def roles(*allowed: Role) -> Callable[[F], F]:
    return _mark(AccessRule(login_required=True, roles=frozenset(allowed)))


def rule_of(view: Callable[..., Any] | None) -> AccessRule | None:
    return getattr(view, ATTRIBUTE, None)
