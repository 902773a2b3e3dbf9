"""Stream sampling on MNIST from the chaotic-pool network (issue 14, acceptances 2 and 3 at MNIST scale).

Reads the trained folder of ``mnist_cpu_pool.toml`` and, with no random number after the initial
states:

- ``n`` samples from ``chains`` free-running chains read every ``every`` tau, against ``n``
  random starts of the same network (the four indices against held-out digits; class coverage
  from a logistic regression fitted on the held-out labelled digits);
- the same stream read every ``every_slow`` tau (about the decorrelation time), and under gain
  cycling (``gain_cycle`` = [low, high] x the trained g and the period in tau: one sample per period);
- the same streams at g = factors x the trained g (the Chaudhuri & Handebagh Fig. 3 experiment:
  the pool runs faster at a higher gain): decorrelation time, indices and class switches.

Usage::

    python experiments/chaos_driven_sampling/mnist_stream.py [TRAINED_FOLDER [OUT]]

Writes ``mnist_stream.json``, ``stream_strips_mnist.png``, ``decorrelation_vs_g_mnist.png`` and
``class_coverage_mnist.png`` into OUT (default ``results_mnist_report``).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import _classifier, _coverage  # noqa: E402  (the one copy of the coverage measure)


def main(
    folder: Path = HERE / "results_mnist_pool",
    out: Path = HERE / "results_mnist_report",
    *,
    n: int = 2000,
    chains: int = 4,
    every: float = 0.5,
    every_slow: float = 10.0,
    gain_cycle=(1.0, 2.0, 20.0),
    factors=(0.5, 1.0, 2.0, 4.0),
    max_lag: float = 20.0,
    show: int = 16,
    seed: int = 1,
) -> Path:
    from neurochaos.analysis.memory import measure_decorrelation_time
    from neurochaos.analysis.stats import estimate_autocorrelation
    from neurochaos.data import load_dataset
    from neurochaos.io import save_json
    from neurochaos.learning import generate, load_trained, readout, stream
    from neurochaos.metrics import accuracy_indices
    from neurochaos.plotting import plot_class_coverage, plot_decorrelation, plot_image_rows

    t0 = time.perf_counter()
    net, cfg, ckpt = load_trained(folder)
    d = cfg.data
    ds = load_dataset(d.name, directory=d.directory, n_train=d.n_train, n_test=d.n_test, seed=cfg.training.seed)
    D = ds.x_test.shape[1]
    ref = ds.x_test[: min(n, len(ds.x_test))]
    clf = _classifier(ds)

    def flat(frames):
        return frames.transpose(1, 0, 2).reshape(-1, D)[:n]

    rand = readout(generate(net, n, seed=seed)[0])
    table = {"random_starts": {**accuracy_indices(ref, rand), **_coverage(clf, rand[:, None], 1.0)}}
    table["random_starts"].pop("switches_per_100_tau")
    table["random_starts_vs_train"] = accuracy_indices(ds.x_train[: len(ref)], rand)
    by_g, acfs, strips = {}, {}, {}
    for factor in factors:
        g = factor * net.g
        rates = stream(net, n, every=every, chains=chains, g=g, seed=seed)
        tau = measure_decorrelation_time(rates, every, subtract_mean=True, max_lag=max_lag)
        ac = estimate_autocorrelation(rates, every, max_lag=max_lag, subtract_mean=True)
        acfs[f"g = {g:.2f} ({factor:g} x trained), tau_d = {tau:.2f}"] = (ac.s, ac.delta / ac.delta0)
        pm = readout(rates)
        by_g[f"{factor:g}"] = {
            "g": g,
            "decorrelation_time_tau": tau,
            "indices": accuracy_indices(ref, flat(pm)),
            **_coverage(clf, pm, every),
        }
        strips[f"g = {g:.2f}"] = pm[:show, 0]
        if factor == 1.0:
            table["stream"] = {**by_g["1"]["indices"], **_coverage(clf, pm, every)}
            table["stream_vs_train"] = accuracy_indices(ds.x_train[: len(ref)], flat(pm))
    slow = readout(stream(net, n, every=every_slow, chains=chains, seed=seed))
    table[f"stream_every_{every_slow:g}"] = {**accuracy_indices(ref, flat(slow)), **_coverage(clf, slow, every_slow)}
    low, high, period = gain_cycle
    cycled = readout(
        stream(net, n, every=period, chains=chains, gain_cycle=(net.g * low, net.g * high, period), seed=seed)
    )
    table["stream_gain_cycle"] = {
        **accuracy_indices(ref, flat(cycled)),
        **_coverage(clf, cycled, period),
        "gain_cycle": [net.g * low, net.g * high, period],
    }
    strips[f"every {every_slow:g} tau"] = slow[:show, 0]
    strips[f"g {net.g * low:g}/{net.g * high:g}, {period:g} tau"] = cycled[:show, 0]
    taus = [by_g[f"{f:g}"]["decorrelation_time_tau"] for f in factors]
    out.mkdir(parents=True, exist_ok=True)
    plot_image_rows(
        strips,
        ds.image_shape,
        out / "stream_strips_mnist.png",
        n=show,
        title=f"MNIST, chaotic pool: consecutive samples of one chain (trained at g = {net.g:g}); rows g = ...: one "
        f"every {every:g} tau",
    )
    plot_decorrelation(acfs, out / "decorrelation_vs_g_mnist.png", title="MNIST stream: autocorrelation vs g")
    plot_class_coverage(
        {k: v["class_fraction"] for k, v in table.items() if "class_fraction" in v},
        out / "class_coverage_mnist.png",
        title=f"MNIST: {n} stream samples from {chains} chains vs {n} random starts",
    )
    result = {
        "folder": str(folder),
        "steps": ckpt.step,
        "g": net.g,
        "n_pool": net.n_pool,
        "n": n,
        "chains": chains,
        "every_tau": every,
        "every_slow_tau": every_slow,
        "indices_table": table,
        "decorrelation_vs_g": by_g,
        "decorrelation_falls_with_g": bool(all(a > b for a, b in zip(taus, taus[1:]))),
        "stream_eaai_over_random_start": table["stream"]["EAAI"] / table["random_starts"]["EAAI"],
        "seconds": time.perf_counter() - t0,
    }
    save_json(out / "mnist_stream.json", result)
    return out


if __name__ == "__main__":
    args = [Path(a) for a in sys.argv[1:3]]
    print(main(*args))
