"""Domain exceptions of the signing library; messages are in Vietnamese for users."""

from __future__ import annotations


class SigningError(Exception):
    """Any failure to sign that a user can act on; ``str(exc)`` is a Vietnamese message."""


class WrongPassphrase(SigningError):  # noqa: N818 (public API name)
    """The PKCS#12 passphrase is wrong."""

    def __init__(self, message: str = "Mật khẩu của tệp khóa PKCS#12 không đúng.") -> None:
        super().__init__(message)


class WrongPin(SigningError):  # noqa: N818 (public API name)
    """The token PIN is wrong."""

    def __init__(self, message: str = "Mã PIN của thiết bị ký số không đúng.") -> None:
        super().__init__(message)


class TokenNotFound(SigningError):  # noqa: N818
    """No token, key or certificate with the given label."""


class FieldError(SigningError):
    """The PDF lacks a reserved field or has it in an unusable state."""
