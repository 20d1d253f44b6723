"""电子证照核验: what the ministry's records say of a licence identifier or an uploaded file.

Anyone may ask (no login): the holder is masked, the licence shown in full. A file must pass
its SM3 digests and simulated seal, and then say what the record says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.clock import SHANGHAI, Clock
from shared.errors import InvalidInput
from shared.identifiers import parse_licence_id
from shared.identity import mask_id_number, mask_name
from shared.models import Certificate
from shared.ofd import Verification, licence_metadata, verify_ofd
from shared.ofd.sm2 import SealKey
from shared.rules import STATUS_LABELS, effective_status

SUPERSEDED = "superseded"
VERDICTS = {
    "valid": "该电子证照真实有效",
    "expired": "该电子证照真实，但已超过有效期限",
    "invalid": "该电子证照真实，但已失效",
    "revoked": "该电子证照真实，但已被发证机关撤销",
    "cancelled": "该电子证照真实，但已被注销",
    SUPERSEDED: "该电子证照真实，但已换发新版本，此版本不再有效",
}
LABELS = {**STATUS_LABELS, SUPERSEDED: "已换发"}


@dataclass(frozen=True)
class LicenceCheck:
    """What the ministry's records say about a licence identifier at `checked_at`."""

    licence_id: str
    checked_at: datetime
    status: str | None = None          # None: no such licence
    rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.status is not None

    @property
    def label(self) -> str:
        return LABELS.get(self.status, "未查询到")

    @property
    def verdict(self) -> str:
        return VERDICTS.get(self.status, "未查询到该电子证照，请核对证照标识或联系发证机关")


def mask_cert_number(number: str) -> str:
    """Mask a 证号 (an ID number, "T" + ID number for the old card) like an ID number."""
    return number[0] + mask_id_number(number[1:]) if number.startswith("T") else mask_id_number(number)


def find_certificate(session: Session, licence_id: str) -> Certificate | None:
    """Find the certificate a licence identifier (of any version) belongs to."""
    cert = session.scalar(select(Certificate).where(Certificate.licence_id == licence_id))
    if cert is None:
        key = parse_licence_id(licence_id).serial
        cert = session.scalar(select(Certificate).where(Certificate.certificate_key == key))
    return cert


def check_licence(session: Session, clock: Clock, licence_id: str) -> LicenceCheck:
    """Look a licence identifier up and judge it at the clock's now."""
    now = clock.now()
    try:
        cert = find_certificate(session, licence_id)
    except InvalidInput:
        cert = None
    if cert is None:
        return LicenceCheck(licence_id, now)
    status = effective_status(cert, now.astimezone(SHANGHAI).date())
    if cert.licence_id != licence_id:
        status = SUPERSEDED
    return LicenceCheck(licence_id, now, status, public_rows(cert))


def public_rows(cert: Certificate) -> list[tuple[str, str]]:
    """Return what anyone may see of a licence: the holder masked, the licence in full."""
    return [
        ("持证人", mask_name(cert.holder_name)),
        ("性别", cert.sex),
        ("证号", mask_cert_number(cert.cert_number)),
        ("作业类别", cert.category),
        ("操作项目", cert.item),
        ("初领日期", cert.first_issued_on.isoformat()),
        ("有效期限", f"{cert.valid_from.isoformat()} 至 {cert.valid_to.isoformat()}"),
        ("应复审日期", cert.review_due_on.isoformat() if cert.review_due_on else "—"),
        ("签发机关", cert.authority),
    ]


def check_file(session: Session, clock: Clock, data: bytes,
               seal: SealKey) -> tuple[Verification, LicenceCheck | None]:
    """Verify an uploaded file's digests and seal, then look up the licence it names."""
    result = verify_ofd(data, seal=seal)
    if not result.genuine or not result.licence_id:
        return result, None
    cert = _certificate_of(session, result.licence_id)
    if cert is None:
        return replace(result, problems=("发证机关没有该证照标识的记录",)), None
    if differences := record_differences(result, cert):
        return replace(result, problems=(
            f"文件内容与发证机关的记录不符：{'、'.join(differences)}",)), None
    return result, check_licence(session, clock, result.licence_id)


def record_differences(result: Verification, cert: Certificate) -> list[str]:
    """Name what a sealed file says differently from the ministry's record of its licence.

    A seal proves who made a file, not that the maker wrote the truth: what the file shows is
    held against the record too. Fields that a later version may change (validity, reviews) are
    compared only when the file is of the current version.
    """
    same_version = cert.licence_id == result.licence_id
    shown = "".join(result.page_text.split())
    stated = {
        "持证主体": (result.metadata.get("持证主体"), cert.holder_name),
        "持证主体代码": (result.metadata.get("持证主体代码"), cert.holder_id_number),
        "证照颁发机构": (result.metadata.get("证照颁发机构"), cert.authority),
    }
    if same_version:
        stated |= {item.name: (result.metadata.get(item.name), item.value)
                   for item in licence_metadata(cert)}
    differences = [name for name, (said, recorded) in stated.items() if said != recorded]
    drawn = {"姓名": cert.holder_name, "作业类别": cert.category, "操作项目": cert.item,
             "签发机关": cert.authority}
    if same_version:
        drawn |= {"证号": cert.cert_number, "有效期限": f"{cert.valid_from}至{cert.valid_to}"}
    return differences + [label for label, value in drawn.items()
                          if "".join(value.split()) not in shown]


def _certificate_of(session: Session, licence_id: str) -> Certificate | None:
    try:
        return find_certificate(session, licence_id)
    except InvalidInput:
        return None


