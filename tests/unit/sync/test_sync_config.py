"""The replicator's start-up configuration: every SYNC_* variable checked, bad ones refused."""

import subprocess
import sys

import pytest

from shared.errors import InvalidInput
from shared.wire import DEVELOPMENT_SECRET
from sync.__main__ import main
from sync.config import SyncConfig, load_config


def test_the_defaults_suit_make_run():
    config = load_config({})
    assert (config.interval, config.batch_size) == (5.0, 2500)
    assert config.secret == DEVELOPMENT_SECRET
    assert config.mem_url.startswith("http://127.0.0.1")


def test_every_variable_is_read():
    config = load_config({
        "SYNC_MEM_URL": "http://mem:9001/", "SYNC_NATIONAL_URL": "https://national:9002",
        "SYNC_SECRET": "s3cret",
        "SYNC_INTERVAL": "2.5", "SYNC_BATCH_SIZE": "500", "SYNC_MAX_BATCHES": "7",
        "SYNC_TIMEOUT": "3", "SYNC_LEASE_TTL": "30", "SYNC_MAX_ATTEMPTS": "4",
        "SYNC_BACKOFF_BASE": "0.5", "SYNC_BACKOFF_MAX": "60", "SYNC_TICK_POLL": "0",
        "SYNC_HOLDER": "replicator-a"})
    assert config.mem_url == "http://mem:9001" and config.national_url == "https://national:9002"
    assert config.secret == "s3cret"
    assert (config.interval, config.batch_size, config.max_batches) == (2.5, 500, 7)
    assert (config.timeout, config.lease_ttl, config.max_attempts) == (3, 30, 4)
    assert (config.backoff_base, config.backoff_max, config.tick_poll) == (0.5, 60, 0)
    assert config.holder == "replicator-a"


@pytest.mark.parametrize("name, value, says", [
    ("SYNC_INTERVAL", "soon", "not a number"),
    ("SYNC_BATCH_SIZE", "0", "out of range"),
    ("SYNC_BATCH_SIZE", "5001", "out of range"),
    ("SYNC_MEM_URL", "mem:9001", r"not an http\(s\) URL"),
    ("SYNC_BACKOFF_MAX", "0.1", "out of range"),
])
def test_a_bad_setting_is_refused_naming_the_variable(name, value, says):
    with pytest.raises(InvalidInput, match=says) as refused:
        load_config({name: value})
    assert refused.value.field == name


def test_python_m_sync_refuses_to_start_with_a_bad_setting(capsys):
    assert main({"SYNC_BATCH_SIZE": "0"}) == 2
    assert "refusing to start: SYNC_BATCH_SIZE" in capsys.readouterr().err


def test_the_module_entry_point_exits_with_status_2_on_a_bad_setting():
    done = subprocess.run([sys.executable, "-m", "sync"], env={"SYNC_INTERVAL": "soon", "PATH": ""},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "SYNC_INTERVAL" in done.stderr and "not a number" in done.stderr


def test_a_config_built_in_code_is_checked_too():
    with pytest.raises(InvalidInput, match="SYNC_HOLDER"):
        SyncConfig(secret="s", holder="")
