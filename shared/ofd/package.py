"""Assemble the licence OFD: lay out the face, write every part, seal, zip."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

from shared.clock import SHANGHAI, require_aware
from shared.ofd import layout, parts
from shared.ofd.face import face_rows, licence_metadata
from shared.ofd.page import PageResources, UnitIds, page_content, xml_bytes
from shared.ofd.qr import qr_png
from shared.ofd.seal import seal_parts
from shared.ofd.shapes import HEI, SONG
from shared.ofd.sm2 import SealKey

DOC = parts.DOC
QR_NAME = "qrcode.png"


def render_licence_ofd(licence, *, generated_at: datetime, verify_url: str,
                       seal: SealKey) -> bytes:
    """Return the licence as an OFD file sealed with `seal` (the bytes 下载 serves)."""
    require_aware(generated_at, "generated_at")
    files, page_id = licence_parts(licence, generated_at=generated_at, verify_url=verify_url)
    stamp = (layout.SEAL_CENTRE[0] - layout.SEAL_RADIUS, layout.SEAL_CENTRE[1] - layout.SEAL_RADIUS,
             2 * layout.SEAL_RADIUS, 2 * layout.SEAL_RADIUS)
    files.update(seal_parts(files, seal, signed_at=generated_at,
                            page_id=page_id, stamp_box=stamp))
    return zip_parts(files, generated_at)


def licence_parts(licence, *, generated_at: datetime,
                  verify_url: str) -> tuple[dict[str, bytes], int]:
    """Return every unsigned part by zip name (in writing order) and the page's ID."""
    ids = UnitIds()
    fonts = {SONG: ids.next(), HEI: ids.next()}
    image_id = ids.next()
    page_id = ids.next()
    rows, metadata = face_rows(licence), licence_metadata(licence)
    shapes = layout.draw_face(rows, licence.authority, qr_png(verify_url),
                              footer=f"证照标识：{licence.licence_id}",
                              note=f"生成时间：{parts.local_time(generated_at)}")
    content = xml_bytes(page_content(shapes, ids, PageResources(fonts, image_id)))
    return {
        "OFD.xml": parts.ofd_entry(licence, metadata, generated_at=generated_at,
                                   verify_url=verify_url),
        f"{DOC}/Document.xml": parts.document(ids, page_id),
        f"{DOC}/PublicRes.xml": parts.public_res(fonts),
        f"{DOC}/DocumentRes.xml": parts.document_res(image_id, QR_NAME),
        f"{DOC}/Pages/Page_0/Content.xml": content,
        f"{DOC}/Res/{QR_NAME}": qr_png(verify_url),
        f"{DOC}/Tags/CustomTags.xml": parts.custom_tags(),
        f"{DOC}/Tags/Licence.xml": parts.licence_tags(metadata, rows, ids, page_id),
    }, page_id


ZIP_FIRST, ZIP_LAST = (1980, 1, 1, 0, 0, 0), (2107, 12, 31, 23, 59, 58)


def zip_parts(files: dict[str, bytes], moment: datetime) -> bytes:
    """Zip the parts in order with a fixed timestamp, so equal input gives equal bytes."""
    stamp = moment.astimezone(SHANGHAI).timetuple()[:6]
    stamp = min(max(stamp, ZIP_FIRST), ZIP_LAST)  # what a zip entry's MS-DOS time can hold
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".png") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return buffer.getvalue()
