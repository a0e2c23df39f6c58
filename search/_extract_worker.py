"""Child process of :mod:`search.extract`: reads a file on stdin, writes UTF-8 text."""

from __future__ import annotations

import io
import sys


def _docx(data: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def main() -> int:
    kind = sys.argv[1]
    data = sys.stdin.buffer.read()
    text = _docx(data) if kind == "docx" else _pdf(data)
    sys.stdout.buffer.write(text.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
