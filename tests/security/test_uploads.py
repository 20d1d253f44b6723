"""Issue 12: an uploaded OFD is unpacked by counting the bytes that come out, never by its headers.

The bomb is replayed through the ministry portal's public `/verify/file` form, as an attacker
would send it: a 1 MB zip whose one part inflates to 1 GiB while both headers say 100 bytes.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib

import pytest
from sqlalchemy import func, select
from support import TEST_SEAL
from support.mem import csrf_token_in, make_test_app, resources_of

from mem_portal.models import TABLES as MEM_TABLES
from shared.ofd import verify_ofd
from shared.ofd.verify import MAX_PART

MiB = 1024 * 1024
GiB = 1024 * MiB
TOO_LARGE = "文件过大，不是本平台签发的电子证照"


def deflated_zeros(size: int) -> tuple[bytes, int]:
    """Return (raw deflate stream, CRC-32) of `size` zero bytes, `size` a multiple of 1 MiB.

    After a full flush the compressor starts afresh, so one compressed MiB repeats verbatim:
    a GiB costs one MiB of compression, not a GiB of it.
    """
    zeros = bytes(MiB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packer.compress(zeros)
    packer.flush(zlib.Z_FULL_FLUSH)
    block = packer.compress(zeros) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(size // MiB):
        crc = zlib.crc32(zeros, crc)
    return block * (size // MiB) + packer.flush(), crc


def lying_zip(parts: dict[str, int], declared: int = 100) -> bytes:
    """Build a zip of parts of so many zero bytes, each declaring `declared` bytes in both headers."""
    locals_, centrals = b"", b""
    for name, size in parts.items():
        packed, crc = deflated_zeros(size)
        raw_name, offset = name.encode(), len(locals_)
        sizes = (crc, len(packed), declared, len(raw_name))
        locals_ += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x5C21, *sizes, 0)
        locals_ += raw_name + packed
        centrals += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x5C21, *sizes,
                                0, 0, 0, 0, 0, offset) + raw_name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(centrals),
                      len(locals_), 0)
    return locals_ + centrals + end


def honest_zip(parts: dict[str, int]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, size in parts.items():
            archive.writestr(name, bytes(size))
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return lying_zip({"OFD.xml": GiB})


@pytest.fixture
def app(tmp_path, clock):
    return make_test_app(f"sqlite:///{tmp_path / 'mem.sqlite3'}", clock)


def upload(client, data: bytes) -> str:
    token = csrf_token_in(client.get("/verify").get_data(as_text=True))
    response = client.post("/verify/file", data={"csrf_token": token,
                                                  "licence_file": (io.BytesIO(data), "a.ofd")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def rows_in(app) -> dict[str, int]:
    with resources_of(app).sessions() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t))
                for t in MEM_TABLES}


def test_the_bomb_really_is_small_lies_about_its_size_and_inflates_to_a_gibibyte(bomb):
    assert len(bomb) < 1.5 * MiB
    [info] = zipfile.ZipFile(io.BytesIO(bomb)).infolist()
    assert info.file_size == 100
    inflater = zlib.decompressobj(-15)
    inflated = len(inflater.decompress(bomb[30 + len("OFD.xml"):], 4 * MiB))
    assert inflated == 4 * MiB and inflater.unconsumed_tail  # and far more to come


def test_a_zip_bomb_lying_about_its_size_is_refused_quickly_in_little_memory_writing_nothing(
        app, bomb):
    client = app.test_client()
    before = rows_in(app)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        html = upload(client, bomb)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert 'data-genuine="false"' in html and TOO_LARGE in html
    assert "BadZipFile" not in html and "已损坏" not in html
    assert elapsed < 2.0, f"{elapsed:.2f} s"
    assert peak < 64 * MiB, f"{peak / MiB:.0f} MiB"
    assert rows_in(app) == before


def test_an_honest_zip_over_the_size_limit_is_refused_through_the_upload_form(app):
    html = upload(app.test_client(), honest_zip({"OFD.xml": 3 * MiB, "Doc_0/a.png": 3 * MiB,
                                                 "Doc_0/b.png": 3 * MiB}))
    assert 'data-genuine="false"' in html and TOO_LARGE in html


def test_an_honest_part_over_the_per_part_limit_is_refused():
    assert verify_ofd(honest_zip({"OFD.xml": MAX_PART + MiB}), seal=TEST_SEAL).problems == (TOO_LARGE,)


def test_a_part_longer_than_its_header_says_but_within_the_limits_is_refused_as_damaged():
    problems = verify_ofd(lying_zip({"OFD.xml": MiB}), seal=TEST_SEAL).problems
    assert problems == ("文件已损坏：OFD.xml 的实际大小与声明不符",)


def test_a_part_packed_with_another_method_is_refused_without_unpacking_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("OFD.xml", bytes(MiB))
    assert verify_ofd(buffer.getvalue(), seal=TEST_SEAL).problems == ("文件使用了不支持的压缩或加密方式",)


def damaged(kind: str) -> bytes:
    """An honest little zip with one header field broken the way that used to crash zipfile."""
    if kind == "unnamed part":
        return lying_zip({"": MiB}, declared=MiB)
    data = bytearray(honest_zip({"证照.xml": 10}))
    central = struct.unpack("<L", data[-6:-2])[0]
    if kind == "unknown zip version":          # NotImplementedError: zip file version 25.1
        data[central + 6:central + 8] = struct.pack("<H", 251)
    elif kind == "header before the start":    # ValueError: negative seek value
        data[-6:-2] = struct.pack("<L", central + 1000)
    elif kind == "name not UTF-8":              # UnicodeDecodeError in the local header
        data[30] = 0xFF
    return bytes(data)


@pytest.mark.parametrize("kind", ["unnamed part", "unknown zip version", "header before the start",
                                  "name not UTF-8"])
def test_a_zip_with_a_header_that_crashes_zipfile_is_answered_with_one_problem(kind):
    result = verify_ofd(damaged(kind), seal=TEST_SEAL)
    assert not result.genuine and len(result.problems) == 1
    assert result.problems[0].startswith(("文件已损坏", "不是有效的OFD文件")), result.problems
