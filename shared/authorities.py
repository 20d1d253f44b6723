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


# The issuers of 特种作业操作证: the 31 provincial-level emergency management departments and the
# XPCC's bureau, with their GB/T 2260 province codes (the XPCC has none in GB/T 2260: 660000 is
# the code national platforms file it under). The credit codes are simulated ("11" = a 机关
# registered by 机构编制, the region, "MB" and seven digits, the GB 32100 check character).
AUTHORITIES = {
    a.name: a
    for a in (
        Authority("北京市应急管理局", "11110000MB0177810M", "110000"),
        Authority("天津市应急管理局", "11120000MB1200810R", "120000"),
        Authority("河北省应急管理厅", "11130000MB7356900C", "130000"),
        Authority("山西省应急管理厅", "11140000MB01773155", "140000"),
        Authority("内蒙古自治区应急管理厅", "11150000MB4766899K", "150000"),
        Authority("辽宁省应急管理厅", "11210000MB01110973", "210000"),
        Authority("吉林省应急管理厅", "11220000MB02694709", "220000"),
        Authority("黑龙江省应急管理厅", "11230000MB96807901", "230000"),
        Authority("上海市应急管理局", "11310000MB0138722W", "310000"),
        Authority("江苏省应急管理厅", "11320000MB1325419J", "320000"),
        Authority("浙江省应急管理厅", "11330000MB5148662A", "330000"),
        Authority("安徽省应急管理厅", "11340000MB4476635Y", "340000"),
        Authority("福建省应急管理厅", "11350000MB4756824J", "350000"),
        Authority("江西省应急管理厅", "11360000MB0034234W", "360000"),
        Authority("山东省应急管理厅", "11370000MB71190915", "370000"),
        Authority("河南省应急管理厅", "11410000MB4557169N", "410000"),
        Authority("湖北省应急管理厅", "11420000MB76921713", "420000"),
        Authority("湖南省应急管理厅", "11430000MB77288867", "430000"),
        Authority("广东省应急管理厅", "11440000MB0129031M", "440000"),
        Authority("广西壮族自治区应急管理厅", "11450000MB7915561L", "450000"),
        Authority("海南省应急管理厅", "11460000MB8162852E", "460000"),
        Authority("重庆市应急管理局", "11500000MB1542211J", "500000"),
        Authority("四川省应急管理厅", "11510000MB2331372P", "510000"),
        Authority("贵州省应急管理厅", "11520000MB0649910E", "520000"),
        Authority("云南省应急管理厅", "11530000MB65852768", "530000"),
        Authority("西藏自治区应急管理厅", "11540000MB0095186D", "540000"),
        Authority("陕西省应急管理厅", "11610000MB1862228B", "610000"),
        Authority("甘肃省应急管理厅", "11620000MB6580533A", "620000"),
        Authority("青海省应急管理厅", "11630000MB49364302", "630000"),
        Authority("宁夏回族自治区应急管理厅", "11640000MB0984496E", "640000"),
        Authority("新疆维吾尔自治区应急管理厅", "11650000MB54977396", "650000"),
        Authority("新疆生产建设兵团应急管理局", "11660000MB16964567", "660000"),
    )
}
DEFAULT_AUTHORITY = "北京市应急管理局"


def authority_named(name: str | None) -> Authority:
    """Return the authority with that name (the default when None), else raise InvalidInput.

    The refusal suggests the province's own name (江苏省应急管理局 → 江苏省应急管理厅) and
    says where the whole list is.
    """
    name = name or DEFAULT_AUTHORITY
    if name not in AUTHORITIES:
        guess = "、".join(similar_names(name))
        raise InvalidInput("authority", f"未知的签发机关 {name!r}"
                           + (f"，是否为 {guess}" if guess else "")
                           + f"；签发机关为{len(AUTHORITIES)}个省级应急管理厅（局）之一，"
                             "写全称，全部名称见 certsim authorities")
    return AUTHORITIES[name]


def similar_names(name: str) -> list[str]:
    """Return the known names of the same province (the same first two characters)."""
    return [known for known in AUTHORITIES if known[:2] == name.strip()[:2]]


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
