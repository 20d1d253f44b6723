"""Check a licence OFD: structure, the SM3 digest of every part, and the simulated seal.

Any changed byte outside the signature folder breaks a digest; a changed digest breaks the
SM2 signature over Signature.xml; a part added outside the references is reported too.
"""

from __future__ import annotations

import base64
import binascii
import copy
import io
import posixpath
import sys
import zipfile
import zlib
from dataclasses import dataclass, field

from lxml import etree

from shared.ofd.page import q
from shared.ofd.sm2 import SM2_WITH_SM3_OID, SM3_OID, SealKey, sm3, verify_signature

MAX_UNPACKED = 8 * 1024 * 1024     # all parts together, counted as they come out
MAX_PART = 4 * 1024 * 1024         # any one part (a genuine licence's largest is ~9 KB)
MAX_ENTRIES = 64
CHUNK = 64 * 1024
TOO_LARGE = "文件过大，不是本平台签发的电子证照"
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
ENCRYPTED = 0x1
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class Broken(Exception):
    """The file cannot be checked any further; the message says why (in Chinese)."""


@dataclass(frozen=True)
class Verification:
    """What the check found: `genuine` only if nothing is wrong."""

    problems: tuple[str, ...]
    metadata: dict[str, str] = field(default_factory=dict)
    parts_checked: int = 0
    signed_at: str | None = None
    page_text: str = ""     # every TextCode of the pages, joined: what a reader shows

    @property
    def genuine(self) -> bool:
        return not self.problems

    @property
    def licence_id(self) -> str | None:
        return self.metadata.get("证照标识")


def verify_ofd(data: bytes, *, seal: SealKey) -> Verification:
    """Verify a licence file against the deployment's seal key."""
    try:
        package = _open(data)
        return _check(package, seal.public_hex)
    except Broken as exc:
        return Verification((str(exc),))


def _open(data: bytes) -> dict[str, bytes]:
    """Unzip into memory, refusing what is not a small zip: sizes are counted, never believed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError,
            NotImplementedError):  # NotImplementedError: "zip file version 25.1"
        raise Broken("不是有效的OFD文件：无法作为OFD压缩包打开") from None
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise Broken(TOO_LARGE)  # honest headers: refused without unpacking anything
    if not all(i.filename for i in infos):
        raise Broken("文件已损坏：压缩包中有无名文件")
    package, budget = {}, MAX_UNPACKED
    try:
        for info in (i for i in infos if not i.is_dir()):
            package[info.filename] = _unpack(archive, info, min(MAX_PART, budget))
            budget -= len(package[info.filename])
    except (NotImplementedError, RuntimeError):  # strong encryption, patched data, passwords
        raise Broken("文件使用了不支持的压缩或加密方式") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
            ValueError) as exc:  # ValueError: a header offset before the start, a bad UTF-8 name
        name = "zlib.error" if isinstance(exc, zlib.error) else exc.__class__.__name__
        raise Broken(f"文件已损坏：{name}") from None
    return package


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Decompress one part in chunks, stopping as soon as more than `limit` bytes came out."""
    if info.compress_type not in METHODS or info.flag_bits & ENCRYPTED:
        raise Broken("文件使用了不支持的压缩或加密方式")
    # zipfile cuts a part at its declared size and then fails the CRC ("BadZipFile"), after
    # inflating a whole read's worth: let the deflate stream end it and count it ourselves.
    unbounded = copy.copy(info)
    unbounded.file_size = sys.maxsize
    unpacked = bytearray()
    with archive.open(unbounded) as stream:
        while chunk := stream.read(CHUNK):
            unpacked += chunk
            if len(unpacked) > limit:
                raise Broken(TOO_LARGE)
    if len(unpacked) != info.file_size:
        raise Broken(f"文件已损坏：{info.filename} 的实际大小与声明不符")
    return bytes(unpacked)


def _xml(package: dict[str, bytes], name: str, tag: str) -> etree._Element:
    """Parse one part and check its root element, else raise Broken."""
    if name not in package:
        raise Broken(f"缺少文件 {name}")
    try:
        element = etree.fromstring(package[name], PARSER)
    except etree.XMLSyntaxError:
        raise Broken(f"{name} 不是格式正确的XML") from None
    if element.tag != q(tag):
        raise Broken(f"{name} 的根元素应为 ofd:{tag}")
    return element


def resolve(folder: str, loc: str) -> str:
    """Resolve an ST_Loc: "/x" from the package root, anything else from `folder`."""
    loc = (loc or "").strip()
    return loc[1:] if loc.startswith("/") else posixpath.normpath(posixpath.join(folder, loc))


def _check(package: dict[str, bytes], public_hex: str) -> Verification:
    ofd = _xml(package, "OFD.xml", "OFD")
    body = ofd.find(q("DocBody"))
    if body is None or body.findtext(q("DocRoot")) is None:
        raise Broken("OFD.xml 缺少 DocBody/DocRoot")
    page_text = _check_document(package, resolve("", body.findtext(q("DocRoot"))))
    metadata = {d.get("Name"): d.text or "" for d in body.iter(q("CustomData"))}
    signatures_loc = body.findtext(q("Signatures"))
    if not signatures_loc:
        raise Broken("文件没有电子印章（缺少 Signatures）")
    problems, checked, signed_at = _check_seal(package, resolve("", signatures_loc), public_hex)
    return Verification(tuple(problems), metadata, checked, signed_at, page_text)


def _check_document(package: dict[str, bytes], doc_path: str) -> str:
    """Check that Document.xml parses and every page it lists exists and parses.

    Return the text drawn on the pages, in drawing order (what a reader shows).
    """
    doc = _xml(package, doc_path, "Document")
    folder = posixpath.dirname(doc_path)
    if doc.find(q("CommonData")) is None or doc.find(q("Pages")) is None:
        raise Broken(f"{doc_path} 缺少 CommonData 或 Pages")
    pages = doc.find(q("Pages")).findall(q("Page"))
    if not pages:
        raise Broken("文件没有页面")
    drawn = []
    for page in pages:
        content = _xml(package, resolve(folder, page.get("BaseLoc", "")), "Page")
        drawn += [code.text or "" for code in content.iter(q("TextCode"))]
    return "".join(drawn)


def _check_seal(package: dict[str, bytes], signatures_path: str, public_hex: str):
    """Check every digest and the SM2 signature; return (problems, parts checked, time)."""
    signs_dir = posixpath.dirname(signatures_path)
    entry = _xml(package, signatures_path, "Signatures").find(q("Signature"))
    if entry is None:
        raise Broken("签名列表为空")
    signature_path = resolve(signs_dir, entry.get("BaseLoc", ""))
    signature = _xml(package, signature_path, "Signature")
    info = signature.find(q("SignedInfo"))
    if info is None or info.findtext(q("SignatureMethod")) != SM2_WITH_SM3_OID:
        raise Broken("签名算法不是 SM2（1.2.156.10197.1.501）")
    references = info.find(q("References"))
    if references is None or references.get("CheckMethod") != SM3_OID:
        raise Broken("摘要算法不是 SM3（1.2.156.10197.1.401）")
    problems, covered = _check_digests(package, references)
    unprotected = sorted(n for n in package
                         if n not in covered and not n.startswith(signs_dir + "/"))
    problems += [f"文件 {name} 不在签名保护范围内" for name in unprotected]
    value_path = resolve(posixpath.dirname(signature_path), signature.findtext(q("SignedValue")) or "")
    if not verify_signature(public_hex, package[signature_path], package.get(value_path, b"")):
        problems.append("电子印章（模拟）验证失败：签名值与签名信息不符或非本平台签发")
    return problems, len(covered), info.findtext(q("SignatureDateTime"))


def _check_digests(package: dict[str, bytes], references) -> tuple[list[str], set[str]]:
    problems, covered = [], set()
    for reference in references.findall(q("Reference")):
        name = resolve("", reference.get("FileRef", ""))
        covered.add(name)
        if name not in package:
            problems.append(f"签名引用的文件 {name} 不存在")
            continue
        try:
            expected = base64.b64decode(reference.findtext(q("CheckValue")) or "", validate=True)
        except binascii.Error:
            expected = b""
        if sm3(package[name]) != expected:
            problems.append(f"文件 {name} 的SM3摘要不符：内容已被篡改")
    return problems, covered
