"""The application's multipart parsing gives what Werkzeug's gives, limits included."""

from __future__ import annotations

import io
import random

import pytest
from werkzeug import formparser
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.sansio.multipart import MultipartDecoder

from eoffice.web.multipart import BoundaryDecoder, BoundaryPattern, FormDataParser

BOUNDARIES = [b"b", b"-", b"--", b"----", b"-a-", b"ab\r", b"x y", b"\n", b"\r\n",
              b"---------------WerkzeugFormPart_1700000000.10.5",
              b"----WebKitFormBoundary7MA4YWxkTrZu0gW"]
PIECES = [b"\r", b"\n", b"\r\n", b"--", b"-", b" ", b"\t", b"\x0b", b"\x0c", b"\x1c", b"x",
          b"\r\n\r\n", b"ab"]


def _fragment(rng: random.Random, boundary: bytes) -> bytes:
    pieces = [*PIECES, boundary, boundary[: max(1, len(boundary) // 2)], b"--" + boundary]
    return b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 14)))


def _as_tuple(match: object) -> tuple[int, int, bytes] | None:
    if match is None:
        return None
    return match.start(), match.end(), bytes(match.group(1))  # type: ignore[attr-defined]


@pytest.mark.parametrize("boundary", BOUNDARIES)
def test_boundary_search_matches_werkzeugs_patterns(boundary: bytes) -> None:
    rng = random.Random(boundary)
    reference = MultipartDecoder(boundary)
    preamble = BoundaryPattern(boundary, line_break_first=False)
    between = BoundaryPattern(boundary, line_break_first=True)
    found = 0
    for _ in range(4000):
        data = _fragment(rng, boundary)
        subject = bytearray(data) if rng.random() < 0.5 else data
        pos = rng.randrange(0, len(data) + 1)
        expected = _as_tuple(reference.preamble_re.search(subject, pos))
        assert _as_tuple(preamble.search(subject, pos)) == expected, (data, pos)
        assert _as_tuple(between.search(subject)) == _as_tuple(
            reference.boundary_re.search(subject)), data
        found += expected is not None
    assert found > 100  # the generated data does contain boundaries


def test_decoder_sets_what_werkzeugs_sets() -> None:
    """A Werkzeug upgrade that adds state to its decoder's constructor fails here."""
    assert set(vars(BoundaryDecoder(b"b", 10, max_parts=2))) == set(
        vars(MultipartDecoder(b"b", 10, max_parts=2)))


def _body(rng: random.Random, boundary: bytes) -> bytes:
    parts = []
    for i in range(rng.randrange(0, 4)):
        value = _fragment(rng, boundary).replace(b"--" + boundary, b"-x")
        if rng.random() < 0.5:
            head = f'Content-Disposition: form-data; name="f{i}"; filename="a{i}.pdf"\r\n' \
                   "Content-Type: application/pdf"
        else:
            head = f'Content-Disposition: form-data; name="f{i}"'
        parts.append(b"--" + boundary + b"\r\n" + head.encode() + b"\r\n\r\n" + value + b"\r\n")
    body = b"".join(parts) + b"--" + boundary + b"--\r\n"
    if rng.random() < 0.3:  # damaged: cut, or bytes inserted
        cut = rng.randrange(0, len(body) + 1)
        body = body[:cut] + (_fragment(rng, boundary) if rng.random() < 0.5 else b"")
    return body


class _Trickle(io.BytesIO):
    """A request body that arrives ``size`` bytes at a time at most."""

    def __init__(self, data: bytes, size: int) -> None:
        super().__init__(data)
        self.size = size

    def read(self, n: int | None = -1) -> bytes:
        return super().read(self.size if n is None or n < 0 else min(n, self.size))


def _parse(parser_class: type[formparser.FormDataParser], body: bytes, boundary: bytes,
           chunk: int = 64 * 1024, **limits: int) -> object:
    parser = parser_class(silent=False, **limits)  # type: ignore[arg-type]
    try:
        _, form, files = parser.parse(_Trickle(body, chunk), "multipart/form-data",
                                      len(body), {"boundary": boundary.decode("latin-1")})
    except (ValueError, RequestEntityTooLarge) as exc:
        return type(exc), str(exc)
    return (sorted(form.items(multi=True)),
            sorted((k, f.filename, f.read()) for k, f in files.items(multi=True)))


@pytest.mark.parametrize("boundary", [b"b", b"-a-", b"frontier", b"----WebKitFormBoundaryZ"])
def test_forms_parse_as_werkzeug_parses_them(boundary: bytes) -> None:
    rng = random.Random(boundary)
    outcomes = set()
    for _ in range(400):
        body = _body(rng, boundary)
        # small reads: boundaries and line breaks split across chunks
        chunk = rng.choice([1, 2, 3, 7, 64 * 1024])
        result = _parse(FormDataParser, body, boundary, chunk)
        assert result == _parse(formparser.FormDataParser, body, boundary, chunk), body
        outcomes.add(result[0] if isinstance(result[0], type) else len(result[0]))  # type: ignore[index]
    assert {ValueError, 0, 1, 2} <= outcomes  # refused bodies and forms of several fields


def test_limits_are_werkzeugs() -> None:
    body = b"".join(b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n%s\r\n'
                    % (i, b"x" * 100) for i in range(3)) + b"--b--\r\n"
    for limits in ({"max_form_parts": 2}, {"max_form_memory_size": 50}):
        result = _parse(FormDataParser, body, b"b", **limits)
        assert result == _parse(formparser.FormDataParser, body, b"b", **limits)
        assert result[0] is RequestEntityTooLarge  # type: ignore[index]
