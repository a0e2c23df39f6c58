"""``multipart/form-data`` parsing without compiling two regular expressions per request.

Werkzeug's :class:`~werkzeug.sansio.multipart.MultipartDecoder` compiles two patterns from
each request's boundary (random, so ``re``'s cache never hits): about 0.65 ms of CPU per
upload, a few per cent of a registration. :class:`BoundaryDecoder` finds the boundary with
``bytes.find`` and a few comparisons instead, giving exactly the matches those patterns give
(the tests compare both on generated bodies); everything else — the limits
(``MAX_CONTENT_LENGTH``, ``max_form_memory_size``, ``max_form_parts``), the states, the
errors — is Werkzeug's own code. :class:`Request` is the application's request class.
"""

from __future__ import annotations

import types
from typing import Any

from flask import Request as FlaskRequest
from werkzeug import formparser
from werkzeug.sansio.multipart import MultipartDecoder, State

_HORIZONTAL_SPACE = frozenset(b" \t\x0b\x0c")
"""``[^\\S\\n\\r]`` of a bytes pattern: the whitespace that is not a line break."""
_CR, _LF = 13, 10


def _line_break_at(data: bytes | bytearray, i: int) -> int:
    """Length of the line break ``(?:\\r\\n|\\n|\\r)`` at ``i`` (0: none)."""
    if i >= len(data):
        return 0
    if data[i] == _CR:
        return 2 if i + 1 < len(data) and data[i + 1] == _LF else 1
    return 1 if data[i] == _LF else 0


class BoundaryMatch:
    """What Werkzeug reads of a boundary match: where it starts and ends, and the part after
    the boundary (``group(1)``: ``--…`` at the closing boundary)."""

    __slots__ = ("_end", "_start", "_tail")

    def __init__(self, start: int, end: int, tail: bytes) -> None:
        self._start, self._end, self._tail = start, end, tail

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, index: int) -> bytes:
        if index != 1:
            raise IndexError(index)
        return self._tail


class BoundaryPattern:
    """``search`` as the compiled pattern of Werkzeug's decoder would, for one boundary:
    ``LB--boundary(--H*LB?|H*LB)`` with ``LB`` a line break (``\\r\\n``, ``\\n`` or
    ``\\r``) — optional before the boundary in the preamble — and ``H`` horizontal space;
    the leftmost match, each alternative tried in the pattern's order."""

    def __init__(self, boundary: bytes, *, line_break_first: bool) -> None:
        self.marker = b"--" + boundary
        self.line_break_first = line_break_first

    def search(self, data: bytes | bytearray, pos: int = 0) -> BoundaryMatch | None:
        # A match's marker is at its start, or 1 or 2 bytes after it (the line break); a
        # marker found later can never give a match that starts earlier (a line break
        # before it would have to overlap the earlier marker's dashes), so the first
        # marker with a valid start and tail gives the leftmost match.
        marker = self.marker
        found = data.find(marker, pos)
        while found != -1:
            start = self._start(data, pos, found)
            if start is not None:
                tail_end = self._tail_end(data, found + len(marker))
                if tail_end is not None:
                    return BoundaryMatch(start, tail_end,
                                         bytes(data[found + len(marker):tail_end]))
            found = data.find(marker, found + 1)
        return None

    def _start(self, data: bytes | bytearray, pos: int, found: int) -> int | None:
        if found - 2 >= pos and data[found - 2] == _CR and data[found - 1] == _LF:
            return found - 2
        if found - 1 >= pos and data[found - 1] in (_CR, _LF):
            return found - 1
        return None if self.line_break_first else found

    @staticmethod
    def _tail_end(data: bytes | bytearray, i: int) -> int | None:
        closing = data[i:i + 2] == b"--"
        if closing:
            i += 2
        while i < len(data) and data[i] in _HORIZONTAL_SPACE:
            i += 1
        line_break = _line_break_at(data, i)
        if not line_break and not closing:
            return None
        return i + line_break


class BoundaryDecoder(MultipartDecoder):
    """Werkzeug's decoder with :class:`BoundaryPattern` in place of its two patterns."""

    def __init__(self, boundary: bytes, max_form_memory_size: int | None = None, *,
                 max_parts: int | None = None) -> None:
        # MultipartDecoder.__init__ without its re.compile calls (the tests check that no
        # attribute of Werkzeug's is missing)
        self.buffer = bytearray()
        self.complete = False
        self.max_form_memory_size = max_form_memory_size
        self.max_parts = max_parts
        self.state = State.PREAMBLE
        self.boundary = boundary
        self.preamble_re = BoundaryPattern(boundary, line_break_first=False)  # type: ignore[assignment]
        self.boundary_re = BoundaryPattern(boundary, line_break_first=True)  # type: ignore[assignment]
        self._search_position = 0
        self._parts_decoded = 0


class MultiPartParser(formparser.MultiPartParser):
    """Werkzeug's parser, its ``parse`` unchanged but decoding with :class:`BoundaryDecoder`
    (the same function, looking the decoder up in a copy of its module's names)."""

    parse = types.FunctionType(
        formparser.MultiPartParser.parse.__code__,
        {**vars(formparser), "MultipartDecoder": BoundaryDecoder},
        "parse", formparser.MultiPartParser.parse.__defaults__)


class FormDataParser(formparser.FormDataParser):
    """Werkzeug's form parser with :class:`MultiPartParser`."""

    def _parse_multipart(self, stream: Any, mimetype: str, content_length: int | None,
                         options: dict[str, str]) -> Any:
        parser = MultiPartParser(
            stream_factory=self.stream_factory,
            max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts,
            cls=self.cls,
        )
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files


class Request(FlaskRequest):
    """Flask's request, its form data parsed by :class:`FormDataParser`."""

    form_data_parser_class = FormDataParser
