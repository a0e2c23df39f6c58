"""PAdES signing and validation for eoffice, on top of pyHanko.

A library: it imports neither Flask nor the eoffice application.
"""

from signing.devpki import DevPki, UserCredential, init_dev_pki, issue_user
from signing.errors import SigningError, TokenNotFound, WrongPassphrase, WrongPin

__all__ = [
    "DevPki",
    "SigningError",
    "TokenNotFound",
    "UserCredential",
    "WrongPassphrase",
    "WrongPin",
    "init_dev_pki",
    "issue_user",
]
