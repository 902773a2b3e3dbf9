"""Probe: can the pool's drive, cycled alone, carry one MNIST trajectory from digit to digit?

Gain cycling raises g on every frozen coupling, the layers' random J included, so the chain leaves
the digits (EAAI about 0.5 at 2x the trained g). Here only the pool -> hidden weights are scaled, by
``s`` for the first half of each period (the landscape of the layers stays as trained), and by 1
for the second half (the chain settles); one sample is read at the end of each period. The network
is the MNIST pool network with decaying k (``results_mnist_pool_decay``); 2000 samples from 4
chains, x(0) the only random draw (:func:`neurochaos.learning.stream` with ``drive_cycle``). Reports
the held-out indices and class coverage per period and ``s``. The first version of this probe (periods
10 and 20 tau, s up to 16) found period 10 better than 20 at every s.

    python experiments/chaos_driven_sampling/probe/drive_cycle.py [--variants]

Writes ``drive_cycle.json`` (``drive_cycle_variants.json`` with ``--variants``) beside this file.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from run import _classifier, _coverage  # noqa: E402  (the one copy of the coverage measure)

GRID = {10.0: (1.0, 8.0, 16.0, 32.0, 64.0), 5.0: (16.0, 32.0, 64.0)}  # period (tau) -> drive scales
#: ``--variants``: (period, scale, every, sampling g or None): two periods per sample, a long period at a
#: large scale, and the trained g (5) lowered or raised in both halves
VARIANTS = (
    (10.0, 16.0, 20.0, None),
    (20.0, 64.0, 20.0, None),
    (10.0, 16.0, 10.0, 4.0),
    (10.0, 16.0, 10.0, 6.0),
    (10.0, 16.0, 10.0, 7.0),
    (10.0, 16.0, 10.0, 8.0),
)


def main(folder: Path = HERE.parent / "results_mnist_pool_decay", n: int = 2000, chains: int = 4, variants=False):
    from neurochaos.io import save_json
    from neurochaos.learning import load_trained, stream
    from neurochaos.learning.trainer import _load_dataset
    from neurochaos.metrics import accuracy_indices

    net, cfg, _ = load_trained(folder)
    ds = _load_dataset(cfg)
    clf = _classifier(ds)
    rows = []
    todo = VARIANTS if variants else [(p, s, p, None) for p, scales in GRID.items() for s in scales]
    for period, s, every, g in todo:
        t0 = time.time()
        frames = stream(net, n, every=every, chains=chains, drive_cycle=(s, period), g=g, seed=0, dtype="float32")
        pm = np.where(frames >= 0, 1.0, -1.0)
        ind = accuracy_indices(ds.x_test, pm.reshape(-1, net.n_visible))
        cov = _coverage(clf, pm, every)
        rows.append({"period_tau": period, "drive_scale": s, "every_tau": every, "g": g or net.g, **ind, **cov,
                     "seconds": time.time() - t0})  # fmt: skip
        print(period, s, every, g, round(ind["EAAI"], 4), round(ind["AA_truth"], 3), round(ind["AA_syn"], 3),
              round(cov["min_class_fraction"], 4), round(time.time() - t0), flush=True)  # fmt: skip
    name = "drive_cycle_variants.json" if variants else "drive_cycle.json"
    save_json(HERE / name, {"folder": str(folder), "n": n, "chains": chains, "rows": rows})


if __name__ == "__main__":
    main(variants="--variants" in sys.argv[1:])
