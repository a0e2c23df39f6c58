"""The token agent on the official's computer (``eoffice token-agent``).

HTTP on 127.0.0.1 only. It is paired once with one eoffice server (origin + shared key,
kept in a 0600 file) and answers only pages of that origin:

* ``GET /status`` (any page): ``{"agent": "eoffice-token-agent", "paired": bool}`` where
  ``paired`` says whether it is paired with the asking page's origin;
* ``GET /certificate`` (paired origin): the token's certificate and CA chain (no PIN);
* ``POST /sign`` (paired origin): ``{"items": [{request_id, subject, data, expires, auth}]}``;
  every item must carry the server's authenticator (:func:`signing.external.authenticator`).
  The agent shows each subject and document hash, asks the PIN **once, locally** (its own
  prompt, never the browser) and returns ``{"signatures": [{request_id, signature}]}``.
  A wrong PIN signs nothing: ``401 {"error": "wrong_pin", "tries_left": n}``.

CORS headers name the paired origin only; requests from any other origin get 403 before
the token is touched.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pkcs11
from pyhanko.sign import pkcs11 as hk_pkcs11

from signing.errors import SigningError, TokenNotFound, WrongPin
from signing.external import authenticator, document_hash
from signing.pades import run

AGENT_NAME = "eoffice-token-agent"
MAX_BODY = 2 << 20
MAX_ITEMS = 100
DEFAULT_CONFIG = Path.home() / ".config" / "eoffice" / "token-agent.json"


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL (what browsers send as ``Origin``)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SigningError(f"Địa chỉ máy chủ không hợp lệ: {url}")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Pairing:
    """The server this agent answers: its origin and the shared key."""

    origin: str
    key: bytes
    username: str

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"origin": self.origin, "key": self.key.hex(),
                       "username": self.username}, handle)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Pairing | None:
        try:
            raw = json.loads(Path(path).read_text())
            return cls(str(raw["origin"]), bytes.fromhex(raw["key"]), str(raw["username"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


class TokenAccess:
    """The USB token through PKCS#11: certificates without PIN, signatures with one login
    per request (logged out right after)."""

    def __init__(self, module: str, token_label: str, key_label: str,
                 cert_label: str | None = None, pin_tries: int = 5) -> None:
        self.module, self.token_label = module, token_label
        self.key_label, self.cert_label = key_label, cert_label or key_label
        self.pin_tries = pin_tries
        self.failures = 0
        self._lock = threading.Lock()

    def _token(self) -> pkcs11.Token:
        try:
            lib = pkcs11.lib(self.module)
        except RuntimeError as exc:
            raise TokenNotFound(f"Không nạp được thư viện PKCS#11: {self.module}") from exc
        try:
            return lib.get_token(token_label=self.token_label)
        except (pkcs11.NoSuchToken, pkcs11.MultipleTokensReturned) as exc:
            raise TokenNotFound("Không tìm thấy thiết bị ký số (USB token) "
                                f"“{self.token_label}”: hãy cắm thiết bị và thử lại.") from exc

    def _signer(self, session: pkcs11.Session) -> hk_pkcs11.PKCS11Signer:
        keys = list(session.get_objects({pkcs11.Attribute.CLASS: pkcs11.ObjectClass.PRIVATE_KEY,
                                         pkcs11.Attribute.LABEL: self.key_label}))
        use_raw = bool(keys and keys[0][pkcs11.Attribute.KEY_TYPE] == pkcs11.KeyType.EC)
        return hk_pkcs11.PKCS11Signer(session, key_label=self.key_label,
                                      cert_label=self.cert_label, use_raw_mechanism=use_raw,
                                      other_certs_to_pull=None)

    def certificate(self) -> tuple[bytes, list[bytes]]:
        with self._lock, self._token().open() as session:
            certs = {}
            for obj in session.get_objects({pkcs11.Attribute.CLASS:
                                            pkcs11.ObjectClass.CERTIFICATE}):
                certs[obj[pkcs11.Attribute.LABEL]] = bytes(obj[pkcs11.Attribute.VALUE])
        if self.cert_label not in certs:
            raise TokenNotFound(f"Không tìm thấy chứng thư số “{self.cert_label}” "
                                "trên thiết bị ký số.")
        own = certs.pop(self.cert_label)
        return own, [c for c in certs.values() if c != own]

    def tries_left(self) -> int:
        flags = self._token().flags
        if flags & pkcs11.TokenFlag.USER_PIN_LOCKED:
            return 0
        if flags & pkcs11.TokenFlag.USER_PIN_FINAL_TRY:
            return 1
        return max(1, self.pin_tries - self.failures)

    def sign_all(self, pin: str, items: list[bytes]) -> list[bytes]:
        """Log in once, sign every item (SHA-256), log out. Wrong PIN: nothing signed."""
        with self._lock:
            token = self._token()
            try:
                session = token.open(user_pin=pin)
            except pkcs11.PinIncorrect as exc:
                self.failures += 1
                raise WrongPin() from exc
            except (pkcs11.PinLocked, pkcs11.PinLenRange) as exc:
                self.failures += 1
                raise WrongPin("Mã PIN của thiết bị ký số đã bị khóa hoặc không hợp lệ.") \
                    from exc
            self.failures = 0
            try:
                signer = self._signer(session)
                return [run(signer.async_sign_raw(data, "sha256")) for data in items]
            except hk_pkcs11.PKCS11Error as exc:
                raise TokenNotFound(f"Không tìm thấy khóa “{self.key_label}” trên "
                                    "thiết bị ký số.") from exc
            finally:
                session.close()


PinPrompt = Callable[[list[dict[str, str]], str | None], str | None]
"""Shows what is to be signed (subject + document hash) and returns the PIN, or None
to cancel. The second argument is a warning (e.g. tries left) or None."""


def console_prompt(items: list[dict[str, str]], warning: str | None) -> str | None:
    """Ask on the agent's own console (getpass on a terminal, a line on stdin otherwise)."""
    out = sys.stdout
    out.write("\n=== Yêu cầu ký số / Signing request ===\n")
    for number, item in enumerate(items, 1):
        out.write(f"{number}. {item['subject']}\n   SHA-256: {item['hash']}\n")
    if warning:
        out.write(f"! {warning}\n")
    out.write(f"Nhập mã PIN để ký {len(items)} văn bản (để trống để hủy) / "
              "PIN (empty cancels): ")
    out.flush()
    if sys.stdin.isatty():
        import getpass

        pin = getpass.getpass("")
    else:
        pin = sys.stdin.readline().strip()
    out.write("\n")
    out.flush()
    return pin or None


class _Replay:
    def __init__(self) -> None:
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()

    def claim(self, request_id: str, expires: int) -> bool:
        now = int(time.time())
        with self.lock:
            for key in [k for k, v in self.seen.items() if v < now]:
                del self.seen[key]
            if request_id in self.seen:
                return False
            self.seen[request_id] = expires
            return True


def serve(token: TokenAccess, config: Path, *, prompt: PinPrompt = console_prompt,
          port: int = 8765, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """The agent's HTTP server (call ``serve_forever()``); pairing read from ``config``."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SigningError("Phần mềm ký số chỉ được nghe trên địa chỉ nội bộ 127.0.0.1.")
    replay = _Replay()

    class Handler(BaseHTTPRequestHandler):
        server_version = AGENT_NAME

        def _pairing(self) -> Pairing | None:
            return Pairing.load(config)

        def _reply(self, code: int, body: dict[str, Any], origin: str | None = None) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Vary", "Origin")
            if origin:
                self.send_header("Access-Control-Allow-Origin", origin)
            self.end_headers()
            self.wfile.write(data)

        def _paired_origin(self) -> str | None:
            """The request's Origin when it is the paired one; otherwise answers 403."""
            pairing = self._pairing()
            origin = self.headers.get("Origin", "")
            if pairing is None:
                self._reply(403, {"error": "not_paired",
                                  "message": "Phần mềm ký số chưa được ghép nối."})
                return None
            if not hmac.compare_digest(origin, pairing.origin):
                self._reply(403, {"error": "origin",
                                  "message": "Trang này không được phép dùng phần mềm ký số."})
                return None
            return origin

        def do_OPTIONS(self) -> None:  # noqa: N802
            pairing = self._pairing()
            origin = self.headers.get("Origin", "")
            if pairing is None or not hmac.compare_digest(origin, pairing.origin):
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(204)
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type")
            self.send_header("Access-Control-Allow-Private-Network", "true")
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Vary", "Origin")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # noqa: N802
            if self.path == "/status":
                pairing = self._pairing()
                asking = self.headers.get("Origin", "")
                paired = pairing is not None and hmac.compare_digest(asking, pairing.origin)
                data = json.dumps({"agent": AGENT_NAME, "paired": paired}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Access-Control-Allow-Origin", "*")
                self.end_headers()
                self.wfile.write(data)
                return
            origin = self._paired_origin()
            if origin is None:
                return
            if self.path != "/certificate":
                self._reply(404, {"error": "not_found"}, origin)
                return
            try:
                cert, chain = token.certificate()
            except SigningError as exc:
                self._reply(503, {"error": "token_absent", "message": str(exc)}, origin)
                return
            self._reply(200, {"certificate": base64.b64encode(cert).decode(),
                              "chain": [base64.b64encode(c).decode() for c in chain]}, origin)

        def _items(self, pairing: Pairing, origin: str) -> list[dict[str, Any]] | None:
            try:
                length = int(self.headers.get("Content-Length", "0"))
                if not 0 < length <= MAX_BODY:
                    raise ValueError("size")
                body = json.loads(self.rfile.read(length))
                raw = body["items"]
                if not isinstance(raw, list) or not 0 < len(raw) <= MAX_ITEMS:
                    raise ValueError("items")
                items: list[dict[str, Any]] = []
                now = int(time.time())
                for item in raw:
                    data = base64.b64decode(item["data"], validate=True)
                    expires, request_id = int(item["expires"]), str(item["request_id"])
                    subject = str(item["subject"])[:500]
                    expected = authenticator(pairing.key, origin=origin, request_id=request_id,
                                             expires=expires, subject=subject, data=data)
                    if not hmac.compare_digest(expected, str(item["auth"])):
                        raise PermissionError("auth")
                    if expires < now:
                        raise ValueError("expired")
                    items.append({"request_id": request_id, "subject": subject, "data": data,
                                  "hash": document_hash(data), "expires": expires})
            except PermissionError:
                self._reply(403, {"error": "auth", "message": "Yêu cầu ký không đến từ máy "
                                  "chủ đã ghép nối."}, origin)
                return None
            except (ValueError, KeyError, TypeError, SigningError):
                self._reply(400, {"error": "bad_request",
                                  "message": "Yêu cầu ký không hợp lệ hoặc đã hết hạn."},
                            origin)
                return None
            if not all(replay.claim(i["request_id"], i["expires"]) for i in items):
                self._reply(400, {"error": "replay",
                                  "message": "Yêu cầu ký này đã được dùng."}, origin)
                return None
            return items

        def do_POST(self) -> None:  # noqa: N802
            origin = self._paired_origin()
            if origin is None:
                return
            if self.path != "/sign":
                self._reply(404, {"error": "not_found"}, origin)
                return
            pairing = self._pairing()
            assert pairing is not None
            items = self._items(pairing, origin)
            if items is None:
                return
            shown = [{"subject": i["subject"], "hash": i["hash"]} for i in items]
            warning = None
            if token.failures:
                warning = f"Lần trước nhập sai mã PIN; còn {token.tries_left()} lần thử."
            pin = prompt(shown, warning)
            if not pin:
                self._reply(400, {"error": "cancelled",
                                  "message": "Người ký đã hủy trên phần mềm ký số."}, origin)
                return
            try:
                values = token.sign_all(pin, [i["data"] for i in items])
            except WrongPin as exc:
                left = token.tries_left()
                self._reply(401, {"error": "wrong_pin", "tries_left": left,
                                  "message": f"{exc} Chưa ký văn bản nào; còn {left} lần "
                                             "thử trước khi thiết bị bị khóa."}, origin)
                return
            except TokenNotFound as exc:
                self._reply(503, {"error": "token_absent", "message": str(exc)}, origin)
                return
            self._reply(200, {"signatures": [
                {"request_id": i["request_id"], "signature": base64.b64encode(v).decode()}
                for i, v in zip(items, values, strict=True)]}, origin)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return ThreadingHTTPServer((host, port), Handler)


def pair(server_url: str, code: str, token: TokenAccess, config: Path,
         agent_url: str) -> Pairing:
    """Send the one-time code and the token's certificate to the server; keep the key."""
    origin = origin_of(server_url)
    cert, chain = token.certificate()
    body = json.dumps({"code": code.strip(), "certificate": base64.b64encode(cert).decode(),
                       "chain": [base64.b64encode(c).decode() for c in chain],
                       "agent_url": agent_url}).encode()
    req = urllib.request.Request(f"{origin}/api/v1/token-agent/pair", data=body,  # noqa: S310
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310
            answer = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read())["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = f"HTTP {exc.code}"
        raise SigningError(f"Máy chủ từ chối ghép nối: {message}") from exc
    except OSError as exc:
        raise SigningError(f"Không kết nối được máy chủ {origin}.") from exc
    pairing = Pairing(origin, bytes.fromhex(answer["key"]), str(answer["username"]))
    pairing.save(config)
    return pairing
