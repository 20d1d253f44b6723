"""The document-level parts: OFD.xml, Document.xml, the resource files and the custom tags."""

from __future__ import annotations

import uuid
from datetime import datetime

from lxml import etree

from shared.clock import SHANGHAI
from shared.ofd.face import LICENCE_NAME, FaceRow, MetadataItem
from shared.ofd.layout import PAGE_HEIGHT, PAGE_WIDTH
from shared.ofd.page import UnitIds, root, sub, xml_bytes

CREATOR = "应急管理部政务服务平台（certsim 模拟）"
CREATOR_VERSION = "0.1.0"
TAGS_NAMESPACE = "urn:certsim:e-licence:tzzy:1.0"
SEAL_NOTE = "模拟电子印章（仿真环境生成，不具法律效力）"
DOC = "Doc_0"


def doc_id(licence_id: str, generated_at: datetime) -> str:
    """Return a 32-hex-digit DocID, stable for one licence at one generation time."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{licence_id}@{generated_at.isoformat()}").hex


def local_time(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def ofd_entry(licence, metadata: list[MetadataItem], *, generated_at: datetime,
              verify_url: str) -> bytes:
    """Write OFD.xml: DocInfo (with the metadata as CustomDatas), DocRoot, Signatures."""
    ofd = root("OFD", Version="1.0", DocType="OFD")
    body = sub(ofd, "DocBody")
    info = sub(body, "DocInfo")
    sub(info, "DocID", doc_id(licence.licence_id, generated_at))
    sub(info, "Title", f"{LICENCE_NAME}（电子证照）")
    sub(info, "Author", licence.authority)
    sub(info, "Subject", f"{licence.holder_name} {licence.category} {licence.item}")
    sub(info, "CreationDate", generated_at.astimezone(SHANGHAI).date().isoformat())
    keywords = sub(info, "Keywords")
    for word in ("电子证照", LICENCE_NAME, licence.item):
        sub(keywords, "Keyword", word)
    sub(info, "Creator", CREATOR)
    sub(info, "CreatorVersion", CREATOR_VERSION)
    datas = sub(info, "CustomDatas")
    for item in metadata:
        sub(datas, "CustomData", item.value, Name=item.name)
    sub(datas, "CustomData", local_time(generated_at), Name="生成时间")
    sub(datas, "CustomData", verify_url, Name="核验地址")
    sub(datas, "CustomData", SEAL_NOTE, Name="电子印章")
    sub(body, "DocRoot", f"{DOC}/Document.xml")
    sub(body, "Signatures", f"{DOC}/Signs/Signatures.xml")
    return xml_bytes(ofd)


def document(ids: UnitIds, page_id: int) -> bytes:
    """Write Document.xml: CommonData (MaxUnitID first), Pages, then CustomTags."""
    doc = root("Document")
    common = sub(doc, "CommonData")
    sub(common, "MaxUnitID", str(ids.last))
    sub(sub(common, "PageArea"), "PhysicalBox", f"0 0 {PAGE_WIDTH} {PAGE_HEIGHT}")
    sub(common, "PublicRes", "PublicRes.xml")
    sub(common, "DocumentRes", "DocumentRes.xml")
    sub(sub(doc, "Pages"), "Page", ID=str(page_id), BaseLoc="Pages/Page_0/Content.xml")
    sub(doc, "CustomTags", "Tags/CustomTags.xml")
    return xml_bytes(doc)


def public_res(fonts: dict[str, int]) -> bytes:
    """Declare the fonts by the names real licences use (not embedded: see the docs)."""
    res = root("Res", BaseLoc="Res")
    container = sub(res, "Fonts")
    for name, font_id in fonts.items():
        sub(container, "Font", ID=str(font_id), FontName=name, FamilyName=name)
    return xml_bytes(res)


def document_res(image_id: int, image_name: str) -> bytes:
    """Declare the QR image; its file sits in Doc_0/Res/."""
    res = root("Res", BaseLoc="Res")
    media = sub(sub(res, "MultiMedias"), "MultiMedia", ID=str(image_id), Type="Image",
                Format="PNG")
    sub(media, "MediaFile", image_name)
    return xml_bytes(res)


def custom_tags() -> bytes:
    """Write Tags/CustomTags.xml pointing at the e-licence data file."""
    tags = root("CustomTags")
    tag = sub(tags, "CustomTag", NameSpace=TAGS_NAMESPACE)
    sub(tag, "FileLoc", "Licence.xml")
    return xml_bytes(tags)


def licence_tags(metadata: list[MetadataItem], rows: list[FaceRow], ids: UnitIds,
                 page_id: int) -> bytes:
    """Write Tags/Licence.xml: metadata and face fields, each face field pointing at its text."""
    ns = TAGS_NAMESPACE
    data = etree.Element(f"{{{ns}}}ElectronicLicence", nsmap={"zz": ns})
    meta = etree.SubElement(data, f"{{{ns}}}Metadata")
    for item in metadata:
        etree.SubElement(meta, f"{{{ns}}}{item.code}", Name=item.name).text = item.value
    face = etree.SubElement(data, f"{{{ns}}}Face")
    for row in rows:
        field = etree.SubElement(face, f"{{{ns}}}{row.code}", Name=row.label, Value=row.value)
        ref = etree.SubElement(field, f"{{{ns}}}ObjectRef", PageRef=str(page_id))
        ref.text = str(ids.tagged[row.code])
    return xml_bytes(data)
