"""The licence face rows and the SVG preview the browser shows."""

from __future__ import annotations

import base64

from lxml import etree

from shared.ofd.face import face_rows, licence_metadata, render_face_svg, review_records
from shared.ofd.layout import VALUE_END, VALUE_X, draw_face
from shared.ofd.qr import qr_png
from shared.ofd.samples import sample_licence, sample_verify_url
from shared.ofd.shapes import Text

SVG = "{http://www.w3.org/2000/svg}"


def test_face_rows_follow_the_new_version_card_in_print_order():
    rows = face_rows(sample_licence())
    assert [r.label for r in rows] == ["姓名", "性别", "证号", "作业类别", "操作项目", "初领日期",
                                       "有效期限", "签发机关", "档案编码", "应复审日期", "复审记录"]
    assert rows[6].value == "2023-03-15 至 2029-03-15"


def test_a_licence_without_reviews_or_review_date_shows_placeholders():
    rows = {r.label: r.value for r in face_rows(sample_licence(reviews=(), review_due_on=None))}
    assert rows["复审记录"] == "无" and rows["应复审日期"] == "—"


def test_review_records_are_read_from_a_replicated_payload_too():
    class Replicated:
        payload = {"licence": {"reviews": [{"reviewed_on": "2026-02-10", "result": "pass"},
                                           {"reviewed_on": "2029-01-05", "result": "fail"}]}}

    assert review_records(Replicated()) == [("2026-02-10", "合格"), ("2029-01-05", "不合格")]


def test_metadata_names_holder_id_type_111_and_the_type_code_from_the_identifier():
    items = {m.code: m.value for m in licence_metadata(sample_licence(licence_version=2))}
    assert items["CZZTDMLXDM"] == "111" and items["CZZTDMLX"] == "公民身份号码"
    assert items["ZZLXDM"] == "11100000MB0143553R001" and items["ZZBBH"] == "002"


def test_a_long_value_shrinks_to_stay_clear_of_the_qr_code():
    licence = sample_licence(authority="新疆生产建设兵团应急管理局第十三师分局安全生产监督管理处")
    shapes = draw_face(face_rows(licence), "x", qr_png("u"), footer="f", note="n")
    text = next(s for s in shapes if isinstance(s, Text) and s.text == licence.authority)
    assert text.size < 4 and text.x + text.width <= VALUE_END + 0.01 and text.x == VALUE_X


def test_the_svg_preview_shows_the_face_in_chinese_with_the_qr_embedded():
    licence = sample_licence()
    svg = etree.fromstring(render_face_svg(licence, verify_url=sample_verify_url(licence)))
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert {"中华人民共和国特种作业操作证", "张三", "110101199003070011", "低压电工作业",
            "模拟电子印章"} <= set(texts)
    assert svg.get("viewBox") == "0 0 210 148"
    image = next(svg.iter(f"{SVG}image"))
    prefix = "data:image/png;base64,"
    assert image.get("href").startswith(prefix)
    assert base64.b64decode(image.get("href")[len(prefix):]) == qr_png(sample_verify_url(licence))


def test_the_svg_places_wide_characters_one_by_one_and_narrow_runs_from_their_start():
    licence = sample_licence()
    svg = etree.fromstring(render_face_svg(licence, verify_url=sample_verify_url(licence)))
    dates = next(t for t in svg.iter(f"{SVG}text")
                 if "".join(t.itertext()) == "2023-03-15 至 2029-03-15")
    spans = [(span.text, span.get("x")) for span in dates.iter(f"{SVG}tspan")]
    start = float(spans[0][1])
    assert [text for text, _ in spans] == ["2023-03-15 ", "至", " 2029-03-15"]
    assert [float(x) - start for _, x in spans] == [0, 22, 26]  # one x a run: no "2023- 03"
    title = next(t for t in svg.iter(f"{SVG}text") if "".join(t.itertext()) == "张三")
    xs = [float(x) for x in next(title.iter(f"{SVG}tspan")).get("x").split()]
    assert xs[1] - xs[0] == 4  # a CJK character a full em
