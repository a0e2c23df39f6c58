"""The verdict of a validation, computed from the raw facts of :mod:`validation_core`.

Decisions (beyond pyHanko's bottom line):

* any parse error, any filled signature field that cannot be validated, a broken
  signature, a revoked certificate, a broken timestamp → ``invalid``;
* the last signature must cover the entire file (or only be followed by signature
  maintenance updates: DSS / document timestamps); byte-exact: anything but whitespace
  after its signed range that is not a complete later revision (see
  :mod:`signing.validation_coverage`) → ``invalid``; bytes after the last ``%%EOF``
  → ``invalid``; a signature with non-standard coverage → ``invalid``;
* modifications after signing: form filling and signing are fine; ``annotations``
  (allowed by the DocMDP policy) → ``needs_review``; ``other`` (e.g. page content
  changed) → ``invalid``; anything the certification signature forbids → ``invalid``;
* a weak algorithm (SHA-1, MD5, or anything pyHanko's algorithm policy refuses)
  → ``invalid``, with a reason naming it (not a misleading chain reason);
* unknown trust anchor or revocation status that could not be established (offline,
  no data) → ``indeterminate``.

Precedence: invalid > indeterminate > needs_review > valid.
"""

from __future__ import annotations

from typing import Any

VALID = "valid"
INVALID = "invalid"
INDETERMINATE = "indeterminate"
NEEDS_REVIEW = "needs_review"
UNSIGNED = "unsigned"

VERDICT_LABELS = {
    VALID: "hợp lệ",
    INVALID: "không hợp lệ",
    INDETERMINATE: "chưa xác định",
    NEEDS_REVIEW: "cần xem xét",
    UNSIGNED: "không có chữ ký",
}
_RANK = {VALID: 0, NEEDS_REVIEW: 1, INDETERMINATE: 2, INVALID: 3}


class _Verdict:
    def __init__(self) -> None:
        self.level = VALID
        self.reasons: list[str] = []

    def add(self, level: str, reason: str) -> None:
        if _RANK[level] > _RANK[self.level]:
            self.level = level
        if reason not in self.reasons:
            self.reasons.append(reason)


def _who(sig: dict[str, Any]) -> str:
    return str(sig.get("signer") or sig.get("field") or "người ký")


def _judge_signature(sig: dict[str, Any], verdict: _Verdict) -> None:
    who = _who(sig)
    if sig.get("error"):
        verdict.add(INVALID, f"Không kiểm tra được chữ ký trong trường "
                             f"“{sig.get('field')}”: chữ ký bị hỏng hoặc không được hỗ trợ")
        return
    if not sig.get("intact"):
        verdict.add(INVALID, f"Chữ ký của {who} không toàn vẹn: nội dung đã bị sửa sau khi ký")
    weak = sig.get("weak_algorithm")
    if weak == "crypto_constraints":
        verdict.add(INVALID, f"Chữ ký của {who} dùng thuật toán hoặc độ dài khóa không còn "
                             f"an toàn (chính sách thuật toán không cho phép)")
    elif weak:
        verdict.add(INVALID, f"Chữ ký của {who} dùng thuật toán băm yếu {weak}, không còn an "
                             f"toàn: chữ ký không được chấp nhận")
    if sig.get("revocation") == "revoked":
        verdict.add(INVALID, f"Chứng thư của {who} đã bị thu hồi")
    elif weak:
        pass  # the chain could not be judged because of the algorithm: said above
    elif not sig.get("trusted"):
        verdict.add(INDETERMINATE, f"Không xác định được chuỗi tin cậy cho chứng thư của {who}")
    elif sig.get("revocation") != "good":
        verdict.add(INDETERMINATE, f"Không xác định được tình trạng thu hồi chứng thư của "
                                   f"{who} (không có dữ liệu CRL/OCSP)")
    if sig.get("timestamp_ok") is False:
        verdict.add(INDETERMINATE, f"Dấu thời gian trong chữ ký của {who} không được tin cậy")
    if sig.get("coverage") == "partial":
        verdict.add(INVALID, f"Chữ ký của {who} không bao phủ trọn phiên bản tài liệu đã ký")
    level = sig.get("modification_level")
    if sig.get("docmdp_ok") is False:
        verdict.add(INVALID, f"Tài liệu đã bị thay đổi sau chữ ký chứng thực của {who} "
                             f"theo cách chữ ký này không cho phép")
    if level == "other":
        verdict.add(INVALID, f"Nội dung tài liệu đã bị thay đổi sau khi {who} ký "
                             f"(không chỉ điền biểu mẫu hay ký thêm)")
    elif level == "annotations":
        verdict.add(NEEDS_REVIEW, f"Sau khi {who} ký, tài liệu được thêm chú thích: "
                                  f"cần xem xét")


def judge(facts: dict[str, Any]) -> tuple[str, list[str]]:
    """Verdict and Vietnamese reasons for the facts gathered by ``analyse_pdf``."""
    verdict = _Verdict()
    if facts.get("error"):
        verdict.add(INVALID, "Không đọc được tệp PDF: tệp bị hỏng hoặc có cấu trúc bất thường")
        return verdict.level, verdict.reasons
    signatures: list[dict[str, Any]] = facts.get("signatures", [])
    if facts.get("field_count", 0) == 0:
        if facts.get("trailing_bytes"):
            verdict.add(INVALID, "Tệp PDF có dữ liệu lạ sau dấu kết thúc %%EOF")
            return verdict.level, verdict.reasons
        return UNSIGNED, ["Tài liệu không có chữ ký số"]
    if len(signatures) != facts.get("field_count"):
        verdict.add(INVALID, "Số chữ ký tìm thấy không khớp với số trường chữ ký đã điền")
    if facts.get("trailing_bytes"):
        verdict.add(INVALID, "Tệp PDF có dữ liệu lạ sau dấu kết thúc %%EOF: "
                             "phần này không được chữ ký nào bảo vệ")
    if facts.get("uncovered_tail"):
        verdict.add(INVALID, "Tệp PDF có dữ liệu được thêm sau phần mà chữ ký cuối cùng bảo vệ "
                             "(chỉ được phép có khoảng trắng): phần này không được chữ ký nào "
                             "bảo vệ")
    for sig in signatures:
        _judge_signature(sig, verdict)
    last = signatures[-1] if signatures else None
    if last is not None and not last.get("error"):
        covered = last.get("coverage") == "entire_file" or (
            last.get("coverage") == "entire_revision"
            and last.get("modification_level") == "none"
        )
        if not covered:
            verdict.add(INVALID, f"Chữ ký cuối cùng ({_who(last)}) không bao phủ toàn bộ tệp: "
                                 f"có nội dung được thêm sau khi ký")
    return verdict.level, verdict.reasons
