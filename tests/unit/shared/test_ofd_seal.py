"""The simulated seal: SM3 digests and an SM2 signature catch any change to the file."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from gmssl import sm2 as gm_sm2

from shared.ofd import render_licence_ofd, verify_ofd
from shared.ofd.samples import SAMPLE_GENERATED_AT, sample_licence, sample_verify_url
from shared.ofd.sm2 import (
    WINDOW,
    N,
    SealKey,
    multiply_generator,
    parse_der_signature,
    verify_signature,
)

KEY = SealKey.from_seed("unit-test-seal")


@pytest.fixture(scope="module")
def original() -> bytes:
    licence = sample_licence()
    return render_licence_ofd(licence, generated_at=SAMPLE_GENERATED_AT,
                              verify_url=sample_verify_url(licence), seal=KEY)


def unpack(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def repack(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_freshly_generated_file_verifies_as_genuine(original):
    result = verify_ofd(original, seal=KEY)
    assert result.genuine, result.problems
    assert result.parts_checked == 8
    assert result.licence_id == sample_licence().licence_id
    assert result.signed_at == "20260930020000Z"


@pytest.mark.parametrize("part", ["OFD.xml", "Doc_0/Document.xml", "Doc_0/PublicRes.xml",
                                  "Doc_0/Pages/Page_0/Content.xml", "Doc_0/Res/qrcode.png",
                                  "Doc_0/Tags/Licence.xml"])
def test_changing_one_byte_of_any_protected_part_fails_verification(original, part):
    files = unpack(original)
    data = bytearray(files[part])
    data[len(data) // 2] ^= 0x01
    files[part] = bytes(data)
    result = verify_ofd(repack(files), seal=KEY)
    assert not result.genuine
    assert any(part in problem for problem in result.problems), result.problems


def test_changing_the_holder_name_in_the_page_is_detected(original):
    files = unpack(original)
    page = "Doc_0/Pages/Page_0/Content.xml"
    files[page] = files[page].replace("张三".encode(), "李四".encode())
    assert not verify_ofd(repack(files), seal=KEY).genuine


def test_recomputing_the_digests_without_the_key_breaks_the_seal(original):
    from shared.ofd.seal import SIGNATURE, digest_b64

    files = unpack(original)
    page = "Doc_0/Pages/Page_0/Content.xml"
    forged = files[page].replace("低压电工作业".encode(), "高压电工作业".encode())
    files[SIGNATURE] = files[SIGNATURE].replace(digest_b64(files[page]).encode(),
                                                digest_b64(forged).encode())
    files[page] = forged
    result = verify_ofd(repack(files), seal=KEY)
    assert result.problems == ("电子印章（模拟）验证失败：签名值与签名信息不符或非本平台签发",)


def test_a_file_sealed_with_another_key_is_not_genuine(original):
    assert not verify_ofd(original, seal=SealKey.from_seed("someone else")).genuine


def test_a_part_added_outside_the_seal_is_reported(original):
    files = unpack(original)
    files["Doc_0/Res/extra.png"] = b"\x89PNG"
    result = verify_ofd(repack(files), seal=KEY)
    assert result.problems == ("文件 Doc_0/Res/extra.png 不在签名保护范围内",)


def content_offsets(data: bytes) -> list[int]:
    """Return offsets inside the stored or compressed data of every entry (every 13th byte)."""
    offsets = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:
                                                            info.header_offset + 30])
            start = info.header_offset + 30 + name_len + extra_len
            offsets += range(start, start + info.compress_size, 13)
    return offsets


def test_a_flipped_byte_of_the_packed_data_passes_only_if_the_content_is_unchanged(original):
    offsets = content_offsets(original)
    assert len(offsets) > 400
    unchanged = 0
    for offset in offsets:
        data = bytearray(original)
        data[offset] ^= 0xFF
        if verify_ofd(bytes(data), seal=KEY).genuine:
            assert unpack(bytes(data)) == unpack(original), offset  # deflate padding bits
            unchanged += 1
    assert unchanged <= len(offsets) // 50


def test_something_that_is_not_a_zip_is_refused_with_a_reason():
    result = verify_ofd(b"%PDF-1.7 not an ofd", seal=KEY)
    assert result.problems == ("不是有效的OFD文件：无法作为OFD压缩包打开",)


def test_our_sm2_signatures_verify_with_gmssl_own_verify_with_sm3():
    signature = KEY.sign(b"Signature.xml bytes")
    r, s = parse_der_signature(signature)
    checker = gm_sm2.CryptSM2(private_key="", public_key=KEY.public_hex)
    assert checker.verify_with_sm3(f"{r:064x}{s:064x}", b"Signature.xml bytes")
    assert not checker.verify_with_sm3(f"{r:064x}{s:064x}", b"Signature.xml byteS")


def test_our_public_key_matches_gmssl_scalar_multiplication():
    gm = gm_sm2.CryptSM2(private_key=f"{KEY.private:064x}", public_key="")
    assert gm._kg(KEY.private, gm_sm2.default_ecc_table["g"]) == KEY.public_hex


@pytest.mark.parametrize("k", [1, 2, (1 << WINDOW) - 1, 1 << WINDOW, (1 << 255) + 1, N - 1,
                               int("10" * 128, 2), 0x1234567890ABCDEF << 100])
def test_the_windowed_table_multiplies_the_generator_as_gmssl_does(k):
    gm = gm_sm2.CryptSM2(private_key="", public_key="")
    x, y = multiply_generator(k)
    assert f"{x:064x}{y:064x}" == gm._kg(k, gm_sm2.default_ecc_table["g"])


def test_signing_is_deterministic_and_a_bad_der_never_verifies():
    assert KEY.sign(b"m") == KEY.sign(b"m")
    assert not verify_signature(KEY.public_hex, b"m", b"\x30\x02\x02\x00")
