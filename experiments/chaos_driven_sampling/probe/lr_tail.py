"""Probe: does a smaller learning rate at the end of training improve the MNIST pool network's samples?

Continues the trained MNIST pool network (``results_mnist_pool``, step 12000) for ``STEPS`` more fused
steps at k, k/4 and k/10 (the same minibatch and initial-state draws for each arm), then reads 2000
random starts at t = 3 tau (the read-out time chosen on the training set) for two sampling seeds and
reports the held-out indices. If the arms at smaller k are clearly better than the arm at k, the
noise of the weights at a fixed k limits the plateau, and a decaying learning rate is the lever.

    python experiments/chaos_driven_sampling/probe/lr_tail.py [STEPS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(steps: int = 1000):
    import torch

    from neurochaos.data import load_dataset
    from neurochaos.io import save_json
    from neurochaos.learning import generate, load_trained, readout
    from neurochaos.learning.fused import FusedTrainer
    from neurochaos.metrics import accuracy_indices

    torch.set_num_threads(2)
    net0, cfg, ckpt = load_trained(HERE.parent / "results_mnist_pool")
    d, tr = cfg.data, cfg.training
    ds = load_dataset(d.name, directory=d.directory, n_train=d.n_train, n_test=d.n_test, seed=tr.seed)
    k0 = tr.k if tr.k is not None else 0.01
    rows = []
    for factor in (1.0, 0.25, 0.1):
        t0 = time.time()
        f = FusedTrainer(net0, tr.clamp_scale * ds.x_train, k=k0 * factor, M=tr.M, seed=12345,
                         dtype=tr.dtype, free_init=tr.free_init)  # fmt: skip
        for i in range(ckpt.step, ckpt.step + steps):
            f.step(i)
        net = net0.with_params(*f.params(), check=False)
        for seed in (5, 6):
            x = generate(net, 2000, times=[3.0], seed=seed)[0]
            ind = accuracy_indices(ds.x_test[:2000], readout(x))
            rows.append({"k_factor": factor, "seed": seed, **ind, "train_s": time.time() - t0})
            print(factor, seed, {k: round(v, 4) for k, v in ind.items()}, flush=True)
    save_json(HERE / "lr_tail.json", {"steps": steps, "from_step": ckpt.step, "k": k0, "rows": rows})


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:2]])
