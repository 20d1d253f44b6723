"""Issuing authorities and the ministry's own codes (simulated values that pass the checks).

The real MEM credit code and the 证照类型代码 of the 特种作业操作证 were not found (domain
reference §2.2, §7), so these are configuration (CERTSIM_MINISTRY_CODE, CERTSIM_TYPE_CODE, read
by the entry points); both are checked at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.errors import InvalidInput
from shared.identifiers import validate_type_code, validate_uscc

DEFAULT_MINISTRY_CODE = "11100000MB0143553R"
DEFAULT_TYPE_CODE = DEFAULT_MINISTRY_CODE + "001"


@dataclass(frozen=True)
class Authority:
    name: str
    code: str         # 18-character unified social credit code
    region_code: str  # GB/T 2260


AUTHORITIES = {
    a.name: a
    for a in (
        Authority("北京市应急管理局", "11110000MB0177810M", "110000"),
        Authority("上海市应急管理局", "11310000MB0138722W", "310000"),
        Authority("广东省应急管理厅", "11440000MB0129031M", "440000"),
        Authority("重庆市应急管理局", "11500000MB1542211J", "500000"),
        Authority("山西省应急管理厅", "11140000MB01773155", "140000"),
    )
}
DEFAULT_AUTHORITY = "北京市应急管理局"


def authority_named(name: str | None) -> Authority:
    """Return the authority with that name (the default when None), else raise InvalidInput."""
    name = name or DEFAULT_AUTHORITY
    if name not in AUTHORITIES:
        raise InvalidInput("authority", f"未知的签发机关 {name!r}，可选: {', '.join(AUTHORITIES)}")
    return AUTHORITIES[name]


def ministry_codes(code: str = DEFAULT_MINISTRY_CODE,
                   type_code: str = DEFAULT_TYPE_CODE) -> tuple[str, str]:
    """Check the ministry's credit code and the licence type code; return them."""
    code = validate_uscc(code, field="CERTSIM_MINISTRY_CODE")
    type_code = validate_type_code(type_code, field="CERTSIM_TYPE_CODE")
    if type_code[:18] != code:
        raise InvalidInput("CERTSIM_TYPE_CODE", "证照类型代码应以应急管理部的统一社会信用代码开头")
    for authority in AUTHORITIES.values():
        validate_uscc(authority.code, field=f"authority {authority.name}")
    return code, type_code
