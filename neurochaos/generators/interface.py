"""One interface for every generator compared on the same data and indices.

A :class:`Generator` is fitted on ``x_train`` (n, D) in [-1, 1], draws ``sample(n, seed)``
(n, D) in [-1, 1], saves to / loads from a folder (``generator.json`` naming its kind and
settings, plus the model's own files), and keeps a :class:`Cost` record. The existing
models are wrapped, not rewritten:

- ``"chaotic"``: the contrastive-Hebbian chaotic network (:func:`neurochaos.learning.train`,
  any ``fu_*`` card; samples are the free dynamics from random states, no injected noise);
- ``"rbm"``: the PCD-trained RBM (:mod:`neurochaos.baselines.rbm`);
- ``"kaleidoscope"``: generative kaleidoscopic networks (:mod:`neurochaos.baselines.kaleidoscope`);
- ``"agm"``: phase-space stochastic bridges, the acceleration generative model (:mod:`neurochaos.baselines.agm`);
- ``"reservoir_gan"``: the chaos-driven GAN (:mod:`neurochaos.generators.gan`, reservoir latents).

Use :func:`build_generator` (name + settings) and :func:`load_generator` (folder).
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..io import save_json
from ..validation import check_choice, check_float, check_images, check_int, fail

__all__ = ["Cost", "Generator", "GENERATORS", "build_generator", "load_generator"]


@dataclass
class Cost:
    """What a generator costs.

    Attributes
    ----------
    evaluations_per_sample : network evaluations (or integration steps, Gibbs sweeps) per sample
    parameters : trained parameters
    fit_seconds : wall time of ``fit``
    sample_seconds_per_sample : wall time of the last ``sample`` call divided by its n
    """

    evaluations_per_sample: int = 0
    parameters: int = 0
    fit_seconds: float = 0.0
    sample_seconds_per_sample: float | None = None


class Generator:
    """Base class: subclasses set ``name`` and implement ``_fit``, ``_sample``, ``_save``, ``_load``."""

    name = "base"
    #: settings used only when sampling: a fitted model serves every value of them (:meth:`with_sampling`)
    sampling_settings: tuple = ()
    #: whether :meth:`fit` can start from another fitted generator's parameters (``init=``)
    warm_start: bool = False

    def __init__(self, **settings):
        self.settings = settings
        self.cost = Cost()
        self.n_visible = None
        self._init = None

    def fit(self, x_train, *, progress: bool = False, init: Generator | None = None) -> Generator:
        """Fit on ``x_train`` (n, D) in [-1, 1]; returns self.

        ``init``: a fitted generator of the same kind and size to start from (a warm start:
        its parameters are the initial ones; only kinds with ``warm_start`` take it).
        """
        x = check_images(x_train)
        if init is not None:
            if not self.warm_start:
                warm = sorted(k for k, c in GENERATORS.items() if c.warm_start)
                fail("init", f"None: the {self.name!r} generator fits from scratch only (warm starts: {warm})", init)
            if type(init) is not type(self) or init.n_visible != x.shape[1]:
                fail(
                    "init",
                    f"a fitted {self.name!r} generator with {x.shape[1]} pixels",
                    f"{init.name!r}, {init.n_visible}",
                )
        self._init = init
        t0 = time.perf_counter()
        self._fit(x, progress)
        self.cost.fit_seconds = time.perf_counter() - t0
        self.n_visible = x.shape[1]
        return self

    def sample(self, n: int, *, seed: int = 0) -> np.ndarray:
        """``n`` samples, shape (n, n_visible), float64 in [-1, 1]."""
        if self.n_visible is None:
            fail("generator", "fitted (or loaded) before sampling", f"an unfitted {self.name!r} generator")
        n = check_int(n, "n", min_value=1)
        t0 = time.perf_counter()
        s = np.asarray(self._sample(n, check_int(seed, "seed", min_value=0)), dtype=np.float64)
        self.cost.sample_seconds_per_sample = (time.perf_counter() - t0) / n
        return s

    def save(self, folder) -> Path:
        """Write ``generator.json`` and the model's files into ``folder``."""
        if self.n_visible is None:
            fail("generator", "fitted before saving", f"an unfitted {self.name!r} generator")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._save(folder)
        save_json(
            folder / "generator.json",
            {"name": self.name, "settings": self.settings, "n_visible": self.n_visible, "cost": asdict(self.cost)},
        )
        return folder

    def diagnostics(self, n: int, *, seed: int = 0) -> dict:
        """Generator-specific measures of ``n`` samples drawn with ``seed`` (e.g. stuck chains); {} when none."""
        return {}

    def fit_settings(self) -> dict:
        """The settings that the fitted model depends on (all but :attr:`sampling_settings`)."""
        return {k: v for k, v in self.settings.items() if k not in self.sampling_settings}

    def with_sampling(self, **sampling) -> Generator:
        """Change sampling-only settings of a fitted generator in place (checked as at construction); returns self."""
        unknown = sorted(set(sampling) - set(self.sampling_settings))
        if unknown:
            fail(f"{self.name} sampling settings", f"among {sorted(self.sampling_settings)}", unknown)
        type(self)(**{**self.settings, **sampling})  # the constructor checks the new values
        self.settings.update(sampling)
        if self.n_visible is not None:
            self._set_cost()
        return self

    # subclass hooks
    def _set_cost(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _fit(self, x: np.ndarray, progress: bool) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _sample(self, n: int, seed: int) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _save(self, folder: Path) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _load(self, folder: Path) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ChaoticGenerator(Generator):
    """The chaotic network trained by contrastive Hebbian learning.

    Settings: ``model`` and ``training`` tables of :class:`~neurochaos.learning.TrainConfig`
    (``eval_every`` is forced to 0: evaluation belongs to the comparison), ``encoding``
    ("pm1" or "continuous": the read-out of the samples).
    """

    name = "chaotic"
    warm_start = True

    def __init__(self, model: dict | None = None, training: dict | None = None, encoding: str = "pm1"):
        super().__init__(model=dict(model or {}), training=dict(training or {}), encoding=encoding)
        self.network = None

    def _config(self):
        from ..learning import TrainConfig

        s = self.settings
        training = {**s["training"], "eval_every": 0}
        return TrainConfig.from_dict({"model": s["model"], "training": training, "data": {"encoding": s["encoding"]}})

    def _fit(self, x, progress):
        from ..data.sources import Dataset
        from ..learning import train

        self.settings["model"].setdefault("n_visible", x.shape[1])
        cfg = self._config()
        y = -np.ones(len(x), dtype=np.int64)
        ds = Dataset(x, y, x[:1], y[:1], (x.shape[1], 1), "given", self.settings["encoding"], "x_train of fit()")
        with tempfile.TemporaryDirectory(prefix="neurochaos_chaotic_") as out:
            if self._init is not None:  # a warm start: training.steps more steps from the init's couplings
                self._init._save(Path(out))
            self.network = train(cfg, out, dataset=ds, progress=progress, resume=self._init is not None).network
        self._set_cost()

    def _set_cost(self):
        net = self.network
        self.cost.evaluations_per_sample = int(round(net.T / net.dt))
        self.cost.parameters = int(net.mask.sum() // 2 + net.N)

    def _sample(self, n, seed):
        from ..learning import generate, readout

        return readout(generate(self.network, n, seed=seed)[0], self.settings["encoding"])

    def _save(self, folder):
        from ..learning.checkpoint import Checkpoint, save_checkpoint
        from ..learning.draws import DRAW_POLICY
        from ..model import seed_streams

        net, cfg = self.network, self._config().resolve()
        # the trainer's own draw seed, so that a warm start can resume from this checkpoint
        draws = {"policy": DRAW_POLICY, "seed": int(seed_streams(cfg.training.seed, 2)[1].integers(2**31))}
        save_checkpoint(
            folder / "checkpoint.npz", Checkpoint(cfg.to_dict(), 0, net.A, net.bias, net.J0, None, draws, [])
        )

    def _load(self, folder):
        from ..learning import load_trained

        self.network = load_trained(folder / "checkpoint.npz")[0]
        self._set_cost()


class RBMGenerator(Generator):
    """The PCD-trained RBM. Settings: ``n_hidden``, ``steps``, ``lr``, ``chains``, ``batch_size``, ``sweeps``, ``seed``."""

    name = "rbm"
    sampling_settings = ("sweeps",)

    def __init__(self, n_hidden=64, steps=1000, lr=0.01, chains=100, batch_size=100, sweeps=200, seed=0):
        super().__init__(
            n_hidden=n_hidden, steps=steps, lr=lr, chains=chains, batch_size=batch_size, sweeps=sweeps, seed=seed
        )
        self.rbm = None

    def _fit(self, x, progress):
        from ..baselines import train_rbm

        s = self.settings
        x = np.where(x > 0, 1.0, -1.0)  # the RBM is a +-1 model
        self.rbm = train_rbm(
            x, s["n_hidden"], steps=s["steps"], lr=s["lr"], chains=s["chains"], batch_size=s["batch_size"],
            seed=s["seed"], progress=progress,
        )  # fmt: skip
        self._set_cost()

    def _set_cost(self):
        self.cost.evaluations_per_sample = int(self.settings["sweeps"])
        self.cost.parameters = int(self.rbm.W.size + self.rbm.visible_bias.size + self.rbm.hidden_bias.size)

    def _sample(self, n, seed):
        return self.rbm.sample(n, sweeps=self.settings["sweeps"], seed=seed)

    def _save(self, folder):
        self.rbm.save(folder / "rbm.npz")

    def _load(self, folder):
        from ..baselines import RBM

        self.rbm = RBM.load(folder / "rbm.npz")
        self._set_cost()


class KaleidoscopeGenerator(Generator):
    """Generative kaleidoscopic networks. Settings: the KaleidoscopeConfig fields, ``steps``, ``eps``, ``noise``."""

    name = "kaleidoscope"
    sampling_settings = ("steps", "eps", "noise")

    def __init__(self, steps: int = 30, eps: float = 0.01, noise: str = "uniform", **config):
        from ..baselines import KaleidoscopeConfig

        KaleidoscopeConfig(**config)  # checks the settings now, not after fitting
        super().__init__(steps=steps, eps=eps, noise=noise, **config)
        self.model = None

    def _fit(self, x, progress):
        from ..baselines import KaleidoscopeConfig, train_kaleidoscope

        self.model = train_kaleidoscope(x, KaleidoscopeConfig(**self.fit_settings()), progress=progress)
        self._set_cost()

    def _set_cost(self):
        self.cost.evaluations_per_sample = int(self.settings["steps"])
        self.cost.parameters = self.model.n_parameters

    def _sample(self, n, seed):
        s = self.settings
        return self.model.sample(
            n, steps=s["steps"], eps=s["eps"], noise=s["noise"], seed=seed, device=s.get("device", "cpu")
        )

    def diagnostics(self, n, *, seed=0):
        """``stuck_fraction``, ``distinct_fraction``, ``median_last_step`` of the chains (:func:`chain_diversity`)."""
        from ..baselines import chain_diversity

        s = self.settings
        _, chains = self.model.sample(
            n, steps=s["steps"], eps=s["eps"], noise=s["noise"], seed=seed, device=s.get("device", "cpu"),
            return_chains=True,
        )  # fmt: skip
        return chain_diversity(chains, s["eps"])

    def _save(self, folder):
        self.model.save(folder / "kaleidoscope.npz")

    def _load(self, folder):
        from ..baselines import Kaleidoscope

        self.model = Kaleidoscope.load(folder / "kaleidoscope.npz")
        self._set_cost()


class AGMGenerator(Generator):
    """Phase-space stochastic bridges (acceleration generative model).

    Settings: the :class:`~neurochaos.baselines.agm.AGMConfig` fields, and for sampling
    ``evaluations`` (network evaluations per sample), ``sampler`` (one of
    :data:`~neurochaos.baselines.agm.SAMPLERS`) and ``t_stop`` (the time of the hop to x1_hat).
    """

    name = "agm"
    warm_start = True
    sampling_settings = ("evaluations", "sampler", "t_stop")

    def __init__(self, evaluations: int = 20, sampler: str = "sde_exact", t_stop: float = 0.99, **config):
        from ..baselines.agm import SAMPLERS, AGMConfig

        AGMConfig(**config)  # checks the settings now, not after fitting
        check_int(evaluations, "evaluations", min_value=1)
        check_choice(sampler, "sampler", SAMPLERS)
        check_float(t_stop, "t_stop", low=0.0, high=1.0, low_open=True, high_open=True)
        super().__init__(evaluations=evaluations, sampler=sampler, t_stop=t_stop, **config)
        self.model = None

    def _agm_config(self):
        from ..baselines.agm import AGMConfig

        return AGMConfig(**self.fit_settings())

    def _fit(self, x, progress):
        from ..baselines.agm import train_agm

        init = None if self._init is None else self._init.model.state
        self.model = train_agm(x, self._agm_config(), progress=progress, init_state=init)
        self._set_cost()

    def _set_cost(self):
        self.cost.evaluations_per_sample = int(self.settings["evaluations"])
        self.cost.parameters = self.model.n_parameters

    def _sample(self, n, seed):
        s = self.settings
        return self.model.sample(
            n, evaluations=s["evaluations"], sampler=s["sampler"], t_stop=s["t_stop"], seed=seed,
            device=s.get("device", "cpu"),
        )  # fmt: skip

    def _save(self, folder):
        self.model.save(folder / "agm.npz")

    def _load(self, folder):
        from ..baselines.agm import AGM

        self.model = AGM.load(folder / "agm.npz")
        self._set_cost()


class ReservoirGANGenerator(Generator):
    """The chaos-driven GAN (Chaudhuri & Handebagh 2024, architecture 1): reservoir latents -> DCGAN generator.

    Settings: reservoir ``N``, ``g_train`` (gain of the training bank), ``g_sample`` (gain when
    sampling), ``k`` latent units with ``fan_in`` reservoir inputs each, ``dt``, bank ``bank_size``,
    ``bank_chains``, ``transient``, ``spacing`` (tau), the :class:`GANConfig` fields ``width``,
    ``epochs``, ``batch_size``, ``lr``, and ``seed``. Images must be square (h = w).
    Samples: ``n`` reservoir states at ``g_sample`` (chains of the freely running reservoir read
    every ``spacing`` after ``transient``), mapped by the trained generator.
    """

    name = "reservoir_gan"
    sampling_settings = ("g_sample",)

    def __init__(
        self, N=200, g_train=4.0, g_sample=4.0, k=16, fan_in=4, dt=0.05, bank_size=2000, bank_chains=20,
        transient=20.0, spacing=1.0, width=16, epochs=5, batch_size=64, lr=2e-4, seed=0,
    ):  # fmt: skip
        from .gan import GANConfig

        GANConfig(width=width, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed)  # checks the settings now
        super().__init__(
            N=N, g_train=g_train, g_sample=g_sample, k=k, fan_in=fan_in, dt=dt, bank_size=bank_size,
            bank_chains=bank_chains, transient=transient, spacing=spacing, width=width, epochs=epochs,
            batch_size=batch_size, lr=lr, seed=seed,
        )  # fmt: skip
        self.gan = None

    def _reservoir(self):
        from .reservoir import build_reservoir, sparse_projection

        s = self.settings
        return build_reservoir(s["N"], s["g_train"], seed=s["seed"]), sparse_projection(
            s["k"], s["N"], fan_in=s["fan_in"], seed=s["seed"]
        )

    def _shape(self, D: int):
        side = int(round(np.sqrt(D)))
        if side * side != D:
            fail("x_train", "square images (h = w) for the reservoir GAN", f"{D} pixels")
        return (side, side)

    def _fit(self, x, progress):
        from .gan import GANConfig, train_gan
        from .reservoir import latent_bank

        s = self.settings
        res, P = self._reservoir()
        bank = latent_bank(
            res, P, s["bank_size"], chains=s["bank_chains"], transient=s["transient"], spacing=s["spacing"],
            dt=s["dt"], seed=s["seed"],
        )  # fmt: skip
        cfg = GANConfig(width=s["width"], epochs=s["epochs"], batch_size=s["batch_size"], lr=s["lr"], seed=s["seed"])
        self.gan = train_gan(x, bank, self._shape(x.shape[1]), cfg, progress=progress)
        self._set_cost()

    def _set_cost(self):
        s = self.settings
        G = self.gan.generator
        steps = int(round((s["transient"] + s["spacing"]) / s["dt"]))  # reservoir steps to the first read
        self.cost.evaluations_per_sample = steps
        self.cost.parameters = int(sum(p.numel() for p in G.parameters()))

    def _sample(self, n, seed):
        from .gan import generate_images
        from .reservoir import latent_bank

        s = self.settings
        res, P = self._reservoir()
        res = res.with_gain(s["g_sample"])
        z = latent_bank(
            res, P, n, chains=min(n, s["bank_chains"]), transient=s["transient"], spacing=s["spacing"], dt=s["dt"],
            seed=s["seed"] + 1 + seed,
        )  # fmt: skip
        return generate_images(self.gan, z)

    def _save(self, folder):
        import torch

        torch.save(self.gan.generator.state_dict(), folder / "gan_generator.pt")

    def _load(self, folder):
        import torch

        from .gan import GANConfig, TrainedGAN, make_generator

        s = self.settings
        meta = json.loads((folder / "generator.json").read_text())
        shape = self._shape(int(meta["n_visible"]))
        G = make_generator(s["k"], shape, s["width"])
        G.load_state_dict(torch.load(folder / "gan_generator.pt", weights_only=True))
        G.eval()
        cfg = GANConfig(width=s["width"], epochs=s["epochs"], batch_size=s["batch_size"], lr=s["lr"], seed=s["seed"])
        self.gan = TrainedGAN(G, None, shape, s["k"], cfg)
        self._set_cost()


#: name -> Generator class
GENERATORS = {
    cls.name: cls
    for cls in (ChaoticGenerator, RBMGenerator, KaleidoscopeGenerator, AGMGenerator, ReservoirGANGenerator)
}


def build_generator(name: str, **settings) -> Generator:
    """An unfitted generator by name (one of :data:`GENERATORS`) with its settings."""
    if name not in GENERATORS:
        fail("generator", f"one of {sorted(GENERATORS)}", name)
    try:
        return GENERATORS[name](**settings)
    except TypeError as exc:  # an unknown setting
        fail(f"{name} settings", "keyword settings of the generator", f"{sorted(settings)} ({exc})")


def load_generator(folder) -> Generator:
    """Rebuild a generator saved with :meth:`Generator.save` (same samples for the same seed)."""
    folder = Path(folder)
    meta_path = folder / "generator.json"
    if not meta_path.is_file():
        fail("folder", "a folder written by Generator.save (with generator.json)", str(folder))
    meta = json.loads(meta_path.read_text())
    gen = build_generator(meta["name"], **meta["settings"])
    gen._load(folder)
    gen.n_visible = int(meta["n_visible"])
    gen.cost.fit_seconds = float(meta["cost"]["fit_seconds"])
    return gen
