"""The ingest pauses the cyclic garbage collector while it applies a batch, and only then."""

import gc

import pytest

from national_portal.replication import collector_paused


def test_the_collector_is_paused_while_a_batch_is_applied_and_on_again_after_a_failure():
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        assert not gc.isenabled()
        raise ValueError("a malformed batch")
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
