"""A fixed sample licence for the golden test, the benchmark and the docs (no database)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from shared.authorities import DEFAULT_TYPE_CODE
from shared.clock import SHANGHAI
from shared.identifiers import make_licence_id

SAMPLE_AUTHORITY_CODE = "11100000MB0143553R"
SAMPLE_GENERATED_AT = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
SAMPLE_PUBLIC_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class Review:
    reviewed_on: date
    result: str


@dataclass(frozen=True)
class SampleLicence:
    """The `shared.models.LicenceFace` attributes plus review records, as plain data."""

    certificate_key: str = "20230000000001"
    licence_version: int = 1
    revision: int = 2
    holder_name: str = "张三"
    holder_id_number: str = "110101199003070011"
    sex: str = "男"
    cert_number: str = "110101199003070011"
    category: str = "电工作业"
    item: str = "低压电工作业"
    first_issued_on: date = date(2023, 3, 15)
    issued_on: date = date(2023, 3, 15)
    valid_from: date = date(2023, 3, 15)
    valid_to: date = date(2029, 3, 15)
    review_due_on: date | None = date(2026, 3, 15)
    review_passed_on: date | None = date(2026, 2, 10)
    authority: str = "北京市应急管理局"
    authority_code: str = SAMPLE_AUTHORITY_CODE
    region_code: str = "110000"
    archive_code: str = "110000202300000001"
    card_version: str = "new"
    status: str = "valid"
    status_reason: str | None = None
    rule_set: str = "order30"
    reviews: tuple[Review, ...] = field(default=(Review(date(2026, 2, 10), "pass"),))

    @property
    def licence_id(self) -> str:
        return make_licence_id(DEFAULT_TYPE_CODE, self.authority_code, self.certificate_key,
                               self.licence_version)


def sample_licence(**changes) -> SampleLicence:
    """Return the sample licence with some fields changed."""
    return replace(SampleLicence(), **changes)


def sample_verify_url(licence) -> str:
    return f"{SAMPLE_PUBLIC_URL}/verify/{licence.licence_id}"
