"""Sending a file that an operation produced (and audited), for web pages and the API."""

from __future__ import annotations

import io

from flask import send_file
from werkzeug.wrappers import Response

from eoffice.storage import FileToSend


def send(file: FileToSend, *, as_attachment: bool = False) -> Response:
    return send_file(io.BytesIO(file.data), mimetype=file.mime, as_attachment=as_attachment,
                     download_name=file.name)
