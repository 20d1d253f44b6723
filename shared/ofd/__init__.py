"""Licence files: the OFD e-licence (GB/T 33190), its verification, and the SVG preview.

    render_licence_ofd(licence, *, generated_at, verify_url, seal) -> bytes
    verify_ofd(data, *, seal) -> Verification      (seal: shared.ofd.seal.seal_key(seed))
    shared.ofd.face.render_face_svg(licence, *, verify_url) -> str
    shared.ofd.face.face_rows(licence) -> list[FaceRow]
"""

from shared.ofd.face import face_rows, licence_metadata, render_face_svg
from shared.ofd.package import render_licence_ofd
from shared.ofd.verify import Verification, verify_ofd

OFD_MEDIA_TYPE = "application/ofd"

__all__ = ["OFD_MEDIA_TYPE", "Verification", "face_rows", "licence_metadata",
           "render_face_svg", "render_licence_ofd", "verify_ofd"]
