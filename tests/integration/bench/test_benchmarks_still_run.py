"""The benches' functions still run, at toy sizes (no timing is asserted: speed is
measured only by `make bench`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import pages
from bench import scenarios as bench
from scenarios.loader import load_files


def test_the_users_environment_has_no_password_cost_of_the_test_suite(monkeypatch):
    monkeypatch.setenv("MEM_PASSWORD_COST", "simulation")
    monkeypatch.setenv("CERTSIM_FAST_HASH", "1")
    environment = bench.users_environment()
    assert not set(bench.NOT_THE_USERS) & set(environment)
    assert "PATH" in environment


def test_generated_files_load_with_new_people_and_are_the_same_for_a_seed(tmp_path):
    first = bench.generate_files(tmp_path / "a", 20)
    again = bench.generate_files(tmp_path / "b", 20)
    assert [p.read_text("utf-8") for p in first] == [p.read_text("utf-8") for p in again]
    generated = load_files([tmp_path / "a"])
    library = {Path(s.path).name: s for s in load_files([bench.LIBRARY])}
    assert len({s.name for s in generated}) == 20
    for scenario in generated:
        pattern = library[Path(scenario.path).name.split("_", 1)[1]]
        if pattern.snapshot is None and pattern.people:
            old = {(p.name, p.id_number) for p in pattern.people.values()}
            assert not old & {(p.name, p.id_number) for p in scenario.people.values()}


def test_generated_files_replay_green_on_every_worker_and_on_one(tmp_path):
    rate = bench.throughput(count=3, subset=2)
    assert (rate["files"], rate["one_files"]) == (3, 2)
    assert rate["auto"] > 0 and rate["one"] > 0


def test_the_cold_and_warm_rows_still_run():
    assert bench.timed_process("-c", "pass") > 0
    wall, simulated, scenarios, steps = bench.warm_replay()
    assert scenarios == len(load_files([bench.LIBRARY])) and steps > scenarios
    assert bench.round_trip_ms(calls=3) > 0


@pytest.mark.parametrize("name", sorted(pages.PORTALS))
def test_the_page_bench_loads_each_portal_served_by_the_make_run_command(name, tmp_path,
                                                                          monkeypatch):
    for constant, toy in (("ACCOUNTS", 40), ("SAMPLE", 10), ("WARMUP", 5),
                          ("LOAD_REQUESTS", 20)):
        monkeypatch.setattr(pages, constant, toy)
    portal, db = pages.PORTALS[name], tmp_path / f"{name}.db"
    assert pages.build_database(portal, db) > 0
    app = pages.make_app(portal, db)
    cookies = pages.log_in_sample(portal, db, app)
    app.extensions["certsim"].engine.dispose()
    page, hello = pages.measure_throughput(portal, db, cookies,
                                           app.config["SESSION_COOKIE_NAME"])
    assert page.rate > 0 and hello.rate > 0 and page.server_ms > 0


def test_the_ofd_bench_licences_vary_as_real_ones_do_and_each_renders_a_genuine_file():
    from bench import ofd
    from shared.identity import id_check_char
    from shared.ofd.samples import SAMPLE_GENERATED_AT, sample_verify_url

    licences = ofd.distinct_licences(12)
    assert len({lic.certificate_key for lic in licences}) == 12
    assert len({lic.holder_name for lic in licences}) > 6
    assert len({(lic.category, lic.item) for lic in licences}) > 6
    assert all(lic.holder_id_number[17] == id_check_char(lic.holder_id_number[:17])
               for lic in licences)
    assert ofd.distinct_licences(12) == licences  # the same for a seed
    for lic in licences[:3]:
        data = ofd.render_licence_ofd(lic, generated_at=SAMPLE_GENERATED_AT,
                                      verify_url=sample_verify_url(lic), seal=ofd.SEAL)
        assert ofd.verify_ofd(data, seal=ofd.SEAL).genuine
