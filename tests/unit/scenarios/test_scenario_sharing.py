"""Sharing a replay: `-n N|auto` and `--shard i/n`, parsed and split (no replay here)."""

from __future__ import annotations

import argparse
import os
import zlib

import pytest
from support.paths import LIBRARY

from scenarios.cli import build_parser
from scenarios.loader import scenario_files
from scenarios.parallel import shard_files, shard_key, shard_option, workers_option


def parse(*options: str) -> argparse.Namespace:
    return build_parser().parse_args(["run", str(LIBRARY), *options])


def test_workers_default_to_one_and_auto_means_one_per_cpu():
    assert parse().workers == 1
    assert parse("-n", "3").workers == 3
    assert parse("-n", "auto").workers == (os.cpu_count() or 1)
    assert parse("--workers", "AUTO").workers == (os.cpu_count() or 1)


def test_a_shard_is_read_as_one_based_index_and_count():
    assert parse().shard is None
    assert parse("--shard", "2/3").shard == (2, 3)
    assert shard_option("1/1") == (1, 1)


@pytest.mark.parametrize("options, named", [
    (("-n", "0"), "-n/--workers"), (("-n", "-2"), "-n/--workers"), (("-n", "two"), "-n/--workers"),
    (("--shard", "3/2"), "--shard"), (("--shard", "x"), "--shard"), (("--shard", "0/2"), "--shard"),
    (("--shard", "1/0"), "--shard"), (("--shard", "1/"), "--shard"),
])
def test_bad_values_are_refused_naming_the_option(options, named, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse(*options)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {named}" in err and repr(options[1]) in err


def test_bad_option_values_say_what_is_allowed():
    with pytest.raises(argparse.ArgumentTypeError, match="≥ 1, or auto"):
        workers_option("0")
    with pytest.raises(argparse.ArgumentTypeError, match="1 ≤ i ≤ n"):
        shard_option("3/2")


@pytest.mark.parametrize("count", [1, 2, 3, 5, 40])
def test_shards_are_disjoint_and_cover_every_file_in_order(count):
    every = scenario_files([LIBRARY])
    shares = [shard_files([LIBRARY], (i, count)) for i in range(1, count + 1)]
    assert sorted(f for share in shares for f in share) == sorted(every)
    assert sum(len(share) for share in shares) == len(every)
    for share in shares:
        assert share == [f for f in every if f in share]  # the library's order within a share


def test_a_file_goes_to_the_same_shard_wherever_the_checkout_lives(tmp_path):
    """Keyed by the path under the PATH given, not by where that PATH is on the machine."""
    for where in (tmp_path / "a" / "library", tmp_path / "b" / "deeper" / "library"):
        (where / "sub").mkdir(parents=True)
        for name in ("one.yaml", "two.yaml", "sub/three.yaml", "sub/four.yml"):
            (where / name).write_text("version: 1\n", "utf-8")
    splits = [[[f.relative_to(root).as_posix() for f in shard_files([root], (i, 2))]
               for i in (1, 2)]
              for root in (tmp_path / "a" / "library", tmp_path / "b" / "deeper" / "library")]
    assert splits[0] == splits[1]


def test_the_split_is_the_crc32_of_the_relative_path():
    for file in scenario_files([LIBRARY]):
        relative = file.relative_to(LIBRARY).as_posix()
        [share] = [i for i in (1, 2, 3) if file in shard_files([LIBRARY], (i, 3))]
        assert share == zlib.crc32(relative.encode()) % 3 + 1


def test_a_file_given_by_itself_is_keyed_by_its_name():
    file = LIBRARY / "delay_weekend.yaml"
    [share] = [i for i in (1, 2, 3, 4) if shard_files([file], (i, 4))]
    assert share == shard_key("delay_weekend.yaml") % 4 + 1
