"""Validation of signed PDFs: a report per signature and one verdict, in Vietnamese.

Public API::

    roots = load_trust_roots([Path("keys/trust")])
    report = validate_pdf(data, trust_roots=roots, crls=[crl_der])
    report.verdict, report.reasons, report.to_dict()
    extract_signer_info(report)  # pre-fill an incoming registration

Untrusted bytes are parsed in a sandbox subprocess (512 MB, 10 s); the verdict is
computed in the calling process from the plain facts the child returns. See
:mod:`signing.validation_reasons` for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import pem
from cryptography import x509 as cx509
from cryptography.hazmat.primitives.serialization import Encoding

from signing.sandbox import SandboxError, SandboxMemoryError, SandboxTimeout, run_sandboxed
from signing.validation_core import analyse_pdf
from signing.validation_reasons import (
    INDETERMINATE,
    INVALID,
    NEEDS_REVIEW,
    UNSIGNED,
    VALID,
    VERDICT_LABELS,
    judge,
)

__all__ = [
    "INDETERMINATE", "INVALID", "NEEDS_REVIEW", "UNSIGNED", "VALID", "VERDICT_LABELS",
    "SignatureReport", "ValidationReport", "extract_signer_info", "load_trust_roots",
    "validate_pdf",
]

CertLike = cx509.Certificate | bytes | Any


@dataclass(frozen=True)
class SignatureReport:
    """What validation found about one filled signature field."""

    field_name: str
    signer: str | None = None
    chain: list[str] = field(default_factory=list)
    trusted: bool = False
    intact: bool = False
    coverage: str = "partial"
    modification_level: str = "other"
    signing_time: str | None = None
    timestamp: str | None = None
    revocation: str = "unknown"
    docmdp: str | None = None
    kind: str = "signature"
    title: str | None = None
    organizational_unit: str | None = None
    organization: str | None = None
    issuer_organization: str | None = None
    error: str | None = None

    @classmethod
    def from_facts(cls, facts: dict[str, Any]) -> SignatureReport:
        return cls(
            field_name=str(facts.get("field", "")),
            signer=facts.get("signer"),
            chain=list(facts.get("chain") or []),
            trusted=bool(facts.get("trusted")),
            intact=bool(facts.get("intact")),
            coverage=facts.get("coverage") or "partial",
            modification_level=facts.get("modification_level") or "other",
            signing_time=facts.get("signing_time"),
            timestamp=facts.get("timestamp"),
            revocation=facts.get("revocation") or "unknown",
            docmdp=facts.get("docmdp"),
            kind=facts.get("kind") or "signature",
            title=facts.get("title"),
            organizational_unit=facts.get("organizational_unit"),
            organization=facts.get("organization"),
            issuer_organization=facts.get("issuer_organization") or facts.get("issuer_cn"),
            error=facts.get("error"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field_name,
            "kind": self.kind,
            "signer": self.signer,
            "chain": list(self.chain),
            "intact": self.intact,
            "trusted": self.trusted,
            "coverage": self.coverage,
            "modification_level": self.modification_level,
            "signing_time": self.signing_time,
            "timestamp": self.timestamp,
            "revocation": self.revocation,
            "docmdp": self.docmdp,
        }


@dataclass(frozen=True)
class ValidationReport:
    """The signatures of a document and one verdict with Vietnamese reasons."""

    verdict: str
    signatures: list[SignatureReport] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The verdict in Vietnamese (hợp lệ, không hợp lệ, …)."""
        return VERDICT_LABELS[self.verdict]

    @property
    def valid(self) -> bool:
        return self.verdict == VALID

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "label": self.label,
            "signatures": [s.to_dict() for s in self.signatures],
            "reasons": list(self.reasons),
        }


def _der(cert: CertLike) -> bytes:
    if isinstance(cert, cx509.Certificate):
        return cert.public_bytes(Encoding.DER)
    if isinstance(cert, bytes | bytearray):
        raw = bytes(cert)
        if raw.lstrip().startswith(b"-----BEGIN"):
            return cx509.load_pem_x509_certificate(raw).public_bytes(Encoding.DER)
        return raw
    dump = getattr(cert, "dump", None)  # asn1crypto certificate
    if callable(dump):
        return bytes(dump())
    raise TypeError(f"not a certificate: {type(cert).__name__}")


def _blob(data: Any) -> bytes:
    """DER bytes of a CRL / OCSP response given as DER, PEM or an asn1crypto object."""
    dump = getattr(data, "dump", None)
    raw = bytes(dump()) if callable(dump) else bytes(data)
    if pem.detect(raw):
        return bytes(pem.unarmor(raw)[2])
    return raw


def load_trust_roots(paths: Iterable[Path]) -> list[cx509.Certificate]:
    """Certificates from PEM files or folders of PEM files (``*.pem``, ``*.crt``, ``*.cer``).

    A file may hold several certificates; a missing path raises ``FileNotFoundError``.
    """
    roots: list[cx509.Certificate] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files = sorted(p for p in path.iterdir()
                           if p.suffix.lower() in {".pem", ".crt", ".cer"} and p.is_file())
        elif path.exists():
            files = [path]
        else:
            raise FileNotFoundError(f"Không tìm thấy chứng thư gốc: {path}")
        for file in files:
            raw = file.read_bytes()
            if b"-----BEGIN CERTIFICATE-----" in raw:
                roots.extend(cx509.load_pem_x509_certificates(raw))
            else:
                roots.append(cx509.load_der_x509_certificate(raw))
    return roots


def report_from_facts(facts: dict[str, Any]) -> ValidationReport:
    """Build the report (and verdict) from the plain dict ``analyse_pdf`` returns."""
    verdict, reasons = judge(facts)
    signatures = [SignatureReport.from_facts(f) for f in facts.get("signatures", [])]
    return ValidationReport(verdict, signatures, reasons)


def validate_pdf(
    data: bytes,
    *,
    trust_roots: Sequence[CertLike],
    crls: Iterable[Any] = (),
    ocsp: Iterable[Any] = (),
    allow_fetching: bool = False,
    revocation_cache: Path | None = None,
    sandbox: bool = True,
) -> ValidationReport:
    """Validate every signature of ``data``; never raises for a bad file.

    ``trust_roots``: cryptography or asn1crypto certificates, or PEM/DER bytes.
    ``crls`` / ``ocsp``: DER bytes (or asn1crypto objects) of CRLs and OCSP responses.
    ``allow_fetching``: OCSP then CRL online, cached in ``revocation_cache`` (a folder).
    ``sandbox=False`` parses in-process (only for files this system produced itself).
    """
    args = (bytes(data), [_der(c) for c in trust_roots], [_blob(c) for c in crls],
            [_blob(o) for o in ocsp], bool(allow_fetching),
            str(revocation_cache) if revocation_cache is not None else None)
    try:
        facts = run_sandboxed(analyse_pdf, *args) if sandbox else analyse_pdf(*args)
    except SandboxTimeout:
        return ValidationReport(INVALID, [], ["Kiểm tra tệp quá thời gian cho phép: "
                                              "tệp có cấu trúc bất thường"])
    except SandboxMemoryError:
        return ValidationReport(INVALID, [], ["Kiểm tra tệp vượt giới hạn bộ nhớ: "
                                              "tệp có cấu trúc bất thường"])
    except SandboxError:
        return ValidationReport(INVALID, [], ["Không kiểm tra được tệp: tệp bị hỏng "
                                              "hoặc có cấu trúc bất thường"])
    except Exception:  # in-process mode: any failure on a malformed file means invalid
        return ValidationReport(INVALID, [], ["Không đọc được tệp PDF: tệp bị hỏng "
                                              "hoặc có cấu trúc bất thường"])
    if not isinstance(facts, dict):
        return ValidationReport(INVALID, [], ["Không kiểm tra được tệp"])
    return report_from_facts(facts)


def extract_signer_info(report: ValidationReport) -> dict[str, str | None]:
    """Signer name, position and issuing organisation of the first signature.

    Used to pre-fill an incoming registration: ``{"signer_name", "position",
    "issuer_org"}`` (position from the certificate's title or OU; ``None`` when
    absent). The agency seal (no title, CN = organisation) fills ``issuer_org``.
    """
    people = [s for s in report.signatures if s.kind == "signature" and s.signer]
    info: dict[str, str | None] = {"signer_name": None, "position": None, "issuer_org": None}
    if not people:
        return info
    first = people[0]
    info["signer_name"] = first.signer
    info["position"] = first.title or first.organizational_unit
    # The agency seal's certificate names the issuing organisation (CN = agency name).
    seals = [s for s in people[1:] if not s.title and s.organization == s.signer]
    info["issuer_org"] = (first.organization or (seals[0].signer if seals else None)
                          or first.issuer_organization)
    return info
