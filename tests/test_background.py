"""Work on the second core: forked jobs, deferred cache writes, a batch shared with a helper."""

from __future__ import annotations

import itertools
import os
import time
from functools import partial
from pathlib import Path

import pytest
from backchannel.background import Deferred, Forked
from backchannel.parallel import in_two


def pid_and(value: int) -> tuple[int, int]:
    return os.getpid(), value * 2


def fail() -> None:
    raise ValueError("no such thing")


def die_in_child(parent: int) -> int:
    if os.getpid() != parent:
        os._exit(3)  # a helper killed mid-job
    return 42


def test_a_forked_job_runs_in_a_child_and_returns_its_value():
    pid, value = Forked(pid_and, 21).result()
    assert value == 42 and pid != os.getpid()


def test_a_small_job_runs_here():
    assert Forked(pid_and, 1, worth_it=False).result() == (os.getpid(), 2)


def test_the_childs_error_is_raised_by_result():
    with pytest.raises(ValueError, match="no such thing"):
        Forked(fail).result()


def test_a_child_that_dies_is_computed_here():
    assert Forked(die_in_child, os.getpid()).result() == 42


def test_a_discarded_job_leaves_no_child():
    job = Forked(pid_and, 1)
    job.discard()
    assert job._process is None


def write_pid(path: Path) -> None:
    path.write_text(str(os.getpid()))


def test_deferred_calls_run_together_in_one_child(tmp_path):
    later = Deferred()
    later.add(write_pid, tmp_path / "a")
    later.add(write_pid, tmp_path / "b")
    assert not (tmp_path / "a").exists()  # queued, not run
    later.start()
    later.wait()
    pids = {(tmp_path / name).read_text() for name in "ab"}
    assert len(pids) == 1 and pids != {str(os.getpid())}


def test_a_failed_deferred_child_is_logged_not_raised(tmp_path, caplog):
    later = Deferred()
    later.add(write_pid, tmp_path / "missing-folder" / "a")
    later.start()
    later.wait()
    assert "writing the caches failed" in caplog.text


def doubled(values):
    return [(os.getpid(), v * 2) for v in values]


def doubled_slowly(values):
    time.sleep(0.005 * len(values))  # long enough for the helper to start and take chunks
    return doubled(values)


def test_in_two_shares_a_big_batch_and_keeps_the_order():
    out = in_two(doubled_slowly, list(range(200)), minimum=10)
    assert [v for _, v in out] == [v * 2 for v in range(200)]
    pids = [pid for pid, _ in out]
    assert len(set(pids)) == 2
    # This process works from the front, the helper from the back: one switch.
    assert pids[0] == os.getpid() and pids[-1] != os.getpid()
    assert sum(1 for a, b in itertools.pairwise(pids) if a != b) == 1


def dies_in_the_helper(parent: int, values):
    if os.getpid() != parent:
        os._exit(3)
    return doubled_slowly(values)


def test_in_two_finishes_here_what_a_dead_helper_took():
    out = in_two(partial(dies_in_the_helper, os.getpid()), list(range(100)), minimum=10)
    assert out == [(os.getpid(), v * 2) for v in range(100)]


def test_in_two_keeps_a_small_batch_here():
    assert {pid for pid, _ in in_two(doubled, list(range(5)), minimum=10)} == {os.getpid()}
