"""The licence OFD package: every part parses, follows the schema's order, IDs and references hold."""

from __future__ import annotations

import io
import posixpath
import zipfile
from datetime import UTC, datetime

import pytest
from lxml import etree

from shared.ofd import render_licence_ofd
from shared.ofd.package import zip_parts
from shared.ofd.page import OFD_NS, delta_x
from shared.ofd.samples import SAMPLE_GENERATED_AT, sample_licence, sample_verify_url
from shared.ofd.shapes import advances, runs
from shared.ofd.sm2 import SealKey

NS = {"ofd": OFD_NS}
KEY = SealKey.from_seed("unit-test-seal")
DOC_INFO_ORDER = ["DocID", "Title", "Author", "Subject", "Abstract", "CreationDate", "ModDate",
                  "DocUsage", "Cover", "Keywords", "Creator", "CreatorVersion", "CustomDatas"]
DOCUMENT_ORDER = ["CommonData", "Pages", "Outlines", "Permissions", "Actions", "VPreferences",
                  "Bookmarks", "Annotations", "CustomTags", "Attachments", "Extensions"]
COMMON_DATA_ORDER = ["MaxUnitID", "PageArea", "PublicRes", "DocumentRes", "TemplatePage",
                     "DefaultCS"]


@pytest.fixture(scope="module")
def package() -> dict[str, bytes]:
    licence = sample_licence()
    data = render_licence_ofd(licence, generated_at=SAMPLE_GENERATED_AT,
                              verify_url=sample_verify_url(licence), seal=KEY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xml(package, name):
    return etree.fromstring(package[name])


def local_names(element):
    return [etree.QName(child).localname for child in element]


def in_schema_order(names, order):
    positions = [order.index(name) for name in names]
    return positions == sorted(positions)


def test_every_xml_part_is_utf8_without_bom_and_declares_it(package):
    for name, data in package.items():
        if name.endswith(".xml"):
            assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>"), name
            etree.fromstring(data)


def test_every_ofd_element_carries_the_ofd_prefix(package):
    for name, data in package.items():
        if name.endswith(".xml") and "/Tags/Licence.xml" not in name:
            for element in etree.fromstring(data).iter():
                assert element.prefix == "ofd" and etree.QName(element).namespace == OFD_NS, name


def test_zip_entry_names_are_ascii_and_the_entry_point_is_ofd_xml(package):
    assert list(package)[0] == "OFD.xml"
    assert all(name.isascii() for name in package)


def test_ofd_xml_is_version_1_0_with_doc_info_in_schema_order(package):
    ofd = xml(package, "OFD.xml")
    assert (ofd.get("Version"), ofd.get("DocType")) == ("1.0", "OFD")
    body = ofd.find("ofd:DocBody", NS)
    assert local_names(body) == ["DocInfo", "DocRoot", "Signatures"]
    info = body.find("ofd:DocInfo", NS)
    assert in_schema_order(local_names(info), DOC_INFO_ORDER)
    doc_id = info.findtext("ofd:DocID", namespaces=NS)
    assert len(doc_id) == 32 and int(doc_id, 16) >= 0
    assert info.findtext("ofd:CreationDate", namespaces=NS) == "2026-09-30"


def test_doc_info_carries_the_e_licence_metadata(package):
    info = xml(package, "OFD.xml").find("ofd:DocBody/ofd:DocInfo", NS)
    data = {d.get("Name"): d.text for d in info.iterfind("ofd:CustomDatas/ofd:CustomData", NS)}
    licence = sample_licence()
    assert data["证照标识"] == licence.licence_id
    assert data["证照类型代码"] == "11100000MB0143553R001"
    assert data["持证主体"] == "张三" and data["持证主体代码"] == "110101199003070011"
    assert data["持证主体代码类型代码"] == "111"
    assert data["证照颁发机构"] == "北京市应急管理局"
    assert data["证照颁发机构代码"] == "11100000MB0143553R"
    assert (data["证照颁发日期"], data["证照有效期起始日期"], data["证照有效期截止日期"]) == (
        "2023-03-15", "2023-03-15", "2029-03-15")
    assert data["生成时间"] == "2026-09-30 10:00:00"
    assert "模拟" in data["电子印章"]


def test_document_xml_puts_max_unit_id_first_and_parts_in_schema_order(package):
    doc = xml(package, "Doc_0/Document.xml")
    assert in_schema_order(local_names(doc), DOCUMENT_ORDER)
    common = doc.find("ofd:CommonData", NS)
    assert local_names(common)[0] == "MaxUnitID"
    assert in_schema_order(local_names(common), COMMON_DATA_ORDER)
    assert common.findtext("ofd:PageArea/ofd:PhysicalBox", namespaces=NS) == "0 0 210 148"


def all_ids(package):
    ids = []
    for name in ("Doc_0/PublicRes.xml", "Doc_0/DocumentRes.xml",
                 "Doc_0/Pages/Page_0/Content.xml"):
        ids += [int(e.get("ID")) for e in xml(package, name).iter() if e.get("ID")]
    ids += [int(p.get("ID")) for p in xml(package, "Doc_0/Document.xml").iterfind(
        "ofd:Pages/ofd:Page", NS)]
    return ids


def test_unit_ids_are_unique_and_never_above_max_unit_id(package):
    ids = all_ids(package)
    max_unit = int(xml(package, "Doc_0/Document.xml").findtext(
        "ofd:CommonData/ofd:MaxUnitID", namespaces=NS))
    assert len(ids) == len(set(ids))
    assert max(ids) == max_unit


def test_every_location_resolves_to_a_part_of_the_package(package):
    doc = xml(package, "Doc_0/Document.xml")
    for loc in ("ofd:CommonData/ofd:PublicRes", "ofd:CommonData/ofd:DocumentRes", "ofd:CustomTags"):
        assert posixpath.join("Doc_0", doc.findtext(loc, namespaces=NS)) in package
    for page in doc.iterfind("ofd:Pages/ofd:Page", NS):
        assert posixpath.join("Doc_0", page.get("BaseLoc")) in package
    res = xml(package, "Doc_0/DocumentRes.xml")
    media = res.find("ofd:MultiMedias/ofd:MultiMedia", NS)
    assert (media.get("Type"), media.get("Format")) == ("Image", "PNG")
    path = posixpath.join("Doc_0", res.get("BaseLoc"), media.findtext("ofd:MediaFile", namespaces=NS))
    assert package[path].startswith(b"\x89PNG")


def test_text_objects_name_declared_fonts_and_image_objects_name_the_qr_media(package):
    fonts = {f.get("ID"): f.get("FontName") for f in xml(package, "Doc_0/PublicRes.xml").iterfind(
        "ofd:Fonts/ofd:Font", NS)}
    assert set(fonts.values()) == {"宋体", "黑体"}
    media = {m.get("ID") for m in xml(package, "Doc_0/DocumentRes.xml").iter(f"{{{OFD_NS}}}MultiMedia")}
    page = xml(package, "Doc_0/Pages/Page_0/Content.xml")
    assert all(t.get("Font") in fonts for t in page.iter(f"{{{OFD_NS}}}TextObject"))
    images = list(page.iter(f"{{{OFD_NS}}}ImageObject"))
    assert len(images) == 1 and images[0].get("ResourceID") in media


def test_the_qr_image_ctm_scales_the_unit_square_to_its_boundary(package):
    image = next(xml(package, "Doc_0/Pages/Page_0/Content.xml").iter(f"{{{OFD_NS}}}ImageObject"))
    _, _, width, height = (float(v) for v in image.get("Boundary").split())
    a, b, c, d, e, f = (float(v) for v in image.get("CTM").split())
    assert (a, b, c, d, e, f) == (width, 0, 0, height, 0, 0)
    assert width >= 30  # big enough to scan on a phone screen


def object_text(obj) -> str:
    """The text a TextObject draws: its TextCodes in order."""
    return "".join(code.text for code in obj.findall("ofd:TextCode", NS))


def expand_delta(text):
    words, values = text.split(), []
    while words:
        if words[0] == "g":
            values += [float(words[2])] * int(words[1])
            words = words[3:]
        else:
            values.append(float(words.pop(0)))
    return values


def test_wide_runs_carry_delta_x_and_narrow_runs_take_their_fonts_advances(package):
    page = xml(package, "Doc_0/Pages/Page_0/Content.xml")
    for obj in page.iter(f"{{{OFD_NS}}}TextObject"):
        size = float(obj.get("Size"))
        codes = obj.findall("ofd:TextCode", NS)
        text = "".join(code.text for code in codes)
        assert [c.text for c in codes] == [run.text for run in runs(text, size)]
        assert [float(c.get("X")) for c in codes] == pytest.approx(
            [run.offset for run in runs(text, size)], abs=0.001)
        for code, run in zip(codes, runs(text, size), strict=True):
            if run.wide and len(run.text) > 1:
                assert expand_delta(code.get("DeltaX")) == pytest.approx(
                    advances(run.text, size), abs=0.001)
            else:  # "2023-03-15", "1.2.156…": no forced half-em gaps after "-" or "."
                assert code.get("DeltaX") is None
            assert float(code.get("Y")) == size  # the baseline sits inside the boundary
        assert local_names(obj) == ["FillColor"] + ["TextCode"] * len(codes)


def test_a_date_range_is_split_into_its_narrow_and_wide_runs():
    assert [(r.offset, r.text, r.wide) for r in runs("2023-03-15 至 2029-03-15", 4)] == [
        (0, "2023-03-15 ", False), (22, "至", True), (26, " 2029-03-15", False)]


def test_cjk_characters_advance_a_full_em_and_digits_half_an_em():
    assert expand_delta(delta_x(advances("张三", 4))) == [4]
    assert expand_delta(delta_x(advances("2023-03", 4))) == [2] * 6
    assert delta_x(advances("低压电工作业", 4)) == "g 5 4"


def test_path_objects_put_stroke_colour_before_fill_colour(package):
    page = xml(package, "Doc_0/Pages/Page_0/Content.xml")
    for path in page.iter(f"{{{OFD_NS}}}PathObject"):
        names = local_names(path)
        assert names[-1] == "AbbreviatedData"
        if "StrokeColor" in names and "FillColor" in names:
            assert names.index("StrokeColor") < names.index("FillColor")


def test_the_face_shows_every_labelled_field_with_its_value(package):
    page = xml(package, "Doc_0/Pages/Page_0/Content.xml")
    texts = [object_text(o) for o in page.iter(f"{{{OFD_NS}}}TextObject")]
    for expected in ("中华人民共和国特种作业操作证", "姓名", "张三", "性别", "男", "证号",
                     "110101199003070011", "作业类别", "电工作业", "操作项目", "低压电工作业",
                     "初领日期", "2023-03-15", "有效期限", "2023-03-15 至 2029-03-15", "签发机关",
                     "北京市应急管理局", "档案编码", "110000202300000001", "应复审日期",
                     "2026-03-15", "复审记录", "2026-02-10 合格", "模拟电子印章",
                     "生成时间：2026-09-30 10:00:00"):
        assert expected in texts, expected
    assert any(t.startswith("电子证照") and t.count("电子证照") > 3 for t in texts)


def test_custom_tags_point_each_face_field_at_the_text_object_showing_it(package):
    tags = xml(package, "Doc_0/Tags/CustomTags.xml")
    tag = tags.find("ofd:CustomTag", NS)
    data = xml(package, posixpath.join("Doc_0/Tags", tag.findtext("ofd:FileLoc", namespaces=NS)))
    assert etree.QName(data).namespace == tag.get("NameSpace")
    page = xml(package, "Doc_0/Pages/Page_0/Content.xml")
    objects = {o.get("ID"): o for o in page.iter(f"{{{OFD_NS}}}TextObject")}
    page_id = xml(package, "Doc_0/Document.xml").find("ofd:Pages/ofd:Page", NS).get("ID")
    face = data.find(f"{{{tag.get('NameSpace')}}}Face")
    assert len(face) == 11
    for field in face:
        ref = field[0]
        assert ref.get("PageRef") == page_id
        assert object_text(objects[ref.text]) == field.get("Value")


def test_the_same_licence_at_the_same_time_gives_the_same_bytes():
    licence = sample_licence()
    first, second = (render_licence_ofd(licence, generated_at=SAMPLE_GENERATED_AT,
                                        verify_url=sample_verify_url(licence), seal=KEY)
                     for _ in range(2))
    assert first == second


def test_a_naive_generation_time_is_refused():
    licence = sample_licence()
    with pytest.raises(ValueError, match="generated_at"):
        render_licence_ofd(licence, generated_at=SAMPLE_GENERATED_AT.replace(tzinfo=None),
                           verify_url=sample_verify_url(licence), seal=KEY)


@pytest.mark.parametrize(("moment", "stamp"), [
    (datetime(1975, 6, 1, tzinfo=UTC), (1980, 1, 1, 0, 0, 0)),
    (datetime(2108, 3, 1, tzinfo=UTC), (2107, 12, 31, 23, 59, 58)),
])
def test_a_moment_a_zip_entry_cannot_hold_is_written_as_the_nearest_it_can(moment, stamp):
    archive = zipfile.ZipFile(io.BytesIO(zip_parts({"OFD.xml": b"<x/>"}, moment)))
    assert archive.infolist()[0].date_time == stamp
