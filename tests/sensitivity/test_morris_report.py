"""Morris has Sobol's wide-interval warning, and its figure's labels never overlap."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from partnersim.sensitivity.analysis import morris_warnings
from partnersim.sensitivity.figures import spread_labels


def _indices(rows):
    return pd.DataFrame(rows, columns=["outcome", "factor", "mu_star", "mu_star_conf"])


def test_an_interval_wider_than_mu_star_is_flagged():
    idx = _indices(
        [
            ("survival_rate", "coordinator", 0.169, 0.210),  # 0.42 wide around 0.169: could be nothing
            ("survival_rate", "funding_length", 0.675, 0.252),  # 0.50 wide around 0.675: a clear effect
            ("mean_trust", "staff_turnover", 0.071, 0.011),
        ]
    )
    warnings = morris_warnings(idx)
    assert len(warnings) == 1
    assert warnings[0].startswith("survival_rate: 1 of 2 intervals of mu* are wider than mu* itself")
    assert "coordinator, mu* = 0.169 ± 0.21" in warnings[0]
    assert morris_warnings(idx, limit=0.5) != warnings  # the limit is the study's morris.ci_limit


@pytest.mark.parametrize("seed", range(5))
def test_spread_labels_keeps_every_label_a_gap_apart_and_in_order(seed):
    ys = [*list(np.random.default_rng(seed).uniform(0, 1, 8).round(2)), 0.5, 0.5, 0.5]
    placed = spread_labels(ys, gap=0.05)
    order = np.argsort(ys, kind="stable")
    heights = [placed[i] for i in order]
    assert all(b - a >= 0.05 - 1e-12 for a, b in itertools.pairwise(heights))
    # a label moves no further than the stack it is in needs
    assert max(abs(p - y) for p, y in zip(placed, ys, strict=True)) <= 0.05 * len(ys)


def test_the_drawn_morris_labels_do_not_overlap(tmp_path, monkeypatch):
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    import partnersim.sensitivity.figures as figures

    kept = []
    monkeypatch.setattr(figures, "save_figure", lambda fig, path: kept.append(fig) or path)
    # eight factors, four of them at the same (mu*, sigma): the case that overlapped before
    rows = [("survival_rate", f"factor_{i}", 0.2, 0.05, 0.1, 0.2) for i in range(4)]
    rows += [("survival_rate", f"other_{i}", 0.1 + 0.01 * i, 0.02, 0.05, 0.1) for i in range(4)]
    idx = pd.DataFrame(rows, columns=["outcome", "factor", "mu_star", "mu_star_conf", "sigma", "mu"])
    figures.plot_morris(idx, tmp_path / "m.png", title="t", subtitle="N = 4 trajectories, R = 2 replicates")
    fig = kept[0]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[1]
    # the text alone, not the thin line joining it to its point
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts]
    assert len(boxes) == 8
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    assert "N = 4 trajectories, R = 2 replicates" in fig._suptitle.get_text()
    plt.close(fig)
