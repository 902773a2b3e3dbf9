"""The built-in sweep tasks: one grid point in, one row of scalar metrics out.

=========================  ==========================================================================
``simulate-and-measure``   a rate card at (N, g): Delta(0), the autocorrelation time and the
                           participation ratio of one simulated trajectory, and lambda_max (two
                           trajectories)
``lyapunov``               the first k Lyapunov exponents (QR method): lambda_max, D_KY, entropy rate
``gain-cycle``             memories visited while g(t) cycles (:func:`neurochaos.protocols.run_gain_cycle`)
``train-and-evaluate``     contrastive Hebbian training from a TOML config with overrides, then the
                           accuracy indices of generated samples on the held-out images
=========================  ==========================================================================

Times are in units of tau. Each task takes ``seed`` from the sweep: weights from
``seed``, initial states from ``seed + 1`` (as the library functions do).
Brian2 executors (``executor = "brian2-cpp"``) are built once per worker process
and per network shape, and rerun with ``run_args`` (new weights, gain and x(0))
for every further point in the worker's own project folder; the torch executor
is cached the same way.
"""

from __future__ import annotations

import atexit
from pathlib import Path

import numpy as np

from .tasks import register_task

__all__ = ["simulate_and_measure", "lyapunov", "gain_cycle", "train_and_evaluate", "autocorrelation_time"]

#: Prepared executors of this worker process: (executor, card, N, P, run config) -> (executor, network).
_PREPARED: dict = {}


def _close_prepared() -> None:
    for ex, _ in _PREPARED.values():
        ex.close()
    _PREPARED.clear()


atexit.register(_close_prepared)


def prepared_executor(name: str, network, config):
    """This worker's executor ``name`` prepared for networks shaped like ``network`` (built on first use).

    Returns ``(executor, template)``; run another network of the same card, N and P
    on it with ``executor.run(x0, weights=net.weights, gain=net.gain, bias=net.bias)``.
    """
    from ..executors import get_executor

    card = network.card
    key = (
        name,
        card.path or card.name,
        network.N,
        None if network.patterns is None else network.patterns.shape,
        config,
    )
    if key not in _PREPARED:
        ex = get_executor(name)
        ex.prepare(network, config)
        _PREPARED[key] = (ex, network)
    return _PREPARED[key]


def autocorrelation_time(s: np.ndarray, delta: np.ndarray) -> float | None:
    """First lag (units of tau) at which Delta(s) / Delta(0) falls to 1/e, linearly interpolated.

    None when Delta(0) is 0 (a network at its fixed point) or the ratio stays above 1/e
    up to the largest lag.

    >>> s = np.linspace(0.0, 5.0, 501)
    >>> round(autocorrelation_time(s, np.exp(-s / 2.0)), 3)
    2.0
    """
    if not delta[0] > 1e-12:
        return None
    c = np.asarray(delta) / delta[0]
    below = np.nonzero(c <= np.exp(-1.0))[0]
    if len(below) == 0:
        return None
    i = int(below[0])
    if i == 0:
        return 0.0
    frac = (c[i - 1] - np.exp(-1.0)) / (c[i - 1] - c[i])
    return float(s[i - 1] + frac * (s[i] - s[i - 1]))


@register_task("simulate-and-measure")
def simulate_and_measure(
    *,
    model: str = "chaotic_rate",
    N: int = 500,
    g: float = 2.0,
    P: int | None = None,
    T: float = 200.0,
    transient: float = 50.0,
    max_lag: float = 20.0,
    t_ons: float = 1.0,
    dt: float | None = None,
    method: str | None = None,
    executor: str = "torch",
    seed: int = 0,
) -> dict:
    """Delta(0), autocorrelation time, participation ratio and lambda_max of one network.

    One trajectory of ``transient + T`` (units of tau) from x(0) ~ N(0, 1) on
    ``executor`` gives Delta(s) = <x_i(t) x_i(t+s)> over the last ``T``
    (:func:`neurochaos.analysis.estimate_autocorrelation`); ``lambda_max`` comes from
    two trajectories on the torch engine (:func:`neurochaos.analysis.compute_lambda_max`,
    renormalised every ``t_ons``, same ``T`` and ``transient``).

    Returns
    -------
    dict: ``delta0`` (Delta(0)), ``tau_ac`` (tau; None if Delta(s)/Delta(0) stays above
    1/e up to ``max_lag``, or Delta(0) = 0), ``participation_ratio`` (of tanh(x)),
    ``lambda_max`` (1/tau)

    >>> m = simulate_and_measure(N=30, g=0.5, T=10.0, transient=10.0, max_lag=2.0)
    >>> m["delta0"] < 1e-3, m["lambda_max"] < 0
    (True, True)
    """
    from ..analysis import compute_lambda_max, estimate_autocorrelation, participation_ratio
    from ..analysis.stats import _check_max_lag
    from ..executors import RunConfig
    from ..model import build_network, initial_state
    from ..validation import check_float

    T = check_float(T, "T", low=0.0, low_open=True)
    transient = check_float(transient, "transient", low=0.0)
    _check_max_lag(max_lag, T)  # before simulating
    net = build_network(model, N=N, g=g, P=P, seed=seed)
    prm = net.card.parameters
    step = prm.get("dt", 0.1) if dt is None else dt
    config = RunConfig(T=T + transient, dt=step, method=method or prm.get("method", "euler"))
    ex, _ = prepared_executor(executor, net, config)
    tr = ex.run(initial_state(net, 1, seed=seed + 1), weights=net.weights, gain=net.gain, bias=net.bias)
    ac = estimate_autocorrelation(tr.x, config.dt, transient=transient, max_lag=max_lag)
    pr = participation_ratio(np.tanh(tr.x[int(round(transient / config.dt)) :]))
    lam = compute_lambda_max(
        net, T=T, t_ons=t_ons, transient=transient, dt=config.dt, method=config.method, seed=seed + 1
    )
    return {
        "delta0": ac.delta0,
        "tau_ac": autocorrelation_time(ac.s, ac.delta),
        "participation_ratio": pr,
        "lambda_max": lam.lambda_max,
    }


@register_task("lyapunov")
def lyapunov(
    *,
    model: str = "chaotic_rate",
    N: int = 500,
    g: float = 2.0,
    P: int | None = None,
    k: int | None = None,
    T: float = 200.0,
    transient: float = 50.0,
    t_ons: float = 1.0,
    dt: float | None = None,
    method: str | None = None,
    jacobian: str = "auto",
    seed: int = 0,
    workdir: Path | None = None,
) -> dict:
    """The first ``k`` Lyapunov exponents (default all N) by the QR method (:func:`compute_model_lyapunov`).

    Weights from ``seed``, x(0) and tangents from ``seed + 1``. Writes the spectrum
    (1/tau, descending) to ``workdir/spectrum.json``.

    Returns
    -------
    dict: ``lambda_max`` (1/tau), ``kaplan_yorke_dim``, ``kaplan_yorke_is_lower_bound``,
    ``entropy_rate`` (1/tau)
    """
    from ..analysis import compute_model_lyapunov
    from ..io import save_json

    res = compute_model_lyapunov(
        model, N=N, g=g, P=P, seed=seed, k=k, T=T, transient=transient, t_ons=t_ons, dt=dt, method=method,
        jacobian=jacobian,
    )  # fmt: skip
    if workdir is not None:
        save_json(Path(workdir) / "spectrum.json", res.to_dict())
    return {
        "lambda_max": res.lambda_max,
        "kaplan_yorke_dim": res.kaplan_yorke_dim,
        "kaplan_yorke_is_lower_bound": res.kaplan_yorke_is_lower_bound,
        "entropy_rate": res.entropy_rate,
    }


@register_task("gain-cycle")
def gain_cycle(
    *,
    model: str = "mixed_rate",
    N: int = 200,
    P: int = 10,
    g_low: float = 1.0,
    g_high: float = 8.0,
    period: float = 50.0,
    duty: float = 0.5,
    cycles: int = 20,
    structure: float | None = None,
    threshold: float = 0.5,
    chains: int = 1,
    executor: str = "torch",
    seed: int = 0,
    workdir: Path | None = None,
) -> dict:
    """Square-wave gain cycling of a structured + random network (:func:`neurochaos.protocols.run_gain_cycle`).

    ``period`` in units of tau. Writes the full summary to ``workdir/summary.json``.

    Returns
    -------
    dict: ``memories_visited``, ``memories_per_cycle``, ``distinct_settled``,
    ``switches_per_tau`` (1/tau), ``settled_fraction``, ``settling_time`` (tau, None if none settled)
    """
    from ..io import save_json
    from ..protocols import run_gain_cycle

    res = run_gain_cycle(
        model, N=N, P=P, g_low=g_low, g_high=g_high, period=period, duty=duty, cycles=cycles, structure=structure,
        threshold=threshold, chains=chains, executor=executor, seed=seed,
    )  # fmt: skip
    s = res.summary
    if workdir is not None:
        save_json(Path(workdir) / "summary.json", s)
    keys = ("memories_visited", "memories_per_cycle", "distinct_settled", "switches_per_tau", "settled_fraction")
    return {**{k: s[k] for k in keys}, "settling_time": s["settling_time"]}


@register_task("train-and-evaluate")
def train_and_evaluate(*, config: Path, n_eval: int = 500, seed: int = 0, workdir: Path, **overrides) -> dict:
    """Train from the TOML ``config`` with ``overrides``, then score ``n_eval`` generated samples.

    Parameters
    ----------
    config : trainer TOML (``[model]``, ``[training]``, ``[data]``; see ``neurochaos train``)
    n_eval : generated samples compared with as many held-out images (at most the test set)
    overrides : ``"section.key"`` -> value, e.g. ``"training.k" = 0.02`` or ``"model.n_hidden" = 100``
        (in a sweep TOML: ``training.k = [...]`` under ``[grid]``)
    seed : becomes ``training.seed`` (J, minibatches, free-phase states, evaluation)
    workdir : the training folder (checkpoint.npz, history.json, config.json); a retried
        point resumes from its checkpoint

    Returns
    -------
    dict: ``E2``, ``Es``, ``ER``, ``EAAI``, ``AA_truth``, ``AA_syn`` (see
    :func:`neurochaos.metrics.accuracy_indices`) and ``steps``; with ``training.chaos_every`` > 0
    also the chaos probes' summary (:func:`chaos_summary`): ``probes``, ``probes_chaotic``,
    ``lambda_min``, ``lambda_final`` (1/tau), ``saturated_visible_final`` and ``g_final``
    """
    from ..io import read_toml
    from ..learning import TrainConfig, evaluate_network, train
    from ..learning.trainer import _load_dataset
    from ..validation import check_int

    n_eval = check_int(n_eval, "n_eval", min_value=2)
    data = read_toml(config, "config")
    for name, value in overrides.items():
        section, dot, key = name.partition(".")
        if not dot or section not in ("model", "training", "data") or not key:
            from ..validation import fail

            fail(name, "a 'section.key' override with section model, training or data", value)
        data.setdefault(section, {})[key] = value
    data.setdefault("training", {})["seed"] = seed
    cfg = TrainConfig.from_dict(data, where=str(config)).resolve()
    dataset = _load_dataset(cfg)
    workdir = Path(workdir)
    res = train(cfg, workdir, dataset=dataset, resume=(workdir / "checkpoint.npz").exists(), progress=False)
    t = cfg.training
    scores = evaluate_network(
        res.network, dataset.x_test, n=n_eval, seed=seed + 1, encoding=cfg.data.encoding, executor=t.executor,
        device=t.device, dtype=t.dtype,
    )  # fmt: skip
    return {**scores, "steps": res.step, **chaos_summary(res.chaos)}


def chaos_summary(chaos: list) -> dict:
    """Scalars of a training run's chaos history (:attr:`neurochaos.learning.TrainResult.chaos`); {} when empty.

    >>> chaos_summary([{"step": 0, "lambda_max": 0.02, "saturated_visible": 0.0, "g": 2.0},
    ...                {"step": 10, "lambda_max": -0.01, "saturated_visible": 0.3, "g": 2.0}])["probes_chaotic"]
    1
    """
    if not chaos:
        return {}
    lam = [float(c["lambda_max"]) for c in chaos]
    return {
        "probes": len(lam),
        "probes_chaotic": sum(v > 0 for v in lam),
        "lambda_min": min(lam),
        "lambda_final": lam[-1],
        "saturated_visible_final": float(chaos[-1]["saturated_visible"]),
        "g_final": float(chaos[-1].get("g_next", chaos[-1]["g"])),
    }
