"""What the licence says: its face rows and its e-licence metadata, and the SVG preview.

`face_rows` and `licence_metadata` feed both renderers (the OFD file and the browser
preview) and the machine-readable parts of the file (DocInfo CustomDatas, custom tags).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from shared.identifiers import parse_licence_id
from shared.ofd import layout
from shared.ofd.qr import qr_data_uri, qr_png
from shared.ofd.shapes import HEI, SVG_OPERATORS, Image, Path, Run, Text, mm, path_data, runs

LICENCE_NAME = "特种作业操作证"
HOLDER_ID_TYPE = "公民身份号码"
HOLDER_ID_TYPE_CODE = "111"
REVIEW_RESULTS = {"pass": "合格", "fail": "不合格"}
SVG_FONTS = {
    "宋体": "SimSun, 'Songti SC', 'Noto Serif CJK SC', 'WenQuanYi Zen Hei', serif",
    HEI: "SimHei, 'Heiti SC', 'Noto Sans CJK SC', 'WenQuanYi Zen Hei', sans-serif",
}


@dataclass(frozen=True)
class FaceRow:
    """One labelled field printed on the licence; `code` names it in the custom tags."""

    code: str
    label: str
    value: str


@dataclass(frozen=True)
class MetadataItem:
    """One e-licence metadata item (GB/T 36903 style): pinyin-initial code, name, value."""

    code: str
    name: str
    value: str


def _day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def review_records(licence) -> list[tuple[str, str]]:
    """Return (date, result) of each review, from a ministry certificate or a replicated copy."""
    records = getattr(licence, "reviews", None)
    if records is None:
        payload = getattr(licence, "payload", None) or {}
        records = payload.get("reviews", payload.get("licence", {}).get("reviews", []))
    rows = []
    for record in records:
        if isinstance(record, dict):
            day, result = str(record["reviewed_on"]), record["result"]
        else:
            day, result = record.reviewed_on.isoformat(), record.result
        rows.append((day, REVIEW_RESULTS.get(result, result)))
    return rows


def face_rows(licence) -> list[FaceRow]:
    """Return the labelled fields of the licence face, in print order."""
    reviews = "；".join(f"{day} {result}" for day, result in review_records(licence)) or "无"
    return [
        FaceRow("KZ_XM", "姓名", licence.holder_name),
        FaceRow("KZ_XB", "性别", licence.sex),
        FaceRow("KZ_ZH", "证号", licence.cert_number),
        FaceRow("KZ_ZYLB", "作业类别", licence.category),
        FaceRow("KZ_CZXM", "操作项目", licence.item),
        FaceRow("KZ_CLRQ", "初领日期", _day(licence.first_issued_on)),
        FaceRow("KZ_YXQX", "有效期限", f"{_day(licence.valid_from)} 至 {_day(licence.valid_to)}"),
        FaceRow("KZ_QFJG", "签发机关", licence.authority),
        FaceRow("KZ_DABM", "档案编码", licence.archive_code),
        FaceRow("KZ_YFSRQ", "应复审日期", _day(licence.review_due_on)),
        FaceRow("KZ_FSJL", "复审记录", reviews),
    ]


def licence_metadata(licence) -> list[MetadataItem]:
    """Return the e-licence metadata a machine reads back from the file."""
    parsed = parse_licence_id(licence.licence_id)
    return [MetadataItem(code, name, value) for code, name, value in (
        ("ZZMC", "证照名称", LICENCE_NAME),
        ("ZZLXDM", "证照类型代码", parsed.type_code),
        ("ZZBS", "证照标识", licence.licence_id),
        ("ZZBH", "证照编号", licence.cert_number),
        ("ZZBBH", "证照版本号", f"{parsed.version:03d}"),
        ("CZZT", "持证主体", licence.holder_name),
        ("CZZTDM", "持证主体代码", licence.holder_id_number),
        ("CZZTDMLX", "持证主体代码类型", HOLDER_ID_TYPE),
        ("CZZTDMLXDM", "持证主体代码类型代码", HOLDER_ID_TYPE_CODE),
        ("ZZBFJG", "证照颁发机构", licence.authority),
        ("ZZBFJGDM", "证照颁发机构代码", licence.authority_code),
        ("ZZBFRQ", "证照颁发日期", licence.issued_on.isoformat()),
        ("ZZYXQQSRQ", "证照有效期起始日期", licence.valid_from.isoformat()),
        ("ZZYXQJZRQ", "证照有效期截止日期", licence.valid_to.isoformat()),
        ("ZZSSGXSDBM", "证照所属管辖属地编码", licence.region_code),
    )]


def render_face_svg(licence, *, verify_url: str) -> str:
    """Return the licence face as a standalone SVG (mm units), the QR as a data URI."""
    shapes = layout.draw_face(face_rows(licence), licence.authority, qr_png(verify_url),
                              footer=f"证照标识：{licence.licence_id}",
                              note="在线预览，不作为正式证照文件")
    width, height = layout.PAGE_WIDTH, layout.PAGE_HEIGHT
    body = "".join(_svg_shape(shape, verify_url) for shape in shapes)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
            f'viewBox="0 0 {width} {height}" role="img" '
            f'aria-label={quoteattr(LICENCE_NAME + "：" + licence.holder_name)}>{body}</svg>')


def _svg_shape(shape, verify_url: str) -> str:
    if isinstance(shape, Text):
        spans = "".join(_svg_run(shape, run) for run in runs(shape.text, shape.size))
        return (f'<text y="{shape.y}" font-size="{shape.size}" '
                f'font-family="{SVG_FONTS[shape.font]}" fill="rgb{shape.color}">{spans}</text>')
    if isinstance(shape, Image):
        x, y, w, h = shape.box
        return (f'<image x="{x}" y="{y}" width="{w}" height="{h}" '
                f'style="image-rendering:pixelated" href="{qr_data_uri(verify_url)}"/>')
    return _svg_path(shape)


def _svg_run(text: Text, run: Run) -> str:
    """A run where the OFD puts it: wide characters one by one, a narrow run from its start."""
    start = text.x + run.offset
    xs = [start + i * text.size for i in range(len(run.text))] if run.wide else [start]
    return f'<tspan x="{" ".join(mm(x) for x in xs)}">{escape(run.text)}</tspan>'


def _svg_path(shape: Path) -> str:
    x, y, _, _ = shape.box
    stroke = f"rgb{shape.stroke}" if shape.stroke else "none"
    fill = f"rgb{shape.fill}" if shape.fill else "none"
    return (f'<path transform="translate({x} {y})" d="{path_data(shape.ops, SVG_OPERATORS)}" '
            f'stroke="{stroke}" stroke-width="{shape.line_width}" fill="{fill}"/>')
