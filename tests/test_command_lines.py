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
