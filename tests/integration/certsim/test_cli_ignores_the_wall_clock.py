"""Nothing in the world reads the wall clock: with the wall clock frozen years away from the
world's time, or jumping an hour at every read, the command line says and writes exactly what
it says and writes in real time (third-party code included: argon2, SQLAlchemy, the OFD
writer's zip entries, the seal).

The world's clock is paused here: a running one is anchored to the wall clock by design.
"""

from __future__ import annotations

import contextlib
import hashlib

import pytest
from freezegun import freeze_time

from certsim.cli import main

WALL_CLOCKS = {
    "real": contextlib.nullcontext,
    "frozen far away": lambda: freeze_time("2031-05-05 03:00:00", tick=False),
    "an hour per read": lambda: freeze_time("2019-01-01 00:00:00", auto_tick_seconds=3600),
}
STORY = [
    ["clock", "pause"],  # makes the world, paused at the wall clock's time (not compared)
    ["clock", "set", "2024-09-27T17:00:00+08:00"],
    ["issue", "--name", "张三", "--id-number", "110101199003070011", "--category", "电工作业",
     "--item", "低压电工作业"],
    ["clock", "advance", "1wd"],
    ["export", "LICENCE", "--out", "OUT"],
    ["revoke", "LICENCE", "--reason", "提供虚假材料取得证书"],
    ["explain", "LICENCE"],
    ["clock", "next-due"],
    ["clock"],
]


def tell_the_story(tmp_path, monkeypatch, capsys) -> list[str]:
    """Run the story's commands on a fresh world; return what each printed and the file's hash."""
    monkeypatch.setenv("CERTSIM_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MEM_PUBLIC_URL", "http://mem.test")
    for name in ("MEM_DATABASE_URL", "NATIONAL_DATABASE_URL", "CERTSIM_WORLD", "CERTSIM_CLOCK"):
        monkeypatch.delenv(name, raising=False)
    said, licence, out = [], None, tmp_path / "licence.ofd"
    for number, command in enumerate(STORY):
        argv = [licence if word == "LICENCE" else str(out) if word == "OUT" else word
                for word in command]
        assert main(argv) == 0, capsys.readouterr().err
        printed = capsys.readouterr()
        if command[0] == "issue":
            licence = printed.out.strip()
        if number:
            said += [text.replace(str(tmp_path), "VAR") for text in (printed.out, printed.err)]
    return [*said, hashlib.sha256(out.read_bytes()).hexdigest()]


@pytest.mark.parametrize("wall", [name for name in WALL_CLOCKS if name != "real"])
def test_the_command_line_says_and_writes_the_same_whatever_the_wall_clock(
        tmp_path, monkeypatch, capsys, wall):
    expected = tell_the_story(tmp_path / "real", monkeypatch, capsys)
    with WALL_CLOCKS[wall]():
        told = tell_the_story(tmp_path / "other", monkeypatch, capsys)
    assert told == expected
    assert "2024-10-08T00:00:00+08:00" in "".join(expected)  # the story reached next-due
