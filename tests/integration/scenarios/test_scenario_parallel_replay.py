"""`-n N` replays on worker processes and reports as one replay; `--shard` replays a share."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from support.paths import LIBRARY

from scenarios.cli import main
from scenarios.loader import load_files, scenario_files
from scenarios.parallel import shard_key

WALL = re.compile(r"\d+\.\d\d s wall( on \d+ workers)?")


def test_the_library_on_two_workers_gives_the_same_report_and_one_junit_and_html(tmp_path,
                                                                                  capsys):
    assert main(["run", str(LIBRARY), "--no-color"]) == 0
    alone = capsys.readouterr().out
    junit, html = tmp_path / "junit.xml", tmp_path / "report.html"
    assert main(["run", str(LIBRARY), "-n", "2", "--no-color", "--junit", str(junit),
                 "--html", str(html)]) == 0
    shared = capsys.readouterr().out
    assert "s wall on 2 workers" in shared.splitlines()[-1]
    assert WALL.sub("…", shared) == WALL.sub("…", alone)  # same steps, order and verdicts
    scenarios = load_files([LIBRARY])
    cases = ET.parse(junit).getroot().findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [s.name for s in scenarios]
    assert all(c.find("failure") is None and c.find("error") is None for c in cases)
    page = html.read_text("utf-8")
    assert all(s.name in page for s in scenarios)


def test_a_failing_file_on_a_worker_fails_the_replay(tmp_path, capsys):
    failing = tmp_path / "failing.yaml"
    failing.write_text((LIBRARY / "delay_weekend.yaml").read_text("utf-8").replace(
        "expect: {error: not_found}", "expect: {bound: [c1]}", 1), "utf-8")
    assert main(["run", str(failing), str(LIBRARY / "face_check_failing.yaml"), "-n", "2",
                 "--no-color"]) == 1
    assert "1 passed, 1 failed" in capsys.readouterr().out


def test_an_empty_shard_says_so_and_succeeds(capsys):
    file = LIBRARY / "delay_weekend.yaml"
    other = 2 - shard_key(file.name) % 2  # the share this file is not in
    assert main(["run", str(file), "--shard", f"{other}/2"]) == 0
    assert f"shard {other}/2 holds none of the 1 files" in capsys.readouterr().out


def test_a_shard_replays_only_its_share(capsys):
    share = [f for f in scenario_files([LIBRARY]) if shard_key(f.name) % 4 == 0]
    assert main(["run", str(LIBRARY), "--shard", "1/4", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert f"{len(share)} scenarios: {len(share)} passed" in out
    assert all(str(f) in out for f in share)


def test_a_live_replay_refuses_more_than_one_worker(capsys):
    status = main(["run", str(LIBRARY), "-n", "2", "--mem-url", "http://127.0.0.1:9",
                   "--national-url", "http://127.0.0.1:9"])
    assert status == 2
    err = capsys.readouterr().err
    assert "-n 2" in err and "live replay" in err and "one world" in err
