"""The lines the run-many commands (sweep, sobol, morris, compare) share, written once in commands/common.py."""

from __future__ import annotations

from partnersim.commands.common import runs_line, stale_note


def test_runs_line_says_what_was_kept_run_on_what_and_how_fast():
    assert runs_line(40, 12, 28, executor="processes", workers=2, seconds=0.5) == (
        "40 runs (12 kept from before, 28 run now, 56.0 runs/s) on processes with 2 worker(s); wall time 0.5 s"
    )


def test_runs_line_counts_renumbered_runs_among_the_kept_and_gives_no_rate_when_nothing_ran():
    line = runs_line(10, 10, 0, renumbered=3, seconds=0.2)
    assert line == "10 runs (10 kept from before, 3 of them renumbered and kept, 0 run now); wall time 0.2 s"


def test_stale_note_only_when_runs_were_run_again():
    assert stale_note(0) is None
    assert (
        stale_note(6)
        == "note: 6 runs finished earlier with other parameters, seeds or model code were run again"
    )


def test_the_rate_is_over_the_runs_own_time_when_the_command_also_analyses():
    line = runs_line(24, 0, 24, executor="serial", workers=1, seconds=4.0, run_seconds=2.0)
    assert (
        line
        == "24 runs (0 kept from before, 24 run now, 12.0 runs/s) on serial with 1 worker(s); wall time 4.0 s"
    )


def test_sobol_and_morris_say_which_runs_were_renumbered_or_run_again():
    from partnersim.commands.sobol import timing_line

    timing = {"runs": 8, "runs_resumed": 5, "runs_ran": 3, "runs_renumbered": 2, "runs_stale": 1,
              "executor": "serial", "workers": 1, "wall_seconds": 3.0, "run_seconds": 1.5}  # fmt: skip
    note, line = timing_line(timing).splitlines()
    assert note == stale_note(1)
    assert line.startswith(
        "8 runs (5 kept from before, 2 of them renumbered and kept, 3 run now, 2.0 runs/s)"
    )
