"""Months per second of the classroom app's default system, as the app steps it.

Each month the app steps the model and draws a frame: the network layout
and SVG, four plots and the event log (:func:`partnersim.app.classroom.render_frame`).
This times both together over whole runs of the default system, against the
issue's target of five months a second, and the model alone for comparison.

    .venv/bin/python benchmarks/bench_app.py [--runs 3] [--months 120] [--students 30]

With ``--students N`` it also times participatory mode's shared run: each
month N students send choices, the run steps, each student's page reads what
its organisation knows and the teacher's page draws the network (the server's
work for N connected pages; the browsers' own drawing is not included).

Solara's own work (diffing the page and sending it to the browser) comes on
top; with the default play interval of 100 ms the page cannot go faster than
ten months a second anyway.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from partnersim.app.classroom import ClassroomModel, render_frame
from partnersim.app.network import network_svg
from partnersim.app.shared import CHOICES, SharedRun
from partnersim.lessons import DEFAULT_LESSON, LESSONS

TARGET = 5.0  # months a second


def months_per_second(months: int, seed: int, draw: bool) -> float:
    """Step a fresh default lesson model ``months`` times (drawing each month if ``draw``)."""
    params = {**LESSONS[DEFAULT_LESSON].parameters(), "rng": seed, "horizon": max(months, 1)}
    model = ClassroomModel(**params)
    if draw:
        render_frame(model)
    start = time.perf_counter()
    for _ in range(months):
        model.advance()
        if draw:
            render_frame(model)
    return months / (time.perf_counter() - start)


def shared_months_per_second(months: int, seed: int, students: int) -> float:
    """Months a second of a shared run with ``students`` playing (choices, step, every page's data)."""
    run = SharedRun({**LESSONS[DEFAULT_LESSON].parameters(), "rng": seed, "horizon": max(months, 1)})
    players = [run.join(run.join_code, f"student {i}") for i in range(students)]
    rng = random.Random(seed)
    start = time.perf_counter()
    for _ in range(months):
        for s in players:
            view = run.organisation_view(s.org)
            run.decide(
                s.key,
                {
                    (p["number"], what): rng.choice(CHOICES[what])
                    for p in view["partnerships"]
                    for what in ("attend", "hours")
                },
            )
        run.advance()
        for s in players:
            run.organisation_view(s.org)
        network_svg(run.model, run.model.layout)
    return months / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs (different seeds); the median is reported")
    parser.add_argument("--months", type=int, default=120, help="months a run (default: the horizon)")
    parser.add_argument(
        "--students", type=int, default=0, help="also time a shared run with this many students"
    )
    args = parser.parse_args(argv)
    app = [months_per_second(args.months, seed, draw=True) for seed in range(args.runs)]
    model = [months_per_second(args.months, seed, draw=False) for seed in range(args.runs)]
    median = statistics.median(app)
    print(f"app (step + frame): {median:8.1f} months/s  (runs: {', '.join(f'{v:.1f}' for v in app)})")
    print(f"model step alone:   {statistics.median(model):8.1f} months/s")
    print(f"target {TARGET:.0f} months/s: {'met' if median >= TARGET else 'NOT met'}")
    ok = median >= TARGET
    if args.students:
        shared = [shared_months_per_second(args.months, seed, args.students) for seed in range(args.runs)]
        shared_median = statistics.median(shared)
        print(
            f"shared run, {args.students} students: {shared_median:6.1f} months/s  "
            f"(runs: {', '.join(f'{v:.1f}' for v in shared)}); target {TARGET:.0f}: "
            f"{'met' if shared_median >= TARGET else 'NOT met'}"
        )
        ok = ok and shared_median >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
