"""casework.runtime: pauses of the collector are counted, whoever makes them."""

from __future__ import annotations

import gc
import sys

from casework import runtime


def test_a_pause_ending_never_undoes_another_still_running() -> None:
    assert gc.isenabled()
    runtime.busy()  # background work (the UI's jobs)
    with runtime.collector_paused():  # an export inside it
        assert not gc.isenabled()
    assert not gc.isenabled()  # the export's end did not restart it under the running job
    assert sys.getswitchinterval() == runtime.BUSY_SWITCH_INTERVAL_S
    runtime.idle(collect=False)
    assert gc.isenabled()
    assert sys.getswitchinterval() != runtime.BUSY_SWITCH_INTERVAL_S


def test_pauses_nest_from_either_end() -> None:
    with runtime.collector_paused():
        runtime.busy()
    assert not gc.isenabled()  # the job still runs
    runtime.idle(collect=False)
    assert gc.isenabled()
