"""Faster, behaviour-identical token readers for pyHanko's PDF parser.

pyHanko reads a hex string (``<...>``) one byte at a time through
``read_non_whitespace``; a signature's ``/Contents`` is 12–20 k hex digits, so reading
the two signatures of an issued document cost ~10 ms. :func:`read_hex_string` reads the
string in one slice when it is plain (hex digits and PDF whitespace up to the first
``>``) and hands every other case (comments, bad tokens, a missing ``>``) back to
pyHanko's own reader, which then returns or raises exactly as before.

Names (``/Type``) and numbers are read one byte at a time too (a font's ``/Widths`` is
a hundred numbers; every dictionary key is a name): :func:`read_name` and
:func:`read_number` take the token with one regular-expression search of a short slice
when it is plain (a name without ``#`` escapes or bytes outside ``!``–``~``; a number
followed by some other byte) and hand every other case back to pyHanko the same way.

:func:`install` swaps them into ``pyhanko.pdf_utils.generic`` (idempotent).
"""

from __future__ import annotations

import binascii
import os
import re
from typing import Any

from pyhanko.pdf_utils import generic

ORIGINAL = generic.read_hex_string_from_stream
ORIGINAL_NAME = generic.NameObject.read_from_stream
ORIGINAL_NUMBER = generic.NumberObject.read_from_stream
_WHITESPACE = re.compile(rb"[ \n\r\t\f\x00]+")
_HEX = re.compile(rb"[0-9A-Fa-f]*")
_CHUNK = 1 << 16
_TOKEN_CHUNK = 128
_NAME_END = re.compile(rb"[ \n\r\t\f\x00()<>\[\]{}/%]")  # pyHanko's whitespace + delimiters
_PLAIN_NAME = re.compile(rb"[!\"$-~]*")  # printable, no '#' escape
_NUMBER_END = generic.NumberObject.NumberPattern


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


def read_name(stream: Any) -> generic.NameObject:
    """Same result and stream position as ``NameObject.read_from_stream``."""
    start = stream.tell()
    chunk = stream.read(_TOKEN_CHUNK)
    end = _NAME_END.search(chunk, 1)
    if chunk[:1] != b"/" or end is None or _PLAIN_NAME.fullmatch(chunk, 1, end.start()) is None:
        stream.seek(start)
        return ORIGINAL_NAME(stream)
    stream.seek(start + end.start())
    return generic.NameObject("/" + chunk[1:end.start()].decode("ascii"))


def read_number(stream: Any) -> generic.NumberObject | generic.FloatObject:
    """Same result and stream position as ``NumberObject.read_from_stream``."""
    start = stream.tell()
    chunk = stream.read(_TOKEN_CHUNK)
    end = _NUMBER_END.search(chunk)
    if end is None:  # a long token or the end of the stream
        stream.seek(start)
        return ORIGINAL_NUMBER(stream)
    stream.seek(start + end.start())
    digits = chunk[:end.start()].decode("ascii")
    return generic.FloatObject(digits) if "." in digits else generic.NumberObject(digits)


def install() -> None:
    """Make pyHanko's object reader use :func:`read_hex_string`, :func:`read_name` and
    :func:`read_number`."""
    generic.read_hex_string_from_stream = read_hex_string
    generic.NameObject.read_from_stream = staticmethod(read_name)  # type: ignore[method-assign]
    generic.NumberObject.read_from_stream = staticmethod(read_number)  # type: ignore[method-assign]
