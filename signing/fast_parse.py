"""A faster, behaviour-identical hex string reader for pyHanko's PDF parser.

pyHanko reads a hex string (``<...>``) one byte at a time through
``read_non_whitespace``; a signature's ``/Contents`` is 12–20 k hex digits, so reading
the two signatures of an issued document cost ~10 ms. :func:`read_hex_string` reads the
string in one slice when it is plain (hex digits and PDF whitespace up to the first
``>``) and hands every other case (comments, bad tokens, a missing ``>``) back to
pyHanko's own reader, which then returns or raises exactly as before.

:func:`install` swaps it into ``pyhanko.pdf_utils.generic`` (idempotent).
"""

from __future__ import annotations

import binascii
import os
import re
from typing import Any

from pyhanko.pdf_utils import generic

ORIGINAL = generic.read_hex_string_from_stream
_WHITESPACE = re.compile(rb"[ \n\r\t\f\x00]+")
_HEX = re.compile(rb"[0-9A-Fa-f]*")
_CHUNK = 1 << 16


def read_hex_string(stream: Any) -> generic.ByteStringObject | generic.TextStringObject:
    """Same result and stream position as pyHanko's ``read_hex_string_from_stream``."""
    start = stream.tell()
    stream.read(1)  # the opening '<'
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_CHUNK)
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(end + 1 - len(chunk), os.SEEK_CUR)
            break
        if not chunk:  # no closing '>': let pyHanko raise its own error
            return _fallback(stream, start)
        parts.append(chunk)
    body = b"".join(parts)
    if b"%" in body:  # a comment may hide a '>': pyHanko's tokenizer handles that
        return _fallback(stream, start)
    digits = _WHITESPACE.sub(b"", body)
    if _HEX.fullmatch(digits) is None:
        return _fallback(stream, start)
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def _fallback(stream: Any, start: int) -> generic.ByteStringObject | generic.TextStringObject:
    stream.seek(start)
    return ORIGINAL(stream)


def install() -> None:
    """Make pyHanko's object reader use :func:`read_hex_string`."""
    generic.read_hex_string_from_stream = read_hex_string
