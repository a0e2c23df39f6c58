"""The fast hex string reader returns or raises exactly what pyHanko's own reader does."""

from __future__ import annotations

import io

import pytest

from signing import fast_parse

CASES = [
    b"<>", b"<4142>", b"<41 42\n43\r\t\f\x0044>rest", b"<abcDEF>", b"<414>",
    b"<FEFF00410042>", b"<AG>", b"<41\x0b42>", b"<4142", b"<", b"<41 % comment > 42\n43>",
    b"<41%>\n42>tail", b"<<41>>", b"<41)>", b"<" + b"A0" * 40_000 + b">x",
    b"<" + b"A" * 70_001 + b">", b"<" + b"AB" * 40_000, b"<" + b"AB" * 40_000 + b"Z>",
]


def _outcome(reader, data: bytes) -> tuple:
    stream = io.BytesIO(b"junk" + data)
    stream.seek(4)
    try:
        value = reader(stream)
    except Exception as exc:  # the exact error is part of the behaviour
        return ("error", type(exc), str(exc), stream.tell())
    return ("ok", type(value), bytes(value.original_bytes), str(value), stream.tell())


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_same_value_error_and_position_as_pyhanko(data: bytes) -> None:
    assert _outcome(fast_parse.read_hex_string, data) == _outcome(fast_parse.ORIGINAL, data)
