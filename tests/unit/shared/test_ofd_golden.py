"""Golden test: the XML of the sample licence's OFD, pinned part by part.

A deliberate change to the file regenerates the pins with CERTSIM_UPDATE_GOLDEN=1; review
the diff under tests/unit/shared/golden/ofd_sample/ before committing it.
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from shared.ofd import render_licence_ofd
from shared.ofd.samples import SAMPLE_GENERATED_AT, sample_licence, sample_verify_url
from shared.ofd.sm2 import SealKey

GOLDEN = Path(__file__).parent / "golden" / "ofd_sample"
KEY = SealKey.from_seed("golden-test-seal")


def sample_parts() -> dict[str, bytes]:
    licence = sample_licence()
    data = render_licence_ofd(licence, generated_at=SAMPLE_GENERATED_AT,
                              verify_url=sample_verify_url(licence), seal=KEY)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.endswith(".xml")}


def golden_name(part: str) -> str:
    return part.replace("/", "__")


PARTS = sample_parts()


@pytest.mark.parametrize("part", sorted(PARTS))
def test_the_sample_licence_part_matches_its_golden_copy(part):
    path = GOLDEN / golden_name(part)
    if os.environ.get("CERTSIM_UPDATE_GOLDEN"):
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PARTS[part])
    assert PARTS[part].decode("utf-8") == path.read_text(encoding="utf-8")


def test_the_golden_folder_holds_no_part_the_file_no_longer_has():
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(golden_name(p) for p in PARTS)
