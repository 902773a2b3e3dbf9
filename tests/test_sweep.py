"""neurochaos.sweep (issue 16): grid and seeds, the results table, skip-finished, faults, bad input, SLURM, CLI.

One 2-worker LocalCluster (``cluster``, made by :func:`neurochaos.sweep.local_cluster`)
serves most tests; one test starts its own 1-worker cluster to compare. Test tasks
live in ``tests/sweep_tasks.py``, which the workers import through PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import neurochaos
from neurochaos.cli import main
from neurochaos.errors import ConfigError, ExecutorUnavailableError, OutputLockedError
from neurochaos.sweep import (
    REPLICATE,
    Grid,
    load_slurm_config,
    load_spec,
    local_cluster,
    make_spec,
    point_seed,
    read_rows,
    read_table,
    summarise,
    sweep,
    task_names,
)
from neurochaos.sweep.table import ResultsTable

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
SMOKE = ROOT / "experiments" / "chaos_transition" / "sweep_smoke.toml"
TINY = {"T": 5.0, "transient": 2.0, "max_lag": 1.0}  # simulate-and-measure in well under a second


@pytest.fixture(scope="module", autouse=True)
def _tasks_importable():
    """tests/sweep_tasks.py importable here and in the workers this module starts (PYTHONPATH)."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), old) if p)
    sys.path.insert(0, str(HERE))
    yield
    sys.path.remove(str(HERE))
    if old is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old


@pytest.fixture(scope="module")
def cluster(_tasks_importable):
    """A 2-worker local cluster whose workers can import tests/sweep_tasks.py."""
    c = local_cluster(2, retries=2)
    yield c
    c.close()


def _rows(out) -> dict:
    return {tuple(r[k] for k in ("g", "N", REPLICATE)): r for r in read_rows(out)}


# ----------------------------------------------------------------------------------------------- grid and seeds
def test_point_seeds_depend_only_on_the_root_seed_and_the_point():
    small = {p.key: p for p in Grid({"g": [1.0, 2.0], "N": [10]}, replicates=2).points(seed=7)}
    grown = Grid({"N": [10, 20], "g": [0.5, 1.0, 2.0]}, points=[{"g": 9.0, "N": 5}], replicates=3).points(seed=7)
    grown = {p.key: p for p in grown}
    assert len(grown) == (2 * 3 + 1) * 3
    assert set(small) <= set(grown)  # adding values and axes order: same keys ...
    assert all(grown[k].seed == p.seed and grown[k].params == p.params for k, p in small.items())  # ... same seeds
    other_root = {p.key: p.seed for p in Grid({"g": [1.0, 2.0], "N": [10]}, replicates=2).points(seed=8)}
    assert all(other_root[k] != p.seed for k, p in small.items())
    seeds = [p.seed for p in grown.values()]
    assert len(set(seeds)) == len(seeds) and all(0 <= s < 2**31 for s in seeds)
    assert all(point_seed(7, p.params) == p.seed for p in small.values())


def test_explicit_points_join_the_product_without_duplicates():
    g = Grid({"g": [1.0, 2.0]}, points=[{"g": 2.0}, {"g": 3.0}])
    assert [p.params["g"] for p in g.points(0)] == [1.0, 2.0, 3.0]
    only = Grid(points=[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], replicates=2)
    assert only.names == ("a", "b", REPLICATE) and len(only) == 4


def test_integers_given_for_float_parameters_are_the_same_point():
    a = make_spec("simulate-and-measure", {"g": [2], "N": [10]})
    b = make_spec("simulate-and-measure", {"g": [2.0], "N": [10]})
    assert [p.key for p in a.grid.points(0)] == [p.key for p in b.grid.points(0)]
    assert a.hash == b.hash and a.grid.axes["g"] == (2.0,)


def test_results_do_not_depend_on_the_number_of_workers(tmp_path, cluster):
    grid = {"g": [0.5, 3.0], "N": [20]}
    one = sweep("simulate-and-measure", grid, params=TINY, out=tmp_path / "one", n_workers=1, progress=False)
    two = sweep("simulate-and-measure", grid, params=TINY, out=tmp_path / "two", cluster=cluster, progress=False)
    assert one.n_run == two.n_run == 2 and one.spec_hash == two.spec_hash
    a, b = read_rows(tmp_path / "one"), read_rows(tmp_path / "two")
    metrics = ("key", "seed", "delta0", "lambda_max", "participation_ratio", "tau_ac")
    assert [[r[m] for m in metrics] for r in a] == [[r[m] for m in metrics] for r in b]  # bit-exact on the CPU
    by_g = {r["g"]: r for r in a}
    assert by_g[0.5]["lambda_max"] < 0 < by_g[3.0]["delta0"]


# ----------------------------------------------------------------------------------------------- the table
def _row(key, **metrics):
    return {"key": key, "g": 1.0, REPLICATE: 0, "seed": 1, **metrics, "wall_s": 0.1, "worker": "h:1", "error": None}


def test_table_rows_are_one_per_key_whole_files_and_survive_compaction(tmp_path):
    t = ResultsTable(tmp_path, ["g", REPLICATE])
    t.write_row(_row("a", m=1.0))
    t.write_row(_row("b", m=2))
    (tmp_path / "rows" / ".c.json.vm-99999-0000abcd.part.json").write_text('{"key": "c", "m": ')  # killed writer
    assert sorted(t.rows()) == ["a", "b"]  # a half-written file is never read
    assert t.compact() == 2 and not list((tmp_path / "rows").glob("[!.]*.json"))
    t.write_row(_row("a", m=5.0))  # a newer record of a key replaces it: still one row
    assert [r["m"] for r in read_rows_of(tmp_path)] == [5.0, 2.0]
    # killed between writing the table and removing the merged row files: rows in both places, read once
    t.compact()
    t.write_row(_row("b", m=2))
    assert len(t.rows()) == 2
    t.remove_stale_temps()
    assert not list((tmp_path / "rows").glob(".*"))
    table = t.to_arrow(sorted(t.rows().values(), key=lambda r: r["key"]))
    assert table.column_names[:4] == ["key", "g", REPLICATE, "seed"] and table.column_names[-3:] == [
        "wall_s",
        "worker",
        "error",
    ]
    assert str(table.schema.field("m").type) == "double"  # 2 and 5.0 in one column: float


def read_rows_of(folder):
    return sorted(ResultsTable(folder).rows().values(), key=lambda r: r["key"])


def test_a_metric_whose_type_changes_between_rows_is_flagged(tmp_path):
    t = ResultsTable(tmp_path, ["g", REPLICATE])
    t.write_row(_row("a", m=1.0))
    assert t.conflicts(_row("b", m="high")) == ["m: str 'high' where earlier rows have float"]
    assert t.conflicts(_row("b", m=3)) == []


# ----------------------------------------------------------------------------------------------- skip finished
def test_rerun_does_nothing_and_a_grown_grid_runs_only_the_new_points(tmp_path, cluster):
    out = tmp_path / "s"
    grid = {"g": [0.5, 3.0], "N": [20]}
    first = sweep("simulate-and-measure", grid, params=TINY, out=out, cluster=cluster, progress=False)
    assert (first.n_points, first.n_run, first.n_skipped, first.n_errors) == (2, 2, 0, 0)
    before = (out / "table.parquet").read_bytes()
    t0 = time.perf_counter()
    again = sweep("simulate-and-measure", grid, params=TINY, out=out, cluster="tcp://127.0.0.1:1", progress=False)
    assert again.n_run == 0 and again.n_skipped == 2  # finished points: no task, not even a connection
    assert time.perf_counter() - t0 < 2.0 and (out / "table.parquet").read_bytes() == before
    old = _rows(out)
    grown = sweep("simulate-and-measure", {"g": [0.5, 1.5, 3.0], "N": [20]}, params=TINY, out=out, cluster=cluster,
                  progress=False)  # fmt: skip
    assert (grown.n_run, grown.n_skipped) == (1, 2)
    new = _rows(out)
    assert all(new[k] == v for k, v in old.items()) and len(new) == 3
    runs = json.loads((out / "sweep.json").read_text())["runs"]
    assert [r["run"] for r in runs] == [2, 0, 1]


# ----------------------------------------------------------------------------------------------- faults
def test_a_worker_killed_mid_sweep_loses_nothing_and_duplicates_nothing(tmp_path, cluster):
    pids, out = tmp_path / "pids", tmp_path / "s"
    box = {}

    def run():
        try:
            box["res"] = sweep(
                "sweep_tasks:sleepy", {"x": list(range(6))}, params={"seconds": 1.5, "pids": str(pids)}, out=out,
                cluster=cluster, progress=False,
            )  # fmt: skip
        except BaseException as exc:  # surfaced below
            box["exc"] = exc

    th = threading.Thread(target=run)
    th.start()
    deadline = time.monotonic() + 60
    while not (pids.is_dir() and any(pids.iterdir())) and time.monotonic() < deadline and th.is_alive():
        time.sleep(0.05)
    assert "exc" not in box, box["exc"]
    victim_file = sorted(pids.iterdir())[0]
    x_killed, pid = (int(v) for v in victim_file.name.split("-"))
    os.kill(pid, signal.SIGKILL)  # mid-task: it sleeps 1.5 s after writing this file
    th.join(120)
    assert not th.is_alive() and "exc" not in box, box.get("exc")
    res = box["res"]
    assert (res.n_run, res.n_errors) == (6, 0)
    rows = read_rows(out)
    assert sorted(r["x"] for r in rows) == list(range(6))  # every point exactly once
    assert len({r["key"] for r in rows}) == 6 and all(r["error"] is None and r["y"] == 2 * r["x"] for r in rows)
    killed = next(r for r in rows if r["x"] == x_killed)
    assert killed["pid"] != pid  # it was rerun in another worker process
    assert len([f for f in pids.iterdir() if f.name.startswith(f"{x_killed}-")]) >= 2  # ... after being started


def test_a_point_whose_workers_all_die_is_recorded_as_killed_worker(tmp_path, cluster):
    allowed = cluster.scheduler.allowed_failures
    cluster.scheduler.allowed_failures = 0  # retries = 0 on this (in-process) scheduler
    try:
        res = sweep("sweep_tasks:dies_on", {"x": [0, 1]}, out=tmp_path / "s", cluster=cluster, progress=False)
    finally:
        cluster.scheduler.allowed_failures = allowed
    rows = {r["x"]: r for r in read_rows(tmp_path / "s")}
    assert (res.n_run, res.n_errors) == (2, 1) and rows[0]["y"] == 0
    assert rows[1]["error"].startswith("KilledWorker: ") and rows[1]["worker"] is None


def test_a_point_the_task_rejects_is_recorded_and_the_sweep_goes_on(tmp_path, cluster):
    out = tmp_path / "s"
    res = sweep("simulate-and-measure", {"g": [2.0], "N": [0, 20]}, params=TINY, out=out, cluster=cluster,
                progress=False)  # fmt: skip
    assert (res.n_run, res.n_errors) == (2, 1)
    rows = {r["N"]: r for r in read_rows(out)}
    assert rows[0]["error"].startswith("ConfigError: `N` must be an integer >= 1, got 0")
    assert rows[0]["delta0"] is None and rows[20]["error"] is None and rows[20]["delta0"] > 0
    assert "Traceback" in (out / "points" / rows[0]["key"] / "error.txt").read_text()
    again = sweep("simulate-and-measure", {"g": [2.0], "N": [0, 20]}, params=TINY, out=out, cluster=cluster,
                  progress=False, retry_errors=True)  # fmt: skip
    assert (again.n_run, again.n_skipped, again.n_errors) == (1, 1, 1)


def test_a_metric_that_is_not_a_scalar_is_an_error_of_that_point(tmp_path, cluster):
    res = sweep("sweep_tasks:returns_array", {"a": [1, 2]}, out=tmp_path / "s", cluster=cluster, progress=False)
    rows = {r["a"]: r for r in read_rows(tmp_path / "s")}
    assert res.n_errors == 1 and "a number, string, boolean or None" in rows[1]["error"] and rows[2]["v"] == 1.0


def test_a_locked_folder_is_refused(tmp_path):
    from neurochaos.io import folder_lock

    with folder_lock(tmp_path / "s", "sweep"), pytest.raises(OutputLockedError, match="`out`"):
        sweep("sweep_tasks:untyped", {"a": [1]}, out=tmp_path / "s", cluster="tcp://127.0.0.1:1", progress=False)


# ----------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "task, grid, params, message",
    [
        ("nosuch", {"g": [1.0]}, None, "`task` must be one of 'gain-cycle', 'lyapunov', 'simulate-and-measure'"),
        ("nosuch_module:f", {"g": [1.0]}, None, "`task` must be an importable 'module:function'"),
        ("neurochaos.io:nosuch", {"g": [1.0]}, None, "module 'neurochaos.io' has no function 'nosuch'"),
        ("lyapunov", {"g": []}, None, "`grid.g` must be a non-empty list of values, got []"),
        ("lyapunov", {"g": 2.0}, None, "`grid.g` must be a non-empty list of values, got 2.0"),
        ("lyapunov", {}, None, "`grid` must be at least one axis or explicit point"),
        ("lyapunov", {"N": [100, 1.5]}, None, "`grid.N` must be an integer (task 'lyapunov' takes N: int), got 1.5"),
        (
            "lyapunov",
            {"g": ["big"]},
            None,
            "`grid.g` must be a real number (task 'lyapunov' takes g: float), got 'big'",
        ),
        ("lyapunov", {"g": [True]}, None, "`grid.g` must be a real number"),
        ("lyapunov", {"g": [{"a": 1}]}, None, "`grid.g` must be numbers, strings or booleans"),
        ("lyapunov", {"g": [float("nan")]}, None, "`grid.g` must be finite"),
        ("lyapunov", {"g": [1.0, 1.0]}, None, "`grid.g` must be a list of distinct values"),
        ("lyapunov", {"gain": [1.0]}, None, "`grid.gain` must be a parameter of task 'lyapunov' (one of: N, P, T"),
        ("lyapunov", {"seed": [1, 2]}, None, "`grid.seed` must be a task parameter, not one the sweep sets itself"),
        ("lyapunov", {"replicate": [1]}, None, "`grid.replicate` must be set through `replicates`"),
        ("lyapunov", {"g": [1.0]}, {"g": 2.0}, "`params.g` must be either fixed or on an axis, not both"),
        ("lyapunov", {"g": [1.0]}, {"k": "all"}, "`params.k` must be an integer (task 'lyapunov' takes k: int | None)"),
        (
            "train-and-evaluate",
            {"training.k": [0.01]},
            None,
            "required parameter of task 'train-and-evaluate' (config)",
        ),
    ],
)
def test_bad_sweeps_are_refused_before_anything_is_written(tmp_path, task, grid, params, message):
    with pytest.raises(ConfigError) as info:
        sweep(task, grid, params=params, out=tmp_path / "s", progress=False)
    assert message in str(info.value)
    assert not (tmp_path / "s").exists()


def test_an_unreachable_scheduler_is_a_clear_error_within_the_timeout(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(
        ExecutorUnavailableError, match=r"`scheduler` 'tcp://127.0.0.1:1' could not be reached within 2 s"
    ):
        sweep("sweep_tasks:untyped", {"a": [1]}, out=tmp_path / "s", cluster="tcp://127.0.0.1:1", timeout_s=2.0,
              progress=False)  # fmt: skip
    assert time.perf_counter() - t0 < 10
    assert not (tmp_path / "s").exists()  # the folder it had made is gone: nothing was done
    with pytest.raises(ConfigError, match="`scheduler` must be an address such as tcp://HOST:8786"):
        sweep("sweep_tasks:untyped", {"a": [1]}, out=tmp_path / "s", cluster="foo://x", progress=False)
    with pytest.raises(ConfigError, match="`n_workers` must be left out when a cluster"):
        sweep("sweep_tasks:untyped", {"a": [1]}, out=tmp_path / "s", cluster="tcp://x:1", n_workers=2)


def test_a_folder_of_another_spec_or_other_files_is_refused(tmp_path, cluster):
    out = tmp_path / "s"
    sweep("sweep_tasks:seeded", {"a": [1, 2]}, out=out, cluster=cluster, progress=False)
    before = sorted(p.name for p in out.rglob("*"))
    for kw, diff in (
        ({"params": {"b": "v"}}, "params.b 'u' -> 'v'"),
        ({"seed": 3}, "seed 0 -> 3"),
        ({"grid": {"a": [1], "b": ["u"]}}, "axes ['a', 'replicate'] -> ['a', 'b', 'replicate']"),
    ):
        args = {"grid": {"a": [1, 2]}, **kw}
        with pytest.raises(ConfigError, match=r"`out` must be a new folder or one made by this spec") as info:
            sweep("sweep_tasks:seeded", out=out, cluster=cluster, progress=False, **args)
        assert diff in str(info.value)
    assert sorted(p.name for p in out.rglob("*")) == before
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="`out` must be a new or empty folder, or a sweep folder"):
        sweep("sweep_tasks:seeded", {"a": [1]}, out=tmp_path / "other", cluster=cluster)
    with pytest.raises(ConfigError, match="`out` must be a folder for the sweep"):
        sweep("sweep_tasks:seeded", {"a": [1]}, out=tmp_path / "other" / "notes.txt", cluster=cluster)


def test_the_task_gets_the_point_seed_its_axes_and_the_fixed_parameters(tmp_path, cluster):
    sweep("sweep_tasks:seeded", {"a": [1, 2], "b": ["u", "v"]}, params={"c": 2}, out=tmp_path / "s",
          cluster=cluster, seed=5, progress=False)  # fmt: skip
    rows = read_rows(tmp_path / "s")
    assert len(rows) == 4 and all(r["b_seen"] == r["b"] and r["c_seen"] == 2.0 for r in rows)
    assert all(isinstance(r["c_seen"], float) for r in rows)  # an int given for a float parameter arrives as float
    for r in rows:
        assert r["seed_seen"] == r["seed"] == point_seed(5, {"a": r["a"], "b": r["b"], REPLICATE: 0})
        assert r["draw"] == float(np.random.default_rng(r["seed"]).random())


def test_the_spec_file_checks_its_sections_and_resolves_paths(tmp_path):
    spec = load_spec(ROOT / "experiments" / "chaotic_generation" / "sweep.toml")
    assert Path(spec.params["config"]).is_absolute() and Path(spec.params["config"]).exists()
    assert "training.k" in spec.grid.axes and len(spec.grid) == 36
    bad = tmp_path / "bad.toml"
    for text, message in (
        ("[sweep]\ntask = 'lyapunov'\n[grid]\ng = [1.0]\n[colour]\n", "`spec` sections must be among"),
        ("[sweep]\ntask = 'lyapunov'\nworkers = 2\n[grid]\ng = [1.0]\n", "`sweep` keys must be among"),
        ("[grid]\ng = [1.0]\n", "`sweep.task` must be given in a [sweep] table"),
        ("[sweep]\ntask = 'lyapunov'\nreplicates = 0\n[grid]\ng = [1.0]\n", "`replicates` must be an integer >= 1"),
        ("[sweep]\ntask = 'lyapunov'\n[grid]\ng = [1.0]\n[[points]]\nN = 3\n", "`points[0]` must be a table with"),
        ("[sweep]\ntask = 'lyapunov'\n[grid]\nN = ['x']\n", "`grid.N` must be an integer"),
    ):
        bad.write_text(text)
        with pytest.raises(ConfigError) as info:
            load_spec(bad)
        assert message in str(info.value) and str(bad) in str(info.value), str(info.value)


def test_a_spec_with_a_path_parameter_has_the_same_identity_in_another_clone(tmp_path):
    """Path parameters enter the spec hash relative to the spec file, so a moved checkout continues its folders."""
    hashes = []
    for clone in ("a", "b"):
        folder = tmp_path / clone / "experiment"
        folder.mkdir(parents=True)
        (folder / "base.toml").write_text("[model]\n")
        (folder / "sweep.toml").write_text(
            "[sweep]\ntask = 'train-and-evaluate'\n[params]\nconfig = 'base.toml'\n[grid]\n'model.g' = [1.5]\n"
        )
        spec = load_spec(folder / "sweep.toml")
        assert spec.params["config"] == str(folder / "base.toml")  # the task still gets the whole path
        hashes.append(spec.hash)
    assert hashes[0] == hashes[1]
    other = tmp_path / "a" / "experiment" / "other.toml"
    other.write_text("[sweep]\ntask = 'train-and-evaluate'\n[params]\nconfig = 'x.toml'\n[grid]\n'model.g' = [1.5]\n")
    assert load_spec(other).hash != hashes[0]  # another base config is another sweep


def test_every_committed_sweep_spec_loads():
    specs = sorted(ROOT.glob("experiments/*/sweep*.toml"))
    assert len(specs) >= 3
    for path in specs:
        spec = load_spec(path)
        assert spec.task.name in task_names() and len(spec.grid) >= 1


# ----------------------------------------------------------------------------------------------- built-in tasks
def test_builtin_tasks_return_scalar_metrics(tmp_path, tiny_train_toml):
    from neurochaos.sweep.builtin_tasks import gain_cycle, lyapunov, train_and_evaluate

    m = lyapunov(N=30, g=3.0, k=3, T=10.0, transient=2.0, seed=1, workdir=tmp_path)
    assert m["lambda_max"] == json.loads((tmp_path / "spectrum.json").read_text())["lambda_max"]
    m = gain_cycle(N=40, P=2, period=4.0, cycles=2, seed=0, workdir=tmp_path)
    assert set(m) >= {"memories_visited", "switches_per_tau"} and (tmp_path / "summary.json").exists()
    cfg = tmp_path / "base.toml"
    cfg.write_text(tiny_train_toml(steps=2))
    m = train_and_evaluate(config=cfg, n_eval=20, seed=4, workdir=tmp_path / "train", **{"training.k": 0.02})
    assert set(m) == {"E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn", "steps"} and m["steps"] == 2
    stored = json.loads((tmp_path / "train" / "config.json").read_text())
    assert stored["training"]["k"] == 0.02 and stored["training"]["seed"] == 4
    again = train_and_evaluate(config=cfg, n_eval=20, seed=4, workdir=tmp_path / "train", **{"training.k": 0.02})
    assert again == m  # a retried point resumes from its checkpoint (nothing left to train) and scores the same
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['kk'\] in \[training\]"):
        train_and_evaluate(config=cfg, seed=0, workdir=tmp_path / "t2", **{"training.kk": 1})


def test_simulate_and_measure_prepares_its_executor_once_per_worker(monkeypatch):
    from neurochaos.executors.torch_engine import TorchEngine
    from neurochaos.sweep import builtin_tasks

    builtin_tasks._close_prepared()
    calls = []
    prepare = TorchEngine.prepare
    monkeypatch.setattr(TorchEngine, "prepare", lambda self, *a, **k: (calls.append(1), prepare(self, *a, **k))[1])
    a = builtin_tasks.simulate_and_measure(N=25, g=2.0, seed=1, **TINY)
    b = builtin_tasks.simulate_and_measure(N=25, g=3.0, seed=2, **TINY)
    assert len(calls) == 1  # the second network (other weights and gain) reran the prepared executor
    builtin_tasks._close_prepared()
    assert builtin_tasks.simulate_and_measure(N=25, g=3.0, seed=2, **TINY) == b != a  # same as a fresh one
    assert len(calls) == 2


@pytest.mark.standalone
def test_a_brian2_standalone_task_builds_once_per_worker_and_reruns_with_run_args(has_compiler):
    from neurochaos.sweep import builtin_tasks

    builtin_tasks._close_prepared()
    try:
        cpp = [builtin_tasks.simulate_and_measure(N=20, g=g, seed=s, executor="brian2-cpp", **TINY) for g, s in
               ((2.0, 1), (3.0, 2), (4.0, 3))]  # fmt: skip
        ((ex, _),) = builtin_tasks._PREPARED.values()  # one executor for the three networks ...
        assert ex.name == "brian2-cpp" and ex.n_builds == 1  # ... built once, rerun with run_args
    finally:
        builtin_tasks._close_prepared()
    torch = [builtin_tasks.simulate_and_measure(N=20, g=g, seed=s, **TINY) for g, s in ((2.0, 1), (3.0, 2), (4.0, 3))]
    for a, b in zip(cpp, torch):
        assert a["delta0"] == pytest.approx(b["delta0"], rel=1e-9) and a["lambda_max"] == b["lambda_max"]


# ----------------------------------------------------------------------------------------------- SLURM
def test_slurm_toml_gives_the_job_script_it_would_submit(tmp_path):
    cfg = load_slurm_config(ROOT / "docs" / "examples" / "SLURM.toml")
    assert cfg.jobs == 4 and cfg.task_threads == 1
    cluster = cfg.make_cluster(retries=3)
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in ("#SBATCH -p compute", "#SBATCH -A my_project", "#SBATCH --cpus-per-task=8", "#SBATCH --mem=30G",
                 "#SBATCH -t 04:00:00", "#SBATCH --qos=normal", "export OMP_NUM_THREADS=1",
                 "source ~/neurochaos/.venv/bin/activate", "--nthreads 1", "--nworkers 8"):  # fmt: skip
        assert line in script, (line, script)
    bad = tmp_path / "SLURM.toml"
    for text, message in (
        ("[slurm]\ncores = 4\nmemory = '8GB'\n", "`slurm` must be a table with walltime"),
        ("[slurm]\ncores = 4\nmemory = '8GB'\nwalltime = '1:00:00'\nqueu = 'x'\n", "got unknown ['queu']"),
        (
            "[slurm]\ncores = 4\nprocesses = 3\nmemory = '8GB'\nwalltime = '1:00:00'\n",
            "`slurm.processes` must be a divisor",
        ),
        ("[slurm]\ncores = 0\nmemory = '8GB'\nwalltime = '1:00:00'\n", "`slurm.cores` must be an integer >= 1"),
        ("[slurm]\ncores = 2\nmemory = 8\nwalltime = '1:00:00'\n", "`slurm.memory` must be a non-empty string"),
        ("[cluster]\ncores = 2\n", "`slurm` must be a file with one [slurm] table"),
    ):
        bad.write_text(text)
        with pytest.raises(ConfigError) as info:
            load_slurm_config(bad)
        assert message in str(info.value), str(info.value)


# ----------------------------------------------------------------------------------------------- summary, CLI
def test_summarise_aggregates_replicates_and_refuses_mixing_other_axes():
    rows = [
        {"key": f"{g}{n}{r}", "g": g, "N": n, REPLICATE: r, "lam": g * n + r, "error": None}
        for g in (1.0, 2.0) for n in (10, 20) for r in range(3)
    ]  # fmt: skip
    rows.append({"key": "bad", "g": 1.0, "N": 10, REPLICATE: 3, "error": "ConfigError: no"})
    axes = ["g", "N", REPLICATE]
    s = summarise(rows, "lam", "g", "N", axes=axes)
    assert s.median.tolist() == [[11.0, 21.0], [21.0, 41.0]] and s.count.tolist() == [[3, 3], [3, 3]]
    assert s.low.tolist() == [[10.0, 20.0], [20.0, 40.0]] and s.high.tolist() == [[12.0, 22.0], [22.0, 42.0]]
    with pytest.raises(ConfigError, match="`where` must be a value for every other axis that varies \\(N\\)"):
        summarise(rows, "lam", "g", axes=axes)
    assert summarise(rows, "lam", "g", axes=axes, where={"N": 20}).median.tolist() == [[21.0, 41.0]]
    with pytest.raises(ConfigError, match="`metric` must be one of the table's metrics \\(lam\\), got 'lambda'"):
        summarise(rows, "lambda", "g", axes=axes)
    with pytest.raises(ConfigError, match="`x` must be an axis of the sweep"):
        summarise(rows, "lam", "lam", axes=axes)


def test_cli_runs_a_spec_on_a_scheduler_reruns_nothing_and_plots(tmp_path, cluster, capsys):
    out = tmp_path / "s"
    argv = ["sweep", str(SMOKE), "--out", str(out), "--scheduler", cluster.scheduler_address, "--no-progress"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("4 points: 0 already done, 4 run now, 0 with errors (") and len(lines) == 2
    assert lines[1] == str(out / "table.parquet")
    assert main([*argv, "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert (res["n_run"], res["n_skipped"]) == (0, 4)
    table = read_table(out)
    assert table.num_rows == 4 and set(table.column_names) >= {"g", "N", "replicate", "lambda_max", "delta0"}
    for extra in ([], ["--y", "N", "--kind", "heatmap"]):
        assert main(["sweep-plot", str(out), "--metric", "lambda_max", "--x", "g", *extra]) == 0
        png = Path(capsys.readouterr().out.strip())
        assert png.parent == out and png.read_bytes()[:4] == b"\x89PNG"
    assert main(["sweep-plot", str(out), "--metric", "delta0", "--x", "g", "--where", "N=30"]) == 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["sweep", "nosuch.toml", "--out", "o"], "`spec` must be an existing TOML file"),
        (["sweep", "SMOKE", "--out", "o", "--workers", "0"], "`n_workers` must be an integer >= 1"),
        (["sweep", "SMOKE", "--out", "o", "--retries", "-1"], "`retries` must be an integer >= 0"),
        (["sweep", "SMOKE", "--out", "o", "--slurm", "nosuch.toml"], "`slurm` must be an existing TOML file"),
        (
            ["sweep", "SMOKE", "--out", "o", "--scheduler", "tcp://127.0.0.1:1", "--connect-timeout", "1"],
            "could not be reached within 1 s",
        ),  # fmt: skip
        (["sweep-plot", "nosuch", "--metric", "m", "--x", "g"], "`dir` must be a sweep folder"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, argv, message):
    monkeypatch.chdir(tmp_path)
    argv = [str(SMOKE) if a == "SMOKE" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not list(tmp_path.iterdir())


def test_cli_sweep_plot_refuses_bad_metric_axis_and_where(tmp_path, cluster, capsys):
    out = tmp_path / "s"
    sweep(load_spec(SMOKE), out=out, cluster=cluster, progress=False)
    for extra, message in (
        (["--metric", "nope", "--x", "g"], "`metric` must be one of the table's metrics"),
        (["--metric", "delta0", "--x", "T"], "`x` must be an axis of the sweep (g, N, replicate), got 'T'"),
        (["--metric", "delta0", "--x", "g", "--where", "N=31"], "`--where` N must be one of [30], got '31'"),
        (["--metric", "delta0", "--x", "g", "--kind", "heatmap"], "`y` must be an axis for a heatmap"),
        (["--metric", "delta0", "--x", "g", "--plot", "a.xyz"], "`--plot` must be an image file"),
    ):
        capsys.readouterr()
        assert main(["sweep-plot", str(out), *extra]) == 2, extra
        assert message in capsys.readouterr().err


def test_the_package_is_the_callable_entry_point():
    assert callable(neurochaos.sweep) and neurochaos.sweep.sweep is sweep
    import neurochaos.sweep.table as table_module

    assert table_module.ResultsTable is ResultsTable
