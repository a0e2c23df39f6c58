"""The fast hex string, name and number readers return or raise exactly what pyHanko's own
readers do (value, error, stream position)."""

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
    return ("ok", type(value), bytes(getattr(value, "original_bytes", b"")), str(value),
            stream.tell())


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_same_value_error_and_position_as_pyhanko(data: bytes) -> None:
    assert _outcome(fast_parse.read_hex_string, data) == _outcome(fast_parse.ORIGINAL, data)


NAMES = [
    b"/Type /Page", b"/Type/Page", b"/Widths[1 2]", b"/A#20B ", b"/A#2", b"/A#zz ", b"//x",
    b"/", b"/Font", b"/N\x80me ", b"/N\x01me ", b"/\xc3\xa9t\xc3\xa9 ", b"/a%comment\n",
    b"/" + b"L" * 300 + b" ", b"Type ", b"/x\x00", b"/x{", b"/x)", b"/#41#42>>",
]
NUMBERS = [
    b"12 0 R", b"-3.5]", b"+7>>", b"0.000 ", b"1.2.3 ", b"+-1 ", b".5/", b"5", b"-",
    b"1,5 ", b"12e3 ", b"9" * 200 + b" ", b"3\n", b"abc", b"42%c\n", b"1.0" + b"0" * 130,
]


@pytest.mark.parametrize("data", NAMES, ids=range(len(NAMES)))
def test_names_read_as_pyhanko_reads_them(data: bytes) -> None:
    assert (_outcome(fast_parse.read_name, data)
            == _outcome(fast_parse.ORIGINAL_NAME, data))


@pytest.mark.parametrize("data", NUMBERS, ids=range(len(NUMBERS)))
def test_numbers_read_as_pyhanko_reads_them(data: bytes) -> None:
    assert (_outcome(fast_parse.read_number, data)
            == _outcome(fast_parse.ORIGINAL_NUMBER, data))


def test_random_tokens_read_as_pyhanko_reads_them() -> None:
    import random

    rng = random.Random(20261130)
    alphabet = b"/#0123456789+-.,eE aZ\n\t\x00\x80()<>[]{}%"
    for _ in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randrange(1, 12)))
        for fast, original in [(fast_parse.read_name, fast_parse.ORIGINAL_NAME),
                               (fast_parse.read_number, fast_parse.ORIGINAL_NUMBER)]:
            assert _outcome(fast, data) == _outcome(original, data), data
            assert (_outcome(fast, b"/" + data)
                    == _outcome(original, b"/" + data)), data
