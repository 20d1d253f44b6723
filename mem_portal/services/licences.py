"""我的证照: the logged-in holder's electronic licences, their face and their file.

A holder only ever reaches their own certificates; anyone else's is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import Row
from sqlalchemy.orm import Session

from shared.accounts.models import Account
from shared.certificates import certificates_of, get_certificate
from shared.errors import NotEligible, NotFound
from shared.models import Certificate
from shared.ofd import OFD_MEDIA_TYPE, render_face_svg, render_licence_ofd
from shared.ofd.sm2 import SealKey
from shared.rules import e_licence_eligibility

LICENCE_TYPE = "特种作业操作证"
LICENCE_TYPE_NAME = "中华人民共和国特种作业操作证"
OLD_VERSION_ADVICE = ("特种作业操作证电子证照系统仅支持新版特种作业操作证，不支持旧版特种作业操作证。"
                      "旧版特种作业操作证在有效期内可继续使用，经复审合格换发新版特种作业操作证后，"
                      "再通过上述途径查看、下载。")
NOTHING_FOUND = ("未查询到您的特种作业操作证电子证照。持有有效期内新版特种作业操作证的从业人员"
                 "（煤矿除外）均可申领；煤矿特种作业操作证持证人员于2022年1月1日后申领。")
READER_HINT = ("下载文件为OFD格式，如无法打开，请使用专用阅读器：PC电脑端可下载“数科OFD阅读器”打开，"
               "手机端可使用“QQ浏览器”打开。")


@dataclass(frozen=True)
class Guidance:
    """Why a certificate of the holder has no electronic licence, and what to do."""

    reason: str
    message: str
    category: str | None = None
    item: str | None = None

    def to_json(self) -> dict:
        """Return the guidance as the API answers it."""
        return {"reason": self.reason, "message": self.message,
                "category": self.category, "item": self.item}


@dataclass(frozen=True)
class Reason:
    """One reason, said once, and the certificates ("作业类别 / 操作项目") it applies to."""

    message: str
    certificates: tuple[str, ...]


@dataclass(frozen=True)
class MyLicences:
    licences: list[Row]        # rows of the certificates' columns (shared.certificates_of)
    guidance: list[Guidance]   # one a certificate without an e-licence (the API's list)

    @property
    def reasons(self) -> list[Reason]:
        """The FAQ box's lines: each reason once, in first-seen order, naming its certificates."""
        named: dict[str, list[str]] = {}
        for item in self.guidance:
            names = named.setdefault(item.message, [])
            if item.item:
                names.append(f"{item.category} / {item.item}")
        return [Reason(message, tuple(names)) for message, names in named.items()]


def my_licences(session: Session, now: datetime, account: Account, *,
                listed: bool = False) -> MyLicences:
    """List the holder's certificates that have an e-licence at `now`, and why others do not;
    `listed`: only the columns the page shows (shared.certificates.LISTED_FIELDS)."""
    licences, guidance = [], []
    for cert in certificates_of(session, account.id_number, listed=listed):
        verdict = e_licence_eligibility(cert, now)
        if verdict.eligible:
            licences.append(cert)
            continue
        message = OLD_VERSION_ADVICE if verdict.reason == "old_version" else verdict.message
        guidance.append(Guidance(verdict.reason, message, cert.category, cert.item))
    if not licences and not guidance:
        guidance.append(Guidance("no_certificate", NOTHING_FOUND))
    return MyLicences(licences, guidance)


def my_licence(session: Session, now: datetime, account: Account, key: str) -> Certificate:
    """Return one e-licence of the holder by key or 证照标识; another holder's is not found."""
    try:
        cert = get_certificate(session, key)
    except NotFound:
        cert = None
    if cert is None or cert.holder_id_number != account.id_number:
        raise NotFound("licence", "未找到该电子证照")
    verdict = e_licence_eligibility(cert, now)
    if not verdict.eligible:
        raise NotEligible("licence", verdict.message or "该证书无电子证照")
    return cert


def face_rows(cert: Certificate) -> list[tuple[str, str]]:
    """Return the licence face as (label, value) rows, in the order the licence prints them."""
    return [
        ("证照类型名称", LICENCE_TYPE_NAME),
        ("持证主体", cert.holder_name),
        ("性别", cert.sex),
        ("证照编号", cert.cert_number),
        ("证照颁发日期", cert.issued_on.isoformat()),
        ("档案编码", cert.archive_code),
        ("作业类别", cert.category),
        ("操作项目", cert.item),
        ("初领日期", cert.first_issued_on.isoformat()),
        ("有效期限", f"{cert.valid_from.isoformat()} 至 {cert.valid_to.isoformat()}"),
        ("应复审日期", cert.review_due_on.isoformat() if cert.review_due_on else "—"),
        ("复审日期", cert.review_passed_on.isoformat() if cert.review_passed_on else "—"),
        ("签发机关", cert.authority),
        ("证照标识", cert.licence_id),
    ]


def verify_path(cert: Certificate) -> str:
    """Return the path of the public verification page the licence's QR code points to."""
    return f"/verify/{quote(cert.licence_id, safe='')}"


def download_name(cert: Certificate) -> str:
    """Return the file name of the OFD, e.g. 特种作业操作证_低压电工作业_张三.ofd."""
    return f"{LICENCE_TYPE}_{cert.item}_{cert.holder_name}.ofd"


def download_headers(cert: Certificate) -> dict[str, str]:
    """Return the OFD media type and an attachment name (ASCII fallback + RFC 5987 UTF-8)."""
    utf8_name = quote(download_name(cert), safe="")
    return {"Content-Type": OFD_MEDIA_TYPE,
            "Content-Disposition": f"attachment; filename=\"licence-{cert.certificate_key}.ofd\"; "
                                   f"filename*=UTF-8''{utf8_name}"}


def render_licence_file(cert: Certificate, generated_at: datetime, verify_url: str,
                        seal: SealKey) -> bytes:
    """Render the holder's e-licence as an OFD file sealed with `seal`."""
    return render_licence_ofd(cert, generated_at=generated_at, verify_url=verify_url, seal=seal)


def render_face_picture(cert: Certificate, verify_url: str) -> str:
    """Return the licence face as SVG markup (with its verification QR code)."""
    return render_face_svg(cert, verify_url=verify_url)
