"""Licence files: sealed OFD files generated (and verified) per second on one core.

Baseline, measured in the same run: zipping the very same parts (already rendered bytes, same
compression) without laying out the face, building XML, drawing the QR code or signing.
"""

from __future__ import annotations

import time

from shared.ofd import render_licence_ofd, verify_ofd
from shared.ofd.package import licence_parts, zip_parts
from shared.ofd.samples import SAMPLE_GENERATED_AT, sample_licence, sample_verify_url
from shared.ofd.seal import seal_key

FILES = 300
GOAL = 200  # files per second per core
SEAL = seal_key("certsim-bench-seal-seed")


def distinct_licences(count: int) -> list:
    """Return licences that differ in serial (so every QR code and digest differs too)."""
    return [sample_licence(certificate_key=f"2023{i:010d}", archive_code=f"1100002023{i:08d}")
            for i in range(count)]


def rate(work, items) -> float:
    """Return items handled per second (process time of this single thread: one core)."""
    started = time.process_time()
    for item in items:
        work(item)
    return len(items) / (time.process_time() - started)


def run() -> list[dict]:
    licences = distinct_licences(FILES)
    urls = {lic.certificate_key: sample_verify_url(lic) for lic in licences}

    def render(lic):
        return render_licence_ofd(lic, generated_at=SAMPLE_GENERATED_AT,
                                  verify_url=urls[lic.certificate_key], seal=SEAL)

    prepared = [licence_parts(lic, generated_at=SAMPLE_GENERATED_AT,
                              verify_url=urls[lic.certificate_key])[0] for lic in licences[:50]]
    zip_rate = rate(lambda parts: zip_parts(parts, SAMPLE_GENERATED_AT), prepared * 6)
    render_rate = rate(render, licences)
    files = [render(lic) for lic in licences[:40]]
    verify_rate = rate(lambda data: verify_ofd(data, seal=SEAL), files)
    baseline = f"zip of the same parts, no XML/QR/seal: {zip_rate:,.0f} files/s"
    return [
        {"name": "OFD licence files generated (one core)", "value": render_rate,
         "unit": "files/s", "baseline": baseline, "baseline_value": zip_rate,
         "ratio": render_rate / zip_rate, "goal": f"≥ {GOAL} files/s",
         "met": render_rate >= GOAL},
        {"name": "OFD licence files verified (SM3 + SM2 via gmssl, one core)",
         "value": verify_rate, "unit": "files/s", "baseline": baseline,
         "baseline_value": zip_rate, "ratio": verify_rate / zip_rate, "goal": None, "met": None},
    ]
