"""Where the read-out speckle of chaotic MNIST networks comes from, measured on trained folders.

For each training folder given: 1000 free chains from x(0) ~ N(0, 1) run for T (the
network's own Euler update, float32), then at T:

- the random input into the visible units, ``g J0[v, :] tanh(x)``: its standard deviation;
- the learned input plus bias of the visible units, ``A[v, :] tanh(x) + b_v``: mean and spread;
- on the *background* pixels (ON in < 2 % of the held-out digits), the fraction of samples
  whose pixel reads ON, against the held-out digits' fraction;
- the hidden units: their random input's spread, the mean |learned input|, and the fraction
  with |tanh x| > 0.99.

Usage (writes ``speckle.json`` here)::

    python experiments/chaos_driven_sampling/probe/speckle.py DIR [DIR ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def measure(folder: Path, n: int = 1000, seed: int = 1) -> dict:
    import torch

    from neurochaos.data import load_dataset
    from neurochaos.learning import load_trained

    net, cfg, _ = load_trained(folder)
    d = cfg.data
    ds = load_dataset(d.name, directory=d.directory, n_train=d.n_train, n_test=d.n_test, seed=cfg.training.seed)
    nv, N = net.n_visible, net.N
    J0, A = (torch.tensor(a, dtype=torch.float32) for a in (net.J0, net.A))
    b = torch.tensor(net.bias, dtype=torch.float32)
    KT = (net.g * J0 + A).T.contiguous()
    x = torch.tensor(np.random.default_rng(seed).normal(size=(n, N)), dtype=torch.float32)
    with torch.no_grad():
        for _ in range(round(net.T / net.dt)):
            x = x + net.dt * (-x + torch.tanh(x) @ KT + b)
        r = torch.tanh(x)
        v, h = slice(0, nv), slice(nv, N)
        rand_v, learn_v = net.g * (r @ J0[v].T), r @ A[v].T + b[v]
        rand_h, learn_h = net.g * (r @ J0[h].T), r @ A[h].T + b[h]
    truth = ds.x_test[:n]
    bg = (truth > 0).mean(0) < 0.02
    on = (r[:, v] >= 0).numpy()
    return {
        "folder": str(folder),
        "g": net.g,
        "j_visible_rows_zero": bool(np.all(net.J0[:nv] == 0)),
        "visible_random_input_std": float(rand_v.std()),
        "visible_learned_input_mean": float(learn_v.mean()),
        "visible_learned_input_std": float(learn_v.std()),
        "background_pixels": int(bg.sum()),
        "background_on_fraction_samples": float(on[:, bg].mean()),
        "background_on_fraction_heldout": float((truth[:, bg] > 0).mean()),
        "background_on_pixels_per_sample": float(on[:, bg].sum(1).mean()),
        "hidden_random_input_std": float(rand_h.std()),
        "hidden_learned_input_abs_mean": float(learn_h.abs().mean()),
        "hidden_saturated": float((r[:, h].abs() > 0.99).float().mean()),
    }


def main(argv=None) -> list[dict]:
    folders = [Path(a) for a in (argv if argv is not None else sys.argv[1:])]
    rows = [measure(f) for f in folders]
    for r in rows:
        print(json.dumps(r))
    (HERE / "speckle.json").write_text(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":
    main()
