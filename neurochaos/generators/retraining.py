"""Self-consuming retraining (Bertrand et al. 2024, arXiv:2310.00429): is a generator stable when fed its own samples?

Generation 0 is fitted on real data; generation i + 1 is fitted on the same number of
images, a fraction ``lam`` (lambda) of them real (a fresh random subset of the real
training set) and the rest samples of generation i. Stability means the indices against
held-out real data stay bounded over generations.

With lam = 1 every generation's training set is the real data again, so generation i + 1
has the law of generation 0: it is not refitted (the model of generation 0 is kept) and only
its samples are drawn afresh; its rows show the sampling spread alone (``refit`` false).

Each generation's fit goes to a fit cache keyed by its settings and training data, and its
row of indices to ``<folder>/gen<i>/row.json``: an interrupted run continues from the last
finished generation, and a finished one is read back, not refitted.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np

from ..io import save_json
from ..validation import check_float, check_images, check_int, fail
from .interface import build_generator, load_generator

__all__ = ["self_consuming", "mix_generation", "fit_or_load", "fingerprint"]


def fingerprint(*parts) -> str:
    """A short hash of JSON-able settings and arrays: what a saved result was computed from."""
    h = hashlib.sha256()
    for p in parts:
        if isinstance(p, np.ndarray):
            h.update(np.ascontiguousarray(p).tobytes())
            h.update(str(p.shape).encode())
        else:
            h.update(json.dumps(p, sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def fit_or_load(
    cache, kind: str, settings: dict, x_train: np.ndarray, *, progress: bool = False, force: bool = False, init=None
):
    """The generator ``kind`` fitted on ``x_train``: read from the fit cache when it was fitted there from the same inputs.

    Parameters
    ----------
    cache : folder of fitted generators, one subfolder ``<kind>-<key>`` per fit, where the key
        is the fingerprint of (kind, the settings the fit depends on, x_train); sampling-only
        settings (:attr:`Generator.sampling_settings`) are applied to the loaded model, so
        rows that differ only in them share one fit
    force : refit (and replace) even when the cache holds the fit
    init : a generator from this cache to warm-start from (its key joins the fingerprint)

    Returns (generator, fitted_now); the generator's ``fit_key`` is its fingerprint.
    """
    gen = build_generator(kind, **settings)  # checks the settings
    key = fingerprint(kind, gen.fit_settings(), x_train, None if init is None else init.fit_key)
    folder = Path(cache) / f"{kind}-{key}"
    stamp = folder / "fit.json"
    if not force and stamp.is_file() and json.loads(stamp.read_text()).get("key") == key:
        loaded = load_generator(folder)
        loaded.fit_key = key
        return loaded.with_sampling(**{k: settings[k] for k in gen.sampling_settings if k in settings}), False
    gen.fit(x_train, progress=progress, init=init)
    gen.fit_key = key
    gen.save(folder)
    save_json(stamp, {"key": key, "kind": kind, "settings": gen.fit_settings()})
    return gen, True


def _merge(settings: dict, overrides: dict) -> dict:
    """``settings`` with ``overrides`` applied, one level into nested tables (``training``, ``model``).

    >>> _merge({"training": {"M": 50, "steps": 2500}, "g": 1}, {"training": {"steps": 500}})
    {'training': {'M': 50, 'steps': 500}, 'g': 1}
    """
    out = dict(settings)
    for k, v in overrides.items():
        out[k] = {**out[k], **v} if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def mix_generation(x_real: np.ndarray, samples: np.ndarray, lam: float, rng: np.random.Generator) -> np.ndarray:
    """The next generation's training set: round(lam n) real rows and n - round(lam n) sample rows, shuffled.

    ``n`` = len(x_real); ``samples`` must hold at least n - round(lam n) rows.

    >>> rng = np.random.default_rng(0)
    >>> float(mix_generation(np.ones((4, 2)), -np.ones((4, 2)), 0.5, rng).sum())
    0.0
    """
    lam = check_float(lam, "lam", low=0.0, high=1.0)
    n = len(x_real)
    n_real = int(round(lam * n))
    if len(samples) < n - n_real:
        fail("samples", f"at least {n - n_real} rows", len(samples))
    real = x_real[rng.choice(n, size=n_real, replace=False)]
    mixed = np.concatenate([real, samples[: n - n_real]]).astype(np.float64)
    return mixed[rng.permutation(n)]


def self_consuming(
    kind: str,
    settings: dict,
    x_train,
    evaluate,
    folder,
    *,
    generations: int = 5,
    lam: float = 0.5,
    binarise: bool = True,
    seed: int = 0,
    progress: bool = False,
    cache=None,
    force: bool = False,
    warm: dict | None = None,
) -> list[dict]:
    """Fit ``generations`` generations of ``kind``, each on a lam : (1 - lam) mix of real data and the last one's samples.

    Parameters
    ----------
    kind, settings : the generator (see :func:`~neurochaos.generators.build_generator`)
    x_train : (n, D) real training images in [-1, 1]; every generation is fitted on n images
    evaluate : callable(samples (n, D)) -> dict of indices (against held-out real data)
    folder : where each generation is saved (``gen<i>/``) and its row (``gen<i>/row.json``)
    generations : k >= 1 (generation 0 is fitted on real data)
    lam : fraction of real images in each later generation's training set, in [0, 1]
    binarise : read the samples out as signs (for +-1 encoded data) before refitting and evaluating
    seed : seed of the real subsets and of the sampling
    cache : fit cache (see :func:`fit_or_load`; default ``folder/fits``): generation 0, fitted on the
        real data, is shared by every lam and by a comparison using the same cache
    force : refit every generation even when the cache holds it
    warm : None to fit every generation from scratch (default), or settings overrides (e.g.
        ``{"training": {"steps": 500}}``, ``{"iterations": 600}``) with which generation i + 1
        starts from generation i's parameters (a warm start, as fine-tuning); only kinds with
        ``warm_start``

    Returns
    -------
    list of one dict per generation: ``generation``, ``lam``, the indices, ``fit_seconds``,
    ``n_real``, ``n_synthetic``, ``refit`` (false for the later generations of lam = 1)
    """
    x = check_images(x_train)
    if warm is not None:
        if not isinstance(warm, dict):
            fail("warm", "None or a dict of settings overrides for the warm-started generations", warm)
        from .interface import GENERATORS

        if kind in GENERATORS and not GENERATORS[kind].warm_start:
            warm_kinds = sorted(k for k, c in GENERATORS.items() if c.warm_start)
            fail("warm", f"None for {kind!r}, which fits from scratch only (warm starts: {warm_kinds})", warm)
    generations = check_int(generations, "generations", min_value=1)
    lam = check_float(lam, "lam", low=0.0, high=1.0)
    seed = check_int(seed, "seed", min_value=0)
    if not callable(evaluate):
        fail("evaluate", "a function of the samples returning a dict of indices", type(evaluate).__name__)
    folder = Path(folder)
    cache = folder / "fits" if cache is None else Path(cache)
    rows, train, gen = [], x, None
    for i in range(generations):
        row_path = folder / f"gen{i}" / "row.json"
        t0 = time.perf_counter()
        refit = i == 0 or lam < 1
        if refit:
            if i == 0 or warm is None:
                gen, _ = fit_or_load(cache, kind, settings, train, progress=progress, force=force)
            else:
                gen, _ = fit_or_load(
                    cache, kind, _merge(settings, warm), train, progress=progress, force=force, init=gen
                )
        fit_s = float(gen.cost.fit_seconds) if refit else 0.0
        samples = gen.sample(len(x), seed=seed + 1000 * (i + 1))
        if binarise:
            samples = np.where(samples > 0, 1.0, -1.0)
        if row_path.is_file() and json.loads(row_path.read_text()).get("key") == fingerprint(train, samples):
            row = json.loads(row_path.read_text())["row"]
        else:
            n_real = len(x) if i == 0 else int(round(lam * len(x)))
            row = {
                "generation": i,
                "lam": lam,
                **{k: float(v) for k, v in evaluate(samples).items()},
                "fit_seconds": round(fit_s, 2),
                "seconds": round(time.perf_counter() - t0, 2),
                "n_real": n_real,
                "n_synthetic": len(x) - n_real,
                "refit": refit,
            }
            save_json(row_path, {"key": fingerprint(train, samples), "row": row})
        rows.append({**row, "lam": lam})
        if i + 1 < generations:
            train = mix_generation(x, samples, lam, np.random.default_rng([seed, i]))
    return rows
