"""Licence files: sealed OFD files generated (and verified) per second on one core.

Baseline, measured in the same run: zipping the very same parts (already rendered bytes, same
compression) without laying out the face, building XML, drawing the QR code or signing.

The licences vary as real ones do (holders, work items, issuers, dates; `distinct_licences`),
so what the generator keeps from one file to the next (a line's text codes, a width) is kept
only where real licences repeat it. One file is generated before timing: what a portal does
once per process (the seal's precomputed table, lazy imports) is not a file's cost.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from bench.names import random_name
from shared.authorities import AUTHORITIES
from shared.catalogue import DEFAULT_CATALOGUE
from shared.identity import id_check_char
from shared.ofd import render_licence_ofd, verify_ofd
from shared.ofd.package import licence_parts, zip_parts
from shared.ofd.samples import SAMPLE_GENERATED_AT, sample_licence, sample_verify_url
from shared.ofd.seal import seal_key

FILES = 300
GOAL = 200  # files per second per core
SEAL = seal_key("certsim-bench-seal-seed")


def distinct_licences(count: int, seed: int = 20240927) -> list:
    """Return licences that differ as real ones do: serial (so every QR code and digest
    differs), holder (name, sex, ID number), work category and item, issuer and dates; fixed
    for a seed. Lines repeated on every licence (labels, title, seal) stay repeated."""
    rng = random.Random(seed)
    items = [(c, i) for c in DEFAULT_CATALOGUE.categories()
             for i in DEFAULT_CATALOGUE.items_of(c)]
    issuers = list(AUTHORITIES.values())
    licences = []
    for number in range(count):
        category, item = rng.choice(items)
        issuer = rng.choice(issuers)
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 38))
        sex = rng.choice("男女")
        first17 = (f"{issuer.region_code[:2]}0102{born:%Y%m%d}{rng.randrange(50):02d}"
                   f"{rng.choice('13579' if sex == '男' else '02468')}")
        id_number = first17 + id_check_char(first17)
        issued = date(2016, 1, 1) + timedelta(days=rng.randrange(365 * 9))
        name = random_name(rng, (1, 2, 2, 3))
        licences.append(sample_licence(
            certificate_key=f"{issued.year}{number:010d}",
            archive_code=f"{issuer.region_code}{issued.year}{number:08d}",
            holder_name=name, sex=sex, holder_id_number=id_number, cert_number=id_number,
            category=category, item=item, authority=issuer.name,
            authority_code=issuer.code, region_code=issuer.region_code,
            first_issued_on=issued, issued_on=issued, valid_from=issued,
            valid_to=issued.replace(year=issued.year + 6, day=min(issued.day, 28)),
            review_due_on=issued.replace(year=issued.year + 3, day=min(issued.day, 28)),
            review_passed_on=None, reviews=()))
    return licences


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
    warm = sample_licence()  # once per process, untimed: the seal's table, lazy imports
    render_licence_ofd(warm, generated_at=SAMPLE_GENERATED_AT, verify_url=sample_verify_url(warm),
                       seal=SEAL)
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
