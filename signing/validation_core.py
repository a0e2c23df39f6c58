"""Raw facts about the signatures of a PDF, gathered with pyHanko.

This module parses *untrusted* bytes. Its entry point, :func:`analyse_pdf`, takes
plain values (bytes, lists of DER blobs, flags) and returns a plain, JSON-serialisable
dict, so that it can run in the sandbox subprocess (:mod:`signing.sandbox`). It passes
no judgment: the verdict is computed from these facts in :mod:`signing.validation`.
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import (
    EmbeddedPdfSignature,
    SignatureCoverageLevel,
    validate_pdf_signature,
    validate_pdf_timestamp,
)
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

from signing.pdf_fields import FilledField, field_facts
from signing.validation_coverage import signed_range_end, uncovered_tail
from signing.vntime import VN_TZ

COVERAGE_NAMES = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire_file",
    SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
}
MODIFICATION_NAMES = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "none",
    ModificationLevel.FORM_FILLING: "form_filling",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}
DOCMDP_NAMES = {1: "no_changes", 2: "fill_forms", 3: "annotate"}


def vn_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Vietnam time (+07:00), seconds precision."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()


@dataclass
class _Inputs:
    trust_roots: list[x509.Certificate]
    crls: list[bytes]
    ocsps: list[bytes]
    allow_fetching: bool
    cache_dir: str | None = None
    dss_certs: list[x509.Certificate] = field(default_factory=list)
    dss_crls: list[Any] = field(default_factory=list)
    dss_ocsps: list[Any] = field(default_factory=list)

    _contexts: dict[tuple[str, datetime | None], ValidationContext] = field(
        default_factory=dict)

    def context(self, mode: str, moment: datetime | None = None) -> ValidationContext:
        """One context per revocation mode (and validation time) for the whole document, so
        that validated paths and parsed revocation data are shared by its signatures (built
        after the DSS load). Online fetching goes through the revocation cache."""
        key = (mode, moment)
        if key not in self._contexts:
            fetchers = None
            if self.allow_fetching:
                from pathlib import Path

                from signing.revocation import online_fetchers, shared_cache

                folder = Path(self.cache_dir) if self.cache_dir else None
                fetchers = online_fetchers(shared_cache(folder))
            self._contexts[key] = ValidationContext(
                trust_roots=list(self.trust_roots),
                other_certs=list(self.dss_certs),
                crls=[*self.crls, *self.dss_crls],
                ocsps=[*self.ocsps, *self.dss_ocsps],
                allow_fetching=self.allow_fetching,
                fetchers=fetchers,
                revocation_mode=mode,
                moment=moment,
                # at a past moment: later revocation data speaks for it; now: an answer
                # produced while it was being fetched is current, not "too recent"
                retroactive_revinfo=True,
            )
        return self._contexts[key]


def _certificate_facts(cert: x509.Certificate) -> dict[str, Any]:
    subject = cert.subject.native
    issuer = cert.issuer.native

    def first(value: Any) -> str | None:
        if isinstance(value, list):
            value = value[0] if value else None
        return str(value) if value is not None else None

    return {
        "signer": first(subject.get("common_name")) or cert.subject.human_friendly,
        "title": first(subject.get("title")),
        "organizational_unit": first(subject.get("organizational_unit_name")),
        "organization": first(subject.get("organization_name")),
        "issuer": cert.issuer.human_friendly,
        "issuer_organization": first(issuer.get("organization_name")),
        "issuer_cn": first(issuer.get("common_name")),
        "serial": format(cert.serial_number, "X"),
        "self_signed": cert.self_signed in ("maybe", "yes"),
    }


def _chain(embedded: EmbeddedPdfSignature, path: Any) -> list[str]:
    if path is not None:
        return [c.subject.human_friendly for c in reversed(list(path))]
    cert = embedded.signer_cert
    pool = {c.subject.dump(): c for c in embedded.other_embedded_certs}
    chain = [cert.subject.human_friendly]
    while cert.issuer.dump() in pool and len(chain) < 10 and not cert.self_signed:
        cert = pool.pop(cert.issuer.dump())
        chain.append(cert.subject.human_friendly)
    return chain


_quiet: contextvars.ContextVar[bool] = contextvars.ContextVar("quiet", default=False)


class _QuietFilter(logging.Filter):
    """Drops pyHanko's error tracebacks for the expected failures of the strict check."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _quiet.get()


logging.getLogger("pyhanko.sign.validation.generic_cms").addFilter(_QuietFilter())


def _validate_signature(embedded: EmbeddedPdfSignature, inputs: _Inputs) -> tuple[Any, str]:
    """Validate once with revocation required; only when that is not conclusive, again with
    soft-fail to tell an untrusted chain from unknown revocation. Returns (status, state)
    where state is `revoked`, `good` (checked with data for the whole path) or `unknown`."""
    soft = inputs.context("soft-fail")
    token = _quiet.set(True)
    try:
        strict = validate_pdf_signature(embedded, inputs.context("require"), soft)
    finally:
        _quiet.reset(token)
    if strict.trusted and not strict.revoked:
        return strict, "good"
    at_timestamp = _validate_at_timestamp(embedded, strict, inputs)
    if at_timestamp is not None:
        return at_timestamp, "good"
    if strict.revoked:
        return strict, "revoked"
    status = validate_pdf_signature(embedded, soft, soft)
    return status, "revoked" if status.revoked else "unknown"


def _validate_at_timestamp(embedded: EmbeddedPdfSignature, now: Any, inputs: _Inputs) -> Any:
    """Long-term validation: a signature whose trusted timestamp proves it existed at time T
    is checked as of T (revocation data issued later may be used for T; a revocation dated
    after T does not count, one dated before does). None when that does not make it good."""
    ts = now.timestamp_validity
    if ts is None or not (ts.intact and ts.valid and ts.trusted) or ts.timestamp is None:
        return None
    moment = ts.timestamp
    token = _quiet.set(True)
    try:
        status = validate_pdf_signature(embedded, inputs.context("require", moment),
                                        inputs.context("soft-fail"))
    finally:
        _quiet.reset(token)
    return status if status.trusted and not status.revoked else None


WEAK_DIGESTS = {"md2": "MD2", "md5": "MD5", "sha1": "SHA-1"}


def _algorithm_facts(embedded: EmbeddedPdfSignature, trust_problem: str | None) -> dict:
    """Digest and signature algorithms, and ``weak_algorithm``: the display name of a
    broken algorithm (SHA-1, MD5), or "crypto_constraints" when pyHanko's algorithm
    policy refused something else (e.g. a short key)."""
    digest = str(embedded.md_algorithm or "").lower()
    try:
        mechanism = str(embedded.signer_info["signature_algorithm"]["algorithm"].native).lower()
    except (KeyError, ValueError, TypeError):
        mechanism = ""
    weak = WEAK_DIGESTS.get(digest) or next(
        (name for key, name in WEAK_DIGESTS.items() if mechanism.startswith(key + "_")), None)
    if weak is None and trust_problem and "CRYPTO_CONSTRAINTS" in trust_problem:
        weak = "crypto_constraints"
    return {"digest_algorithm": digest, "signature_algorithm": mechanism,
            "weak_algorithm": weak}


def _signature_facts(filled: FilledField, reader: PdfFileReader, inputs: _Inputs) -> dict:
    facts: dict[str, Any] = {"field": filled.name, "error": None}
    embedded = EmbeddedPdfSignature(reader, filled.field, filled.name)
    facts["signed_revision"] = embedded.signed_revision
    facts["signed_end"] = signed_range_end(embedded.byte_range)
    facts["kind"] = "timestamp" if embedded.sig_object_type == "/DocTimeStamp" else "signature"
    context = inputs.context("soft-fail")
    status: Any
    if facts["kind"] == "timestamp":
        status = validate_pdf_timestamp(embedded, context)
        facts["signing_time"] = vn_iso(status.timestamp)
        facts["timestamp"] = vn_iso(status.timestamp)
        facts["timestamp_ok"] = status.intact and status.valid and status.trusted
        facts["revocation"] = "revoked" if status.revoked else "good"
    else:
        status, revocation = _validate_signature(embedded, inputs)
        facts["signing_time"] = vn_iso(status.signer_reported_dt)
        ts = status.timestamp_validity
        facts["timestamp"] = vn_iso(ts.timestamp) if ts is not None else None
        facts["timestamp_ok"] = None if ts is None else bool(ts.intact and ts.valid and ts.trusted)
        if facts["timestamp"] and not facts["signing_time"]:
            facts["signing_time"] = facts["timestamp"]
        facts["revocation"] = revocation
    facts.update(_certificate_facts(status.signing_cert))
    facts["intact"] = bool(status.intact and status.valid)
    facts["trusted"] = bool(status.trusted)
    facts["trust_problem"] = str(status.trust_problem_indic) if status.trust_problem_indic else None
    facts.update(_algorithm_facts(embedded, facts["trust_problem"]))
    facts["chain"] = _chain(embedded, status.validation_path)
    facts["coverage"] = COVERAGE_NAMES.get(status.coverage, "partial")
    level = status.modification_level
    facts["modification_level"] = MODIFICATION_NAMES.get(level, "other") if level else "other"
    facts["docmdp_ok"] = status.docmdp_ok
    perm = embedded.docmdp_level
    facts["docmdp"] = DOCMDP_NAMES.get(int(perm.value)) if perm is not None else None
    facts["certification"] = bool(
        facts["kind"] == "signature" and embedded.sig_object.get("/Reference") is not None
        and perm is not None
    )
    return facts



def split_anchors(
    certs: list[x509.Certificate],
) -> tuple[list[x509.Certificate], list[x509.Certificate]]:
    """Self-signed certificates are the anchors; CA certificates they issued that sit in
    the same trust folder only help path building. (Trusting an intermediate directly
    makes pyHanko's strict revocation check fail to find the CRL issuer's chain.)
    A configuration with no self-signed certificate keeps all of them as anchors."""
    roots = [c for c in certs if c.self_signed in ("maybe", "yes")]
    if not roots:
        return certs, []
    return roots, [c for c in certs if c.self_signed not in ("maybe", "yes")]


def _load_dss(reader: PdfFileReader, inputs: _Inputs) -> None:
    """Certificates, CRLs and OCSP responses embedded for B-LT; a broken DSS raises."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return
    inputs.dss_certs.extend(dss.load_certs())
    for ref in dss.crls:
        inputs.dss_crls.append(asn1_crl.CertificateList.load(ref.get_object().data))
    for ref in dss.ocsps:
        inputs.dss_ocsps.append(asn1_ocsp.OCSPResponse.load(ref.get_object().data))


def analyse_pdf(
    data: bytes,
    trust_roots: list[bytes],
    crls: list[bytes],
    ocsps: list[bytes],
    allow_fetching: bool,
    cache_dir: str | None = None,
) -> dict[str, Any]:
    """Gather the facts about every filled signature field of ``data``.

    ``allow_fetching``: ask OCSP responders then CRL distribution points online, through
    the revocation cache in ``cache_dir`` (:mod:`signing.revocation`).

    Returns ``{"error": str|None, "field_count": n, "signatures": [...],
    "trailing_bytes": n}``. Per-signature failures are recorded in the
    signature's ``error`` entry; a file that cannot be parsed sets ``error``.
    """
    result, reader, fields = field_facts(data)
    if result["error"] is not None or not fields:
        return result  # nothing to verify: the trust material is not even parsed
    anchors, intermediates = split_anchors([x509.Certificate.load(der) for der in trust_roots])
    inputs = _Inputs(anchors, list(crls), list(ocsps), allow_fetching, cache_dir)
    inputs.dss_certs.extend(intermediates)
    try:
        _load_dss(reader, inputs)
    except Exception as exc:  # any parse failure means an invalid file
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        return result
    for filled in fields:
        try:
            facts = _signature_facts(filled, reader, inputs)
        except Exception as exc:  # a signature we cannot check is invalid
            facts = {"field": filled.name, "error": f"{type(exc).__name__}: {exc}"[:500]}
        result["signatures"].append(facts)
    result["signatures"].sort(key=lambda f: (f.get("signed_revision", 10**9), f["field"]))
    ends = [f for f in result["signatures"] if isinstance(f.get("signed_end"), int)]
    if ends:
        last = max(ends, key=lambda f: f["signed_end"])
        try:
            result["uncovered_tail"] = uncovered_tail(data, reader, last["signed_end"],
                                                      last["signed_revision"])
        except Exception as exc:  # a tail we cannot account for is not covered
            result["uncovered_tail"] = f"{type(exc).__name__}: {exc}"[:500]
    return result
