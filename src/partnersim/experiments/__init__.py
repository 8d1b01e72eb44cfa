"""Experiments: studies as data, sweeps with replicates, any executor, resumable results.

The public API, for ``partnersim sweep`` and for other designs (Sobol,
Morris, funding-policy comparisons) that reuse the same machinery:

**Specs** (:mod:`partnersim.experiments.specs`)

- ``RunSpec(run_id, point_id, replicate, seed, params)``: one run.
- ``make_specs(points, replicates, root_seed=R)``: every point x replicate,
  run ``i`` seeded by ``SeedSequence(R).spawn(n)[i]``;
  ``make_specs(points, replicates, seeds=[s0, s1, ...])``: replicate ``r``
  gets ``seeds[r]`` under every point (common random numbers).
- ``grid_points(factors)``, ``lhs_points(ranges, samples, seed)``,
  ``spawn_seeds(root, n)``.

**Running** (:mod:`partnersim.experiments.runner`)

- ``run_specs(specs, out=None, *, executor="serial"|"processes"|"dask"|Executor,
  workers=None, scheduler=None, chunk_size=None, fn=None, seed_param="rng",
  outcomes=None, timeseries=False, partnerships=False, fresh=False,
  progress=False, manifest=None) -> SweepRun``.
  With ``fn=None`` each run is the partnership model (summary outcomes,
  optionally its monthly series and partnership table); otherwise
  ``fn(**params, rng=seed)`` must return a mapping of scalars (pass
  ``seed_param=None`` for a function without a seed, such as Ishigami).
  Runs are sent in chunks (adaptive: about a second of work each, unless
  ``chunk_size`` is given); with ``out`` each finished chunk is saved at
  once and running again resumes, keeping only runs whose parameters, seed,
  task and model code are unchanged. Results are identical for every
  executor, worker count and chunking.
- ``SweepRun`` (earlier ``SweepResult``): ``runs`` (sorted by run_id), ``timeseries``,
  ``partnerships`` (both with ``run_id``), ``out``, ``n_resumed``,
  ``n_ran``, ``n_stale``, ``manifest``.
- ``open_executor(kind, workers, scheduler)``: the executors on their own.

**Results** (:mod:`partnersim.experiments.results`): the layout of
``results/<name>/`` (``runs.parquet``, ``timeseries.parquet``,
``partnerships.parquet``, ``manifest.json``, ``figures/``, ``chunks/``);
``load_runs(out)``, ``load_manifest(out)``.

**Study files** (:mod:`partnersim.experiments.study`)

- ``load_study(path) -> Study`` (``.specs()``, ``.output_dir(root)``,
  ``.resolved()``, ``.factor_names``).
- Helpers for other study files, each raising one ``ConfigError`` naming
  the file, key, value and what is allowed: ``check_keys``, ``check_name``,
  ``output_dir``, ``check_parameters``, ``check_factors``, ``check_points``,
  ``check_outcomes``, ``check_int``, ``check_bool``; ``read_toml`` is in
  :mod:`partnersim.config`.

**Figures** (:mod:`partnersim.experiments.figures`):
``plot_sweep(runs, factors, outcomes, outdir, timeseries=None, pair=None, continuous=())``
(effects, interactions, heatmaps, monthly series by factor) and
``plot_one(runs, kind, x, outcome, path, hue=...)`` for ``partnersim plot``.

**Finished folders** (:mod:`partnersim.experiments.finished`):
``open_results(path)`` reads a results folder back (runs, the factors that
vary, which were sampled from ranges, the outcomes, the monthly series) for
``partnersim plot`` and ``partnersim discover``.

Example::

    from partnersim.experiments import make_specs, run_specs

    specs = make_specs([{"staff_turnover": 0.1}, {"staff_turnover": 0.5}], 5, root_seed=1)
    result = run_specs(specs, "results/demo", executor="processes", workers=2)
    result.runs.groupby("staff_turnover")["survival_rate"].mean()
"""

from __future__ import annotations

from partnersim._lazy import lazy_attributes

# imported on first use, so `partnersim --help` and the CLI's parsers do not load the model
_WHERE = {
    "executors": ("EXECUTORS", "ExecutorInfo", "ExecutorUnavailable", "SerialExecutor", "open_executor"),
    "results": ("ResultStore", "load_manifest", "load_runs"),
    "runner": ("SweepResult", "SweepRun", "Task", "run_chunk", "run_specs"),
    "specs": ("RunSpec", "grid_points", "lhs_points", "make_specs", "spawn_seeds"),
    "study": (
        "Study",
        "check_bool",
        "check_factors",
        "check_int",
        "check_keys",
        "check_name",
        "check_outcomes",
        "check_parameters",
        "check_points",
        "load_study",
        "output_dir",
    ),
}
_MODULE = {name: module for module, names in _WHERE.items() for name in names}


__getattr__, __dir__ = lazy_attributes("partnersim.experiments", _MODULE, globals())


__all__ = [
    "EXECUTORS",
    "ExecutorInfo",
    "ExecutorUnavailable",
    "ResultStore",
    "RunSpec",
    "SerialExecutor",
    "Study",
    "SweepResult",
    "SweepRun",
    "Task",
    "check_bool",
    "check_factors",
    "check_int",
    "check_keys",
    "check_name",
    "check_outcomes",
    "check_parameters",
    "check_points",
    "grid_points",
    "lhs_points",
    "load_manifest",
    "load_runs",
    "load_study",
    "make_specs",
    "open_executor",
    "output_dir",
    "run_chunk",
    "run_specs",
    "spawn_seeds",
]
