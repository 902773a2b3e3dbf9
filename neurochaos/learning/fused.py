"""Device-resident contrastive Hebbian training: a whole training step in torch.

The phase runner (:mod:`neurochaos.learning.phases`) sends every simulation epoch
through an executor and applies the update in numpy: general (any executor, Brian2
included) but with a host round trip per phase. :class:`FusedTrainer` keeps J0,
A, the biases, the data and the chains on one torch device and runs

    clamped phase (T / dt steps) -> free phase (T / dt steps) -> update

without leaving it; on CUDA the whole step is captured once in a CUDA graph and
replayed. The integration step is still the one generated from the card's Brian2
equations (:func:`neurochaos.executors.torch_engine.make_step`), so the fused
path computes the same update as the phase runner (tested to 1e-10 in float64).

Folding: when the generated update depends on the two recurrent inputs only
through ``g * I_rand + I_learn`` (checked numerically at construction, not
assumed), both pathways are computed as one product with ``K = g J0 + A``,
halving the matrix work; otherwise two products are made. When folded, the
clamped phase integrates only the units that are not clamped: the clamped
visible rates enter their input once per phase, through the bias, and each
integration step multiplies by the hidden block of K alone (also checked
numerically at construction; :attr:`FusedTrainer.reduced`).

Random numbers: each training step ``i`` draws its minibatch indices (with
replacement) and its free-phase initial states N(0, 1) from a torch generator
seeded with ``(seed, i)``. Resuming at step ``i`` therefore needs no generator
state, and no other random number is drawn.
"""

from __future__ import annotations

import numpy as np

from ..errors import ConfigError
from ..executors import RunConfig
from ..executors.base import DTYPES
from ..executors.torch_engine import PRECISIONS, _resolve_device, _tf32, capture_graph, make_step
from ..model.schedule import constant_value
from ..validation import check_choice, check_finite_array, check_float, check_int
from .draws import step_draws, step_seed  # noqa: F401  (step_seed: re-exported)
from .hebbian import contrastive_delta

__all__ = ["FusedTrainer", "step_seed"]


class FusedTrainer:
    """Contrastive Hebbian training steps of a GenerativeNetwork on one torch device.

    Parameters
    ----------
    network : GenerativeNetwork (initial A, biases; J0, g, T, dt, method)
    x_train : ndarray (n, n_visible), encoded training data in [-1, 1]
    k : learning rate; M : minibatch size = number of free chains
    free_init : "random" (N(0, 1)), "data" (visible units start at 2 x data) or
        "persistent" (each step's free phase starts where the last one ended)
    seed : training seed of the per-step draws (:mod:`neurochaos.learning.draws`, shared with the phases engine)
    device, dtype : torch device and dtype ("float64" or "float32")
    precision : matrix products "highest", "tf32" or "bf16" (float32 only)
    graph : capture the step in a CUDA graph: "auto" (on CUDA), True or False
    fold : fold the two recurrent pathways into one matrix when the update allows it
    reduce : when folded, integrate only the units that are not clamped in the clamped phase
        (when the update allows it; the same update to rounding, 1.5x fewer seconds per step at
        784 + 200 units on a CPU core, ``benchmarks/bench_training.py``)
    compile : fuse the element-wise parts of each integration step with torch.compile
        (see :func:`~neurochaos.executors.torch_engine.make_step`)
    weight_decay : L2 decay of A per unit of k (see :func:`~neurochaos.learning.hebbian.contrastive_delta`)
    chains : ndarray (M, N), persistent chains to resume from (free_init "persistent")
    epilogue : integrate each phase with one Triton GEMM per step whose epilogue does the
        state update and tanh (:class:`~neurochaos.executors.epilogue.EpilogueStep`), instead
        of the generated torch step; needs the folded pathways, dtype float32 and a CUDA GPU
        (or Triton's interpreter on the CPU), refuses ``compile``
    tile : :class:`~neurochaos.executors.epilogue.Tile` of the epilogue kernel (default: its default)

    Examples
    --------
    >>> from neurochaos.learning import build_generative_network
    >>> net = build_generative_network("fu_restricted2", n_visible=4, n_hidden=3, T=0.5)
    >>> tr = FusedTrainer(net, np.ones((6, 4)), k=0.1, M=2)
    >>> tr.step(0)
    >>> A, bias = tr.params()
    >>> bool(np.allclose(A, A.T)) and tr.folded
    True
    """

    def __init__(
        self,
        network,
        x_train,
        *,
        k: float,
        M: int,
        free_init: str = "random",
        seed: int = 0,
        device: str = "cpu",
        dtype: str = "float64",
        precision: str = "highest",
        graph="auto",
        fold: bool = True,
        reduce: bool = True,
        weight_decay: float = 0.0,
        chains=None,
        compile: bool = False,
        epilogue: bool = False,
        tile=None,
    ):
        import torch

        self.network = network
        self.k = check_float(k, "k", low=0.0, low_open=True)
        self.M = check_int(M, "M", min_value=1)
        self.weight_decay = check_float(weight_decay, "weight_decay", low=0.0)
        self.free_init = check_choice(free_init, "free_init", ("random", "data", "persistent"))
        self.seed = check_int(seed, "seed", min_value=0)
        check_choice(precision, "precision", PRECISIONS)
        if graph not in (True, False, "auto"):
            raise ConfigError(f"`graph` must be True, False or 'auto', got {graph!r}")
        x_train = check_finite_array(x_train, "x_train", shape=(None, network.n_visible))
        if len(x_train) == 0:
            raise ConfigError("`x_train` must hold at least one image, got 0")
        self.precision = precision
        check_choice(dtype, "dtype", DTYPES)
        if precision != "highest" and dtype != "float32":
            raise ConfigError(f"`precision` {precision!r} needs dtype 'float32', got dtype {dtype!r}")
        tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype]
        dev = _resolve_device(device)
        self.device, self.tdtype = dev, tdtype
        # the learning rate lives in a 0-d tensor so a captured CUDA graph reads the current value (set_k)
        self.k_t = torch.tensor(self.k, dtype=tdtype, device=dev)
        N, nv = network.N, network.n_visible

        def t(a):
            return torch.tensor(np.asarray(a, dtype=float), dtype=tdtype, device=dev)  # a copy: updated in place

        self.x_train = t(x_train)
        self.A = t(network.A)
        self.bias = t(network.bias)
        self.mask = t(network.mask)
        self.bias_mask = t(network.bias_mask) if network.n_pool else None
        self.pool = network.pool if network.n_pool else None
        self.J0 = t(network.J0)
        self.vis = t(network.visible)
        self.batch = torch.zeros((self.M, nv), dtype=tdtype, device=dev)
        self.s_clamp = torch.zeros((self.M, N), dtype=tdtype, device=dev)
        self.x0 = torch.zeros((self.M, N), dtype=tdtype, device=dev)
        self.x_end = torch.zeros((self.M, N), dtype=tdtype, device=dev)
        self.idx = torch.zeros(self.M, dtype=torch.long, device=dev)
        self._have_chains = False
        if chains is not None:
            self.x_end.copy_(t(check_finite_array(chains, "chains", shape=(self.M, N))))
            self._have_chains = True

        rate_net = network.rate_network()
        self.config = RunConfig(T=network.T, dt=network.dt, method=network.method, dtype=dtype, device=str(dev))
        self.n_steps = self.config.n_steps
        gains = rate_net.gain.sample(self.n_steps + 1, self.config.dt)
        g_const = constant_value(gains)
        self.folded = bool(fold) and g_const is not None and self._fold_ok(rate_net, dtype)
        common = dict(bias=self.bias, device=str(dev), dtype=dtype, precision=precision, compile=bool(compile))
        if self.folded:
            self.g_J0 = g_const * self.J0
            self.K = self.g_J0 + self.A
            weights, skip = {"learn": self.K, "rand": self.J0}, ("rand",)
        else:
            weights, skip = {"learn": self.A, "rand": self.J0}, ()
        self.reduced = bool(reduce) and self.folded and self._reduced_ok(rate_net)
        h = slice(nv, N)
        if self.reduced:  # the clamped phase integrates only the units that are not clamped
            self.K_hh, self.K_hv = self.K[h, h], self.K[h, :nv]  # views: follow K's in-place updates
            self.b_eff = torch.zeros((self.M, N - nv), dtype=tdtype, device=dev)
        self.epilogue = bool(epilogue)
        if self.epilogue:
            self._use_epilogue(rate_net, dtype, compile, tile)
        else:
            free = {"clamp": 0.0, "s_clamp": 0.0}
            if self.reduced:
                self._clamped = make_step(
                    rate_net,
                    self.config,
                    weights={"learn": self.K_hh, "rand": self.J0[h, h]},
                    skip=("rand",),
                    variables=free,
                    **{**common, "bias": self.b_eff},
                )
            else:
                self._clamped = make_step(
                    rate_net,
                    self.config,
                    weights=weights,
                    skip=skip,
                    variables={"clamp": self.vis, "s_clamp": self.s_clamp},
                    **common,
                )
            self._free = make_step(rate_net, self.config, weights=weights, skip=skip, variables=free, **common)
        self.use_graph = dev.type == "cuda" and graph in (True, "auto")
        if graph is True and dev.type != "cuda":
            raise ConfigError(f"`graph` True needs a CUDA device, got device {device!r}")
        self._graph = None

    def _use_epilogue(self, rate_net, dtype, compile, tile) -> None:
        """The two phases' steppers: epilogue kernels instead of the generated torch steps."""
        from ..executors.epilogue import EpilogueStep

        if dtype != "float32":
            raise ConfigError(f"`epilogue` needs dtype 'float32', got dtype {dtype!r}")
        if compile:
            raise ConfigError("`compile` must be False with `epilogue` (the kernel already fuses the step)")
        if not self.folded:
            raise ConfigError("`epilogue` needs the pathways folded into one product (fold=True, constant gain)")
        common = dict(
            skip=("rand",), variables={"clamp": 0.0, "s_clamp": 0.0}, precision=self.precision,
            tile=tile, device=str(self.device), M=self.M,
        )  # fmt: skip
        if self.reduced:
            self._clamped = EpilogueStep(rate_net, self.config, weight=self.K_hh, bias=self.b_eff, **common)
        else:  # the clamped phase holds units at data: not the kernel's form (EpilogueStep would refuse it)
            raise ConfigError("`epilogue` needs the reduced clamped phase (reduce=True, visible units first)")
        self._free = EpilogueStep(rate_net, self.config, weight=self.K, bias=self.bias, **common)

    def _phase(self, step, x):
        """Integrate one phase (n_steps steps) from state ``x``; returns the final state."""
        if self.epilogue:
            return step.run(x, self.n_steps)
        for n in range(self.n_steps):
            x = step(x, n)
        return x

    def _fold_ok(self, rate_net, dtype) -> bool:
        """Does the generated update see the pathways only through g I_rand + I_learn?"""
        rng = np.random.default_rng(12345)
        N = rate_net.N
        J = rng.normal(size=(N, N)) / np.sqrt(N)
        A = rng.normal(size=(N, N)) / np.sqrt(N)
        g = float(rate_net.gain.sample(1, self.config.dt)[0])
        cfg = RunConfig(T=self.network.T, dt=self.network.dt, method=self.network.method)
        x = rng.normal(size=(3, N))
        import torch

        xt = torch.as_tensor(x, dtype=torch.float64)
        for clamp in (0.0, 1.0):
            var = {"clamp": clamp * np.asarray(self.network.visible), "s_clamp": rng.uniform(-1, 1, size=(3, N))}
            two = make_step(rate_net, cfg, weights={"rand": J, "learn": A}, variables=var)
            one = make_step(rate_net, cfg, weights={"rand": J, "learn": g * J + A}, variables=var, skip=("rand",))
            if not torch.allclose(two(xt, 0), one(xt, 0), rtol=1e-12, atol=1e-12):
                return False
        return True

    def _reduced_ok(self, rate_net) -> bool:
        """May the clamped phase integrate only the free (hidden) units?

        With the visible units clamped, their rates are the constant targets, so the hidden
        units see ``K_hv s_v + K_hh r_h + b_h``: the visible part can be added to the bias once
        per phase and each integration step needs only the (N_h, N_h) block of K instead of all
        of it (at 784 + 200 units, 1/24 of the products). Checked numerically on this card's
        generated update (as for folding), not assumed; the visible units must come first.
        """
        import torch

        vis = np.asarray(self.network.visible, dtype=bool)
        nv, N = self.network.n_visible, rate_net.N
        if not (vis[:nv].all() and not vis[nv:].any()) or nv == N:
            return False
        rng = np.random.default_rng(54321)
        K = rng.normal(size=(N, N)) / np.sqrt(N)
        b = rng.normal(size=N)
        x = torch.as_tensor(rng.normal(size=(3, N)), dtype=torch.float64)
        s_clamp = rng.uniform(-1, 1, size=(3, N))
        cfg = RunConfig(T=self.network.T, dt=self.network.dt, method=self.network.method)
        J = np.zeros((N, N))
        full = make_step(
            rate_net, cfg, weights={"rand": J, "learn": K}, bias=b,
            variables={"clamp": vis.astype(float), "s_clamp": s_clamp}, skip=("rand",),
        )  # fmt: skip
        b_eff = b[nv:] + s_clamp[:, :nv] @ K[nv:, :nv].T
        part = make_step(
            rate_net, cfg, weights={"rand": J[nv:, nv:], "learn": K[nv:, nv:]}, bias=b_eff,
            variables={"clamp": 0.0, "s_clamp": 0.0}, skip=("rand",),
        )  # fmt: skip
        return bool(torch.allclose(full(x, 0)[:, nv:], part(x[:, nv:], 0), rtol=1e-12, atol=1e-12))

    # ------------------------------------------------------------------ the step
    def _body(self):
        import torch

        nv = self.network.n_visible
        if self.reduced:
            torch.addmm(self.bias[nv:], self.batch, self.K_hv.T, out=self.b_eff)
            x = torch.zeros_like(self.b_eff)
            if self.pool is not None:  # the pool starts where the free phase's does: the same chaotic drive
                x[:, self.pool.start - nv :] = self.x0[:, self.pool]  # the pool comes last
            x = self._phase(self._clamped, x)
            s_c = torch.cat([self.batch, torch.tanh(x)], dim=1)
        else:
            self.s_clamp[:, :nv].copy_(self.batch)
            x = torch.zeros_like(self.x0)
            if self.pool is not None:
                x[:, self.pool] = self.x0[:, self.pool]
            x = self._phase(self._clamped, x)
            s_c = torch.where(self.vis > 0, self.s_clamp, torch.tanh(x))
        x = self._phase(self._free, self.x0)
        s_f = torch.tanh(x)
        self.x_end.copy_(x)
        dA, db = contrastive_delta(s_c, s_f, self.A, self.weight_decay)
        self.A.add_(self.k_t * dA * self.mask)
        if self.bias_mask is not None:
            db = db * self.bias_mask
        self.bias.add_(self.k_t * db)
        if self.folded:
            torch.add(self.g_J0, self.A, out=self.K)
        self._clamped.refresh()
        self._free.refresh()

    def _run_body(self):
        import torch

        with torch.no_grad(), _tf32(self.precision == "tf32"):
            if not self.use_graph:
                self._body()
                return
            if self._graph is None:
                saved = [v.clone() for v in (self.A, self.bias, self.x_end)]
                self._graph = capture_graph(self._body)
                # warm-up and capture ran the body: restore the parameters
                for v, s in zip((self.A, self.bias, self.x_end), saved):
                    v.copy_(s)
                if self.folded:
                    torch.add(self.g_J0, self.A, out=self.K)
                self._clamped.refresh()
                self._free.refresh()
            self._graph.replay()

    def set_k(self, k: float) -> None:
        """Set the learning rate of the next steps (a decaying schedule; no check: the config checked it)."""
        if k != self.k:
            self.k = k
            self.k_t.fill_(k)

    def step_with(self, batch, x0) -> None:
        """One training step with a given minibatch (M, n_visible) and initial states (M, N)."""
        import torch

        self.batch.copy_(torch.as_tensor(np.asarray(batch, dtype=float), dtype=self.tdtype))
        self.x0.copy_(torch.as_tensor(np.asarray(x0, dtype=float), dtype=self.tdtype))
        self._run_body()
        self._have_chains = True

    def step(self, i: int) -> None:
        """Training step number ``i``: its minibatch and initial states (:func:`step_draws`), then the update."""
        import torch

        idx, x0 = step_draws(self.seed, i, len(self.x_train), self.M, self.network.N)
        with torch.no_grad():
            self.idx.copy_(torch.from_numpy(idx))
            torch.index_select(self.x_train, 0, self.idx, out=self.batch)
            if self.free_init == "persistent" and self._have_chains:
                self.x0.copy_(self.x_end)
            else:
                self.x0.copy_(torch.from_numpy(x0))
                if self.free_init == "data":
                    self.x0[:, : self.network.n_visible] = 2.0 * self.batch
        self._run_body()
        self._have_chains = True

    # ------------------------------------------------------------------ read-out
    def params(self) -> tuple[np.ndarray, np.ndarray]:
        """Current (A, bias) as float64 numpy arrays."""
        return self.A.double().cpu().numpy(), self.bias.double().cpu().numpy()

    def chains(self):
        """States at the end of the last free phase, (M, N) float64, or None before the first step."""
        return self.x_end.double().cpu().numpy() if self._have_chains else None

    def synchronize(self) -> None:
        """Wait for queued GPU work (for timing)."""
        import torch

        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
