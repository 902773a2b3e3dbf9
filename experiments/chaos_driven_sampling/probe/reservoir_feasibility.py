"""Feasibility probe (issue 14): a chaotic pool that drives the restricted 2-layer network.

Units: visible (N_v), hidden (N_h), pool (N_r). Frozen coupling (times g): pool -> pool
N(0, 1/N_r) (an autonomous chaotic random network), pool -> hidden N(0, 1/N_r) * proj;
nothing flows back into the pool, so its chaos (and lambda_max > 0 of the whole network)
cannot be trained away. Learned: the visible-hidden block W and the visible and hidden biases
(contrastive Hebbian, soft targets). Both phases of a step start the pool from the same x0,
so they see the same chaotic drive. Self-contained torch loop; not the toolkit's trainer.

python reservoir_feasibility.py --steps 1500 --out /tmp/res
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from neurochaos.data import load_dataset
from neurochaos.metrics import accuracy_indices

p = argparse.ArgumentParser()
p.add_argument("--data", default="mnist")
p.add_argument("--nh", type=int, default=200)
p.add_argument("--nr", type=int, default=200)
p.add_argument("--g", type=float, default=2.5)
p.add_argument("--proj", type=float, default=1.0)
p.add_argument(
    "--jall",
    type=float,
    default=0.0,
    help="gain of a random coupling among visible + hidden units (the spec's J), 0: none",
)
p.add_argument("--jvis", type=float, default=1.0, help="scale of that coupling's rows into the visible units")
p.add_argument("--T", type=float, default=5.0)
p.add_argument("--k", type=float, default=0.01)
p.add_argument("--M", type=int, default=50)
p.add_argument("--clamp", type=float, default=0.8)
p.add_argument("--steps", type=int, default=1500)
p.add_argument("--eval_every", type=int, default=500)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--out", default="/tmp/res")
p.add_argument("--persistent", action="store_true", help="free phase continues from the last one's end (PCD)")
p.add_argument("--read", type=float, default=1.0, help="also evaluate samples read at this many T")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
if a.data == "mnist":
    ds = load_dataset("mnist", directory="../shared/data/mnist", n_train=8000, n_test=2000, seed=0)
else:
    ds = load_dataset(a.data, seed=0)
xtr = torch.tensor(ds.x_train, dtype=torch.float32)
xte = np.asarray(ds.x_test)
nv, nh, nr = xtr.shape[1], a.nh, a.nr
N = nv + nh + nr
V, H, R = slice(0, nv), slice(nv, nv + nh), slice(nv + nh, N)
rng = np.random.default_rng(1)
J = np.zeros((N, N))
J[R, R] = rng.normal(size=(nr, nr)) / np.sqrt(nr)
np.fill_diagonal(J, 0)
J[H, R] = a.proj * rng.normal(size=(nh, nr)) / np.sqrt(nr)
J = a.g * J
if a.jall:
    n = nv + nh
    Jl = a.jall * rng.normal(size=(n, n)) / np.sqrt(n)
    np.fill_diagonal(Jl, 0)
    Jl[:nv] *= a.jvis
    J[:n, :n] = Jl
J = torch.tensor(J, dtype=torch.float32)
W = torch.zeros(nv, nh)  # A[V, H] = W, A[H, V] = W.T
b = torch.zeros(N)
dt = 0.1
n_steps = round(a.T / dt)
gen = torch.Generator().manual_seed(2)


def K():
    k = J.clone()
    k[V, H] += W
    k[H, V] += W.T
    return k


def run_free(x, Kt, n):
    for _ in range(n):
        x = x + dt * (-x + torch.tanh(x) @ Kt.T + b)
    return x


def run_clamped(x, Kt, sv, n):
    """visible held at sv; hidden and pool integrated."""
    fix = sv @ Kt[nv:, :nv].T + b[nv:]
    Khh = Kt[nv:, nv:]
    y = x[:, nv:]
    for _ in range(n):
        y = y + dt * (-y + torch.tanh(y) @ Khh.T + fix)
    return torch.cat([sv, torch.tanh(y)], 1)


def sample(n, seed, mult=1.0):
    g2 = torch.Generator().manual_seed(seed)
    x = torch.randn(n, N, generator=g2)
    x = run_free(x, K(), round(mult * n_steps))
    return torch.where(x[:, V] >= 0, 1.0, -1.0).numpy()


def lyap(cond: bool, seed=5, T=40.0, chains=4):
    """two-trajectory lambda_max; cond: perturb only visible+hidden (pool shared)."""
    g2 = torch.Generator().manual_seed(seed)
    Kt = K()
    x = run_free(torch.randn(chains, N, generator=g2), Kt, 100)
    d = torch.randn(chains, N, generator=g2)
    if cond:
        d[:, R] = 0
    d0 = 1e-4
    d = d0 * d / d.norm(dim=1, keepdim=True)
    y = x + d
    logs = torch.zeros(chains)
    for _ in range(int(T)):
        x = run_free(x, Kt, 10)
        y = run_free(y, Kt, 10)
        dd = (y - x).norm(dim=1)
        logs += torch.log(dd / d0)
        y = x + (y - x) * (d0 / dd[:, None])
    return float((logs / T).mean())


hist = []
out = Path(a.out)
out.mkdir(parents=True, exist_ok=True)
t0 = time.time()
for step in range(a.steps + 1):
    if step % a.eval_every == 0:
        s = sample(1000, 10_000 + step)
        ind = accuracy_indices(xte[:1000], s)
        if a.read != 1.0:
            late = accuracy_indices(xte[:1000], sample(1000, 10_000 + step, a.read))
            ind.update({f"late_{k}": v for k, v in late.items() if k in ("EAAI", "AA_truth", "AA_syn")})
        Kt = K()
        xs = run_free(torch.randn(64, N, generator=torch.Generator().manual_seed(3)), Kt, n_steps)
        sat = (torch.tanh(xs).abs() > 0.99).float()
        rec = {
            "step": step,
            "wall": time.time() - t0,
            **{k: float(v) for k, v in ind.items()},
            "lam_full": lyap(False),
            "lam_cond": lyap(True),
            "sat_v": float(sat[:, V].mean()),
            "sat_h": float(sat[:, H].mean()),
            "W_rms": float(W.pow(2).mean().sqrt()),
        }
        hist.append(rec)
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in rec.items()}), flush=True)
        np.save(out / "samples.npy", s[:100])
        json.dump({"args": vars(a), "history": hist}, open(out / "hist.json", "w"), indent=1)
    if step == a.steps:
        break
    idx = torch.randint(len(xtr), (a.M,), generator=gen)
    sv = a.clamp * xtr[idx]
    x0 = torch.randn(a.M, N, generator=gen)
    if a.persistent and step > 0:
        x0 = x_end  # noqa: F821  (set by the previous step)
    Kt = K()
    xc0 = x0.clone()
    xc0[:, V] = 0
    xc0[:, H] = 0
    s_c = run_clamped(xc0, Kt, sv, n_steps)
    x_end = run_free(x0, Kt, n_steps)
    s_f = torch.tanh(x_end)
    dW = (s_c[:, V].T @ s_c[:, H] - s_f[:, V].T @ s_f[:, H]) / a.M
    W += a.k * dW
    db = s_c.mean(0) - s_f.mean(0)
    db[R] = 0
    b += a.k * db
