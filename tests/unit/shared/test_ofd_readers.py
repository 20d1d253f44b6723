"""Independent OFD readers from PyPI (not our code) open the licence file and find its face.

ofdkit is a dev dependency. easyofd is heavy (PyMuPDF, reportlab), so its test runs only where
it is installed (see docs/licence-files.md for the throwaway venv recipe).
"""

from __future__ import annotations

import contextlib
import io

import pytest
from support import TEST_SEAL

from shared.ofd import render_licence_ofd
from shared.ofd.samples import SAMPLE_GENERATED_AT, sample_licence, sample_verify_url

HOLDER = sample_licence(holder_name="欧阳娜娜", sex="女", holder_id_number="11010219850512002X",
                        cert_number="11010219850512002X", category="焊接与热切割作业",
                        item="熔化焊接与热切割作业")


@pytest.fixture(scope="module")
def licence_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ofd") / "licence.ofd"
    path.write_bytes(render_licence_ofd(HOLDER, generated_at=SAMPLE_GENERATED_AT,
                                        verify_url=sample_verify_url(HOLDER), seal=TEST_SEAL))
    return path


def test_ofdkit_extracts_the_holder_number_and_item_without_warnings(licence_file):
    import ofdkit

    document = ofdkit.open(str(licence_file))
    text = document.text()
    assert {"欧阳娜娜", "11010219850512002X", "熔化焊接与热切割作业"} <= set(text.split())
    assert document.warnings == []
    assert document.info.custom_data["证照标识"] == HOLDER.licence_id
    assert document.info.custom_data["持证主体代码类型代码"] == "111"


def test_easyofd_parses_the_face_text_when_it_is_installed(licence_file):
    easyofd = pytest.importorskip("easyofd.ofd")
    reader = easyofd.OFD()
    with contextlib.redirect_stdout(io.StringIO()):  # easyofd prints as it parses
        reader.read(licence_file.read_bytes(), fmt="binary")
    texts = [t["text"] for page in reader.data for t in _text_items(page)]
    assert {"欧阳娜娜", "11010219850512002X", "熔化焊接与热切割作业"} <= set(texts)


def _text_items(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text_list":
                yield from value
            else:
                yield from _text_items(value)
    elif isinstance(node, list):
        for item in node:
            yield from _text_items(item)
