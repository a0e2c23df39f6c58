"""Revocation data for signing and validation: offline CRL folders, and online OCSP then CRL
(``pyhanko_certvalidator``'s fetchers) behind a cache that keeps each answer until its own
``nextUpdate`` (so a busy server asks the CA once per CRL period, and a restart keeps it).

A library module: plain values in, ``ValidationContext`` / errors out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import InsufficientRevinfoError, RevokedError
from pyhanko_certvalidator.fetchers import Fetchers
from pyhanko_certvalidator.fetchers.requests_fetchers import (
    RequestsCertificateFetcher,
    RequestsCRLFetcher,
    RequestsOCSPFetcher,
)

from signing.errors import SigningError

DEFAULT_TTL = dt.timedelta(hours=1)
"""How long an answer without ``nextUpdate`` is reused."""


class SignerRevoked(SigningError):
    """The signer's certificate is revoked: nothing may be signed with it."""


class SignerStatusUnknown(SigningError):
    """Online checking is on but the signer's revocation status could not be established
    (responders unreachable, answers unusable): nothing is signed while in doubt."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class RevocationCache:
    """Fetched CRLs and OCSP responses (DER), in memory and optionally on disk, each kept
    until its validity ends. Thread-safe; one instance per process is enough."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self._memory: dict[str, tuple[dt.datetime, bytes]] = {}
        self._lock = threading.Lock()

    def _file(self, key: str) -> Path | None:
        return self.folder / f"{key}.der" if self.folder is not None else None

    def get(self, key: str) -> bytes | None:
        with self._lock:
            hit = self._memory.get(key)
        if hit is None:
            path = self._file(key)
            if path is None or not path.is_file():
                return None
            raw = path.read_bytes()
            until = dt.datetime.fromtimestamp(int.from_bytes(raw[:8], "big"), dt.UTC)
            hit = (until, raw[8:])
            with self._lock:
                self._memory[key] = hit
        if hit[0] <= _now():
            return None
        return hit[1]

    def put(self, key: str, der: bytes, until: dt.datetime) -> None:
        if until <= _now():
            return
        with self._lock:
            self._memory[key] = (until, der)
        path = self._file(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(int(until.timestamp()).to_bytes(8, "big") + der)
            tmp.replace(path)


def _key(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _crl_until(crl: asn1_crl.CertificateList) -> dt.datetime:
    nxt = crl["tbs_cert_list"]["next_update"].native
    return nxt if nxt is not None else _now() + DEFAULT_TTL


def _ocsp_until(resp: asn1_ocsp.OCSPResponse) -> dt.datetime:
    try:
        single = resp["response_bytes"]["response"].parsed["tbs_response_data"]["responses"][0]
        nxt = single["next_update"].native
    except (KeyError, IndexError, TypeError, ValueError):
        return _now()
    return nxt if nxt is not None else _now() + DEFAULT_TTL


class _CachedCRLFetcher(RequestsCRLFetcher):
    def __init__(self, cache: RevocationCache, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._cache = cache

    async def _fetch_single(self, url):
        hit = self._cache.get(_key("crl", url))
        if hit is not None:
            parsed = asn1_crl.CertificateList.load(hit)

            async def ready() -> asn1_crl.CertificateList:
                return parsed

            return await self._perform_fetch(url, ready)
        result = await super()._fetch_single(url)
        self._cache.put(_key("crl", url), result.dump(), _crl_until(result))
        return result


class _CachedOCSPFetcher(RequestsOCSPFetcher):
    """OCSP without nonces, so that a cached response still answers a later request."""

    def __init__(self, cache: RevocationCache, **kwargs: Any) -> None:
        super().__init__(request_nonces=False, **kwargs)
        self._cache = cache

    async def _fetch_single(self, ocsp_url, ocsp_request):
        cert_id = ocsp_request["tbs_request"]["request_list"][0]["req_cert"].dump()
        key = _key("ocsp", ocsp_url, cert_id)
        hit = self._cache.get(key)
        if hit is not None:
            return asn1_ocsp.OCSPResponse.load(hit)
        result = await super()._fetch_single(ocsp_url, ocsp_request)
        self._cache.put(key, result.dump(), _ocsp_until(result))
        return result


def online_fetchers(cache: RevocationCache, timeout: float = 10) -> Fetchers:
    """Fetchers for one validation: OCSP (then CRL, certvalidator's order) through ``cache``."""
    return Fetchers(
        ocsp_fetcher=_CachedOCSPFetcher(cache, per_request_timeout=timeout),
        crl_fetcher=_CachedCRLFetcher(cache, per_request_timeout=timeout),
        cert_fetcher=RequestsCertificateFetcher(per_request_timeout=timeout),
    )


_SHARED: dict[str, RevocationCache] = {}
_SHARED_LOCK = threading.Lock()


def shared_cache(folder: Path | None) -> RevocationCache:
    """The process-wide cache for ``folder`` (memory only when None)."""
    name = str(folder) if folder is not None else ""
    with _SHARED_LOCK:
        if name not in _SHARED:
            _SHARED[name] = RevocationCache(folder)
        return _SHARED[name]


@dataclass(frozen=True)
class RevocationSettings:
    """Where revocation data comes from."""

    crls: Sequence[bytes] = ()
    """Offline CRLs (DER), e.g. from the configured CRL folders."""
    online: bool = False
    """Ask OCSP responders, then CRL distribution points, named in the certificates."""
    cache_dir: Path | None = None
    timeout: float = 10
    extra: dict[str, Any] = field(default_factory=dict)


def _certs(items: Iterable[Any]) -> list[x509.Certificate]:
    out: list[x509.Certificate] = []
    for item in items:
        if isinstance(item, x509.Certificate):
            out.append(item)
        else:
            dump = getattr(item, "public_bytes", None)
            if callable(dump):
                from cryptography.hazmat.primitives.serialization import Encoding

                item = dump(Encoding.DER)
            out.append(x509.Certificate.load(bytes(item)))
    return out


def validation_context(
    trust_roots: Iterable[Any], settings: RevocationSettings, *,
    other_certs: Iterable[Any] = (), moment: dt.datetime | None = None,
    mode: str = "soft-fail",
) -> ValidationContext:
    """A context with the offline CRLs, and online fetching through the cache when enabled.
    ``trust_roots``: asn1crypto/cryptography certificates or DER bytes."""
    fetchers = (online_fetchers(shared_cache(settings.cache_dir), settings.timeout)
                if settings.online else None)
    return ValidationContext(
        trust_roots=_certs(trust_roots), other_certs=_certs(other_certs),
        crls=[asn1_crl.CertificateList.load(bytes(c)) for c in settings.crls],
        allow_fetching=settings.online, fetchers=fetchers, revocation_mode=mode,
        moment=moment, retroactive_revinfo=True,
    )


def check_signer(context: ValidationContext, cert: Any, chain: Iterable[Any] = ()) -> None:
    """Refuse a revoked signer before anything is signed (:class:`SignerRevoked`), and, when
    ``context`` fetches online, a signer whose status cannot be established
    (:class:`SignerStatusUnknown`). Offline, an unknown status and any other doubt
    (untrusted chain) are left to validation, which never calls such a signature valid."""
    (leaf,) = _certs([cert])
    # The same trust and revocation data, but every certificate checked against it
    # (soft-fail only checks certificates that name a CRL/OCSP location). This asks for the
    # current status: an answer produced after the check began (a slow responder) is current,
    # not "too recent" -- without this, a revoked signer's fresh OCSP answer was discarded
    # and a CRL issued before the revocation let the signer through.
    strict = ValidationContext(
        trust_manager=context.path_builder.trust_manager,
        certificate_registry=context.certificate_registry,
        revinfo_manager=context.revinfo_manager, revocation_mode="require",
        retroactive_revinfo=True)
    validator = CertificateValidator(leaf, intermediate_certs=_certs(chain),
                                     validation_context=strict)
    name = leaf.subject.native.get("common_name") or leaf.subject.human_friendly
    try:
        from signing.pades import run

        run(validator.async_validate_usage(set()))
    except RevokedError as exc:
        raise SignerRevoked(
            f"Chứng thư số của {name} đã bị thu hồi: không thể ký bằng chứng thư này. "
            f"/ The certificate of {name} is revoked.") from exc
    except InsufficientRevinfoError as exc:
        if context.fetching_allowed:
            raise SignerStatusUnknown(
                f"Không xác định được tình trạng thu hồi của chứng thư số của {name} (máy chủ "
                f"OCSP/CRL không trả lời hoặc câu trả lời không dùng được): văn bản chưa được "
                f"ký, hãy thử lại sau. / The revocation status of {name}'s certificate could "
                f"not be established; nothing was signed, try again later.") from exc
    except Exception:  # noqa: BLE001 - untrusted chain: validation reports it afterwards
        return
