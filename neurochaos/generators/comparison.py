"""Every generator on the same split, encoding and sample count: one table, sample grids, self-consuming curves.

The configuration (TOML; ``experiments/compare_generators/*.toml``)::

    [experiment]
    out = "out/compare_generators"
    seed = 0                      # seed of the samples, the reference split and the retraining mixes

    [data]                        # as the trainer's [data] table
    name = "digits"
    encoding = "pm1"

    [evaluation]
    n_samples = 1000              # samples per generator

    [generators.chaotic_r2]       # one table per row; `kind` names the generator, the rest are its settings
    kind = "chaotic"
    model = {card = "fu_restricted2", n_hidden = 64}
    training = {M = 50, steps = 500}

    [self_consuming]              # optional
    generators = ["chaotic_r2"]   # rows of [generators.*] to retrain on their own samples
    generations = 5
    fractions = [1.0, 0.5, 0.0]   # lambda: the real fraction of each later generation's training set
    n_train = 0                   # images per generation (0: the whole training set)

    [self_consuming.warm.chaotic_r2]  # optional: later generations start from the previous one's parameters
    training = {steps = 100}          # with these settings overrides (fine-tuning instead of refitting)

The held-out test set is cut into two halves: half A is the reference of every index, and
half B, scored against A like a generator, is the **floor** row (real data vs real data);
uniform +-1 noise of the same size is the **ceiling** row. ``AA_syn_train`` is AA_syn against
the training images (near 0: the samples copy training images). Each generator is saved in
``<out>/fits/<kind>-<key>/`` (the key: a fingerprint of the settings the fit depends on and
of the training data; rows differing only in sampling settings, e.g. the number of network
evaluations, share one fit, and so does generation 0 of the self-consuming runs), and its row
in ``<out>/results/rows/<name>.json``: a rerun of the same config reads finished fits back
instead of refitting.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..io import atomic_path, save_json
from ..validation import check_finite_array, check_float, check_int, fail
from .interface import GENERATORS
from .retraining import fingerprint, fit_or_load, self_consuming

__all__ = ["read_comparison", "run_comparison", "reference_rows", "markdown_table", "INDEX_COLUMNS"]

#: Bumped when a row gains a column: rows of older runs are recomputed (their fits are reused).
ROW_VERSION = 2
#: The indices of the table, in order.
INDEX_COLUMNS = ("E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn", "AA_syn_train")
_SECTIONS = {
    "experiment": {"out", "seed"},
    "data": {"name", "directory", "encoding", "n_train", "n_test"},
    "evaluation": {"n_samples"},
    "generators": None,
    "self_consuming": {"generators", "generations", "fractions", "n_train", "warm"},
}


def read_comparison(path) -> dict:
    """Read and check a comparison config; returns the checked sections (with defaults filled in)."""
    from ..experiment import read_config
    from ..learning.config import DataConfig

    path = Path(path)
    raw = read_config(path, _SECTIONS, required=("data", "generators"))
    where = str(path)
    exp = raw.get("experiment", {})
    seed = check_int(exp.get("seed", 0), "experiment.seed", min_value=0, where=where)
    try:
        data = DataConfig(**raw["data"])
    except ConfigError as exc:
        raise ConfigError(f"{exc} ({where})") from None
    n_samples = check_int(raw.get("evaluation", {}).get("n_samples", 1000), "evaluation.n_samples", min_value=2)
    gens = raw["generators"]
    if not gens:
        fail("generators", "at least one [generators.NAME] table", gens, where)
    checked = {}
    for name, table in gens.items():
        if not isinstance(table, dict) or "kind" not in table:
            fail(f"generators.{name}", "a table with `kind` (one of " + str(sorted(GENERATORS)) + ")", table, where)
        settings = {k: v for k, v in table.items() if k != "kind"}
        from .interface import build_generator

        build_generator(table["kind"], **settings)  # checks kind and settings now, before any fitting
        checked[name] = {"kind": table["kind"], "settings": settings}
    sc = raw.get("self_consuming")
    if sc is not None:
        names = sc.get("generators", list(checked))
        if not isinstance(names, list) or not names or any(n not in checked for n in names):
            fail("self_consuming.generators", f"a non-empty list of names among {sorted(checked)}", names, where)
        fr = sc.get("fractions", [1.0, 0.5, 0.0])
        if not isinstance(fr, list) or not fr:
            fail("self_consuming.fractions", "a non-empty list of lambda values in [0, 1]", fr, where)
        sc = {
            "generators": names,
            "generations": check_int(sc.get("generations", 5), "self_consuming.generations", min_value=1, where=where),
            "fractions": [check_float(f, "self_consuming.fractions", low=0.0, high=1.0, where=where) for f in fr],
            "n_train": check_int(sc.get("n_train", 0), "self_consuming.n_train", min_value=0, where=where),
            "warm": _check_warm(sc.get("warm", {}), names, checked, where),
        }
    return {
        "experiment": {"out": exp.get("out", "out/compare_generators"), "seed": seed},
        "data": data,
        "evaluation": {"n_samples": n_samples},
        "generators": checked,
        "self_consuming": sc,
    }


def _check_warm(warm, names, checked, where) -> dict:
    """``[self_consuming.warm.NAME]`` tables: settings overrides of warm-started generations, per generator."""
    from .interface import GENERATORS, build_generator
    from .retraining import _merge

    if not isinstance(warm, dict) or set(warm) - set(names):
        fail("self_consuming.warm", f"tables named after retrained generators {sorted(names)}", warm, where)
    for name, overrides in warm.items():
        kind = checked[name]["kind"]
        if not GENERATORS[kind].warm_start:
            ok = sorted(k for k, c in GENERATORS.items() if c.warm_start)
            fail(
                f"self_consuming.warm.{name}",
                f"absent: {kind!r} fits from scratch only (warm starts: {ok})",
                overrides,
                where,
            )
        if not isinstance(overrides, dict):
            fail(f"self_consuming.warm.{name}", "a table of settings overrides", overrides, where)
        build_generator(kind, **_merge(checked[name]["settings"], overrides))  # checks the overrides now
    return warm


def _indices(ref, train, samples, seed):
    from ..metrics import accuracy_indices

    row = accuracy_indices(ref, samples, seed=seed)
    row["AA_syn_train"] = accuracy_indices(train, samples, seed=seed)["AA_syn"]
    return {k: float(v) for k, v in row.items()}


def reference_rows(ref, floor, train, seed: int = 0) -> dict:
    """The floor (held-out vs held-out) and the ceiling (uniform +-1 noise) rows."""
    noise = np.where(np.random.default_rng([seed, 7]).random(floor.shape) > 0.5, 1.0, -1.0)
    return {
        "held-out data (floor)": {"kind": "reference", **_indices(ref, train, floor, seed)},
        "uniform noise (ceiling)": {"kind": "reference", **_indices(ref, train, noise, seed)},
    }


def _fmt(v, digits=3):
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}g}" if abs(v) >= 1000 or abs(v) < 1e-3 and v != 0 else f"{v:.{digits}f}"
    return str(v)


def markdown_table(rows: dict) -> str:
    """The comparison table as markdown (one line per generator and reference row)."""
    cols = [*INDEX_COLUMNS, "samples_per_s", "evaluations_per_sample", "fit_seconds", "parameters"]
    head = "| generator | kind | " + " | ".join(cols) + " |"
    lines = [head, "|" + "---|" * (len(cols) + 2)]
    for name, r in rows.items():
        cells = [_fmt(r.get(c)) if c in r else "-" for c in cols]
        lines.append(f"| {name} | {r.get('kind', '')} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run_comparison(config, out=None, *, progress: bool = True, overwrite: bool = False, log=print) -> Path:
    """Run a comparison config (path or the dict of :func:`read_comparison`); returns the results folder.

    Writes ``comparison.md``, ``samples.png``, ``self_consuming.png`` (when configured) and
    ``results/{comparison,self_consuming,run}.json``; per generator ``generators/<name>/`` and
    ``samples/<name>.npz``. Generators fitted by an earlier run of the same config (same
    settings, same data) are read back instead of refitted, so an interrupted run continues;
    ``overwrite`` refits every generator.
    """
    from .. import plotting
    from ..data import load_dataset
    from ..io import folder_lock

    path = None
    if not isinstance(config, dict):
        path, config = Path(config), read_comparison(config)
    if not config.get("generators"):
        fail("generators", "at least one [generators.NAME] table", config.get("generators"))
    folder = Path(out if out is not None else config["experiment"]["out"])
    folder.mkdir(parents=True, exist_ok=True)
    seed = config["experiment"]["seed"]
    d = config["data"]
    t_start = time.perf_counter()
    with folder_lock(folder):
        if overwrite:  # every fit and retraining row is redone
            import shutil

            for sub in ("fits", "self_consuming"):
                shutil.rmtree(folder / sub, ignore_errors=True)
        ds = load_dataset(
            d.name, directory=d.directory or None, encoding=d.encoding, n_train=d.n_train or None,
            n_test=d.n_test or None, seed=seed,
        )  # fmt: skip
        perm = np.random.default_rng([seed, 1]).permutation(len(ds.x_test))
        half = len(perm) // 2
        ref, floor = ds.x_test[perm[:half]], ds.x_test[perm[half : 2 * half]]
        n = config["evaluation"]["n_samples"]
        binarise = d.encoding == "pm1"
        log(f"data {ds.source}: train {ds.x_train.shape}, reference {ref.shape}, floor {floor.shape}; {n} samples each")
        rows = reference_rows(ref, floor, ds.x_train, seed)
        samples_for_plot = {"held-out data": floor}
        data_key = fingerprint(ds.x_train, ref, n, seed)
        (folder / "samples").mkdir(exist_ok=True)
        for name, g in config["generators"].items():
            row_path = folder / "results" / "rows" / f"{name}.json"
            key = fingerprint(g, data_key, ROW_VERSION)
            gen, fitted = fit_or_load(folder / "fits", g["kind"], g["settings"], ds.x_train, progress=progress)
            s = gen.sample(n, seed=seed)
            if binarise:
                s = np.where(s > 0, 1.0, -1.0)
            check_finite_array(s, f"samples of {name}")
            with atomic_path(folder / "samples" / f"{name}.npz", ".npz") as tmp:
                np.savez_compressed(tmp, samples=s)
            if row_path.is_file() and json.loads(row_path.read_text()).get("key") == key and not fitted:
                row = json.loads(row_path.read_text())["row"]
            else:
                c = gen.cost
                row = {
                    "kind": g["kind"],
                    **_indices(ref, ds.x_train, s, seed),
                    "samples_per_s": 1.0 / max(c.sample_seconds_per_sample, 1e-12),
                    "evaluations_per_sample": int(c.evaluations_per_sample),
                    "fit_seconds": round(float(c.fit_seconds), 2),
                    "parameters": int(c.parameters),
                    "diagnostics": gen.diagnostics(n, seed=seed),
                }
                save_json(row_path, {"key": key, "row": row})
            rows[name] = row
            samples_for_plot[name] = s
            log(f"{name}: EAAI {row['EAAI']:.3f}, AA_syn {row['AA_syn']:.3f}, fit {row['fit_seconds']:.1f} s")
        shape = ds.image_shape
        save_json(folder / "results" / "comparison.json", {"rows": rows, "data": ds.source, "n_samples": n})
        table = markdown_table(rows)
        (folder / "comparison.md").write_text(
            f"# Generators compared on {ds.source}\n\n{n} samples per generator; indices against "
            f"{len(ref)} held-out images (half A of the test set).\n\n{table}"
        )
        plotting.plot_samples_vs_data(
            None,
            samples_for_plot,
            shape,
            folder / "samples.png",
            title=f"samples on {d.name}, same seed, first 16 of {n}",
        )
        sc = config["self_consuming"]
        if sc is not None:
            curves = _self_consuming(config, sc, ds, ref, folder, binarise, seed, progress, log)
            save_json(folder / "results" / "self_consuming.json", curves)
            plotting.plot_self_consuming(curves, folder / "self_consuming.png")
        save_json(
            folder / "results" / "run.json",
            {
                "config_path": None if path is None else str(path),
                "config": {**config, "data": vars(d)},
                "total_seconds": round(time.perf_counter() - t_start, 1),
                "machine": platform.platform(),
                "processor": platform.processor() or platform.machine(),
            },
        )
    return folder


def _self_consuming(config, sc, ds, ref, folder, binarise, seed, progress, log) -> dict:
    x = ds.x_train
    if sc["n_train"]:
        x = x[np.random.default_rng([seed, 2]).permutation(len(x))[: sc["n_train"]]]

    def evaluate(s):
        from ..metrics import accuracy_indices

        return accuracy_indices(ref, s, seed=seed)

    curves = {}
    for name in sc["generators"]:
        g = config["generators"][name]
        base = folder / "self_consuming" / name
        curves[name] = {}
        for lam in sc["fractions"]:
            rows = self_consuming(
                g["kind"], g["settings"], x, evaluate, base / f"lam{lam:g}", generations=sc["generations"], lam=lam,
                binarise=binarise, seed=seed, progress=progress, cache=folder / "fits", warm=sc["warm"].get(name),
            )  # fmt: skip
            curves[name][f"{lam:g}"] = rows
            log(f"self-consuming {name} lambda {lam:g}: EAAI " + " ".join(f"{r['EAAI']:.3f}" for r in rows))
    return curves
