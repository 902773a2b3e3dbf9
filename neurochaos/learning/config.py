"""Configuration of the contrastive Hebbian trainer: three TOML sections, each a frozen dataclass.

A config file has the sections ``[model]``, ``[training]`` and ``[data]``;
every key is optional and an unknown key is an error naming it. Model fields
left out take the model card's defaults (``models/fu_*.toml``);
:meth:`TrainConfig.resolve` fills them in, and the resolved config is what
checkpoints and results store.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from ..data.sources import ENCODINGS
from ..errors import ConfigError
from ..executors.base import DTYPES, executor_names
from ..executors.integrators import METHODS
from ..executors.torch_engine import PRECISIONS
from ..validation import Boolean, Interval, ListOf, NonEmptyString, OptionalOf, Options, Validated, fail
from .hebbian import ARCHITECTURES, J_SCOPES

__all__ = [
    "ModelConfig",
    "TrainingConfig",
    "DataConfig",
    "TrainConfig",
    "load_train_config",
    "FREE_INITS",
    "ENCODINGS",
    "TRAJECTORY_FREE_KEYS",
]

#: Initial states of the free phase: N(0, 1) i.i.d. (default), visible units at the data, or persistent chains.
FREE_INITS = ("random", "data", "persistent")
ENGINES = ("phases", "fused")
#: Training fields that do not change the trained weights (may differ when resuming).
TRAJECTORY_FREE_KEYS = ("steps", "checkpoint_every", "eval_every", "eval_samples", "device", "progress")


@dataclass(frozen=True)
class ModelConfig(Validated):
    """The network: a model card and overrides of its defaults (None: the card's value).

    Attributes
    ----------
    card : model card name or path (fu_unrestricted, fu_restricted2, fu_restricted3)
    architecture : unrestricted, restricted2 or restricted3 (default: the card's)
    n_visible, n_hidden, n_hidden2 : layer sizes; n_visible must match the data's pixels, and
        :func:`~neurochaos.learning.train` sets it from the data when it is not given
    g : gain of the frozen random coupling J (J_ij ~ N(0, g^2/N))
    T : duration of each phase and of generation, in units of tau
    dt : integration step in units of tau
    tau_ms : time constant in ms
    method : integration method (see :data:`neurochaos.executors.integrators.METHODS`)
    j_scope : "all" (J over all units of the layers, default), "hidden" (only inside hidden
        layers) or "none" (no J among the layers: needs a chaotic pool)
    j_visible : scale of the random input into the visible units (the visible rows of J,
        j_scope "all"; 1: the spec's network, 0: the visible units see only the learned coupling)
    n_pool : units of a chaotic pool (0: none): a random network of gain g * pool_gain that receives nothing
        from the layers, is never trained and drives the hidden units through frozen random
        weights, so the network stays chaotic at every training age
        (:func:`~neurochaos.learning.build_generative_network`)
    pool_drive : scale of the pool's projection into the hidden units (weights
        N(0, pool_drive^2 / n_pool), times g as all of J)
    pool_gain : the pool's recurrent gain relative to g (its coupling is g * pool_gain *
        N(0, 1/n_pool): chaotic when g * pool_gain > 1, by a margin at small n_pool)
    """

    card: str = "fu_restricted2"
    architecture: str | None = None
    n_visible: int | None = None
    n_hidden: int | None = None
    n_hidden2: int | None = None
    g: float | None = None
    T: float | None = None
    dt: float | None = None
    tau_ms: float | None = None
    method: str | None = None
    j_scope: str = "all"
    j_visible: float = 1.0
    n_pool: int = 0
    pool_drive: float = 1.0
    pool_gain: float = 1.0

    _section = "model"
    _constraints = {
        "card": NonEmptyString(),
        "architecture": OptionalOf(Options(ARCHITECTURES)),
        "n_visible": OptionalOf(Interval(int, 1)),
        "n_hidden": OptionalOf(Interval(int, 0)),
        "n_hidden2": OptionalOf(Interval(int, 0)),
        "g": OptionalOf(Interval(float, 0.0)),
        "T": OptionalOf(Interval(float, 0.0, closed="right")),
        "dt": OptionalOf(Interval(float, 0.0, 1.0, closed="neither")),
        "tau_ms": OptionalOf(Interval(float, 0.0, closed="right")),
        "method": OptionalOf(Options(METHODS)),
        "j_scope": Options(J_SCOPES),
        "j_visible": Interval(float, 0.0),
        "n_pool": Interval(int, 0),
        "pool_drive": Interval(float, 0.0),
        "pool_gain": Interval(float, 0.0, closed="right"),
    }

    def __post_init__(self):
        super().__post_init__()
        if self.j_scope == "none" and self.n_pool == 0:
            fail("model.j_scope", "'all' or 'hidden' when model.n_pool = 0 ('none' leaves no chaos)", self.j_scope)

    def resolve(self, card=None) -> ModelConfig:
        """A copy with every None replaced by the card's parameter (``card``: the loaded card, if at hand)."""
        from ..model import load_card

        prm = (card or load_card(self.card)).parameters
        keys = {
            "architecture": "architecture",
            "n_visible": "N_v",
            "n_hidden": "N_h",
            "n_hidden2": "N_h2",
            "g": "g",
            "T": "T",
            "dt": "dt",
            "tau_ms": "tau_ms",
            "method": "method",
        }
        values = {}
        for attr, key in keys.items():
            v = getattr(self, attr)
            if v is None:
                if key not in prm:
                    fail(f"model.{attr}", f"given (card {self.card!r} has no parameter {key!r})", None)
                v = prm[key]
            values[attr] = v
        if values["T"] < values["dt"]:
            fail("model.T", f">= model.dt = {values['dt']}", values["T"])
        return dataclasses.replace(self, **values)


@dataclass(frozen=True)
class TrainingConfig(Validated):
    """The training loop.

    Attributes
    ----------
    k : learning rate (None: the card's, 0.01)
    M : minibatch size = number of free chains per step (None: the card's, 500)
    steps : number of training steps
    free_init : initial states of the free phase: "random" (N(0, 1), default), "data"
        (visible x at 2 * data, hidden N(0, 1)) or "persistent" (the previous free phase's end)
    seed : seed of every random draw (J, minibatches, free-phase initial states, evaluation)
    executor : "torch" (fast path) or "brian2-cpp" (reference path: one build, many epochs)
    engine : "phases" (each phase a run of ``executor``, update in numpy; any executor) or
        "fused" (the whole step resident on one torch device, CUDA-graph captured on GPUs;
        executor "torch" only; per-step seeded draws, see :mod:`neurochaos.learning.fused`)
    device, dtype : torch device and dtype of the simulation (Brian2: float64 only)
    precision : matrix products of the fused engine: "highest", "tf32" or "bf16" (float32)
    compile : fused engine: fuse each integration step's element-wise work with torch.compile
    epilogue : fused engine: one Triton GEMM per integration step with the state update and
        tanh in its epilogue (:class:`~neurochaos.executors.epilogue.EpilogueStep`; float32,
        a CUDA GPU; not with ``compile``)
    tile : the epilogue kernel's tile ``[bm, bn, bk, warps, stages]`` (None: its default;
        ``benchmarks/bench_gpu.py`` sweeps them)
    checkpoint_every : write a checkpoint every this many steps (and at the end)
    eval_every : compute the indices every this many steps (0: never)
    eval_samples : number of generated samples for those indices
    chaos_every : measure the chaos of the free dynamics (lambda_max, saturated fraction,
        Jacobian spectral radius: :func:`neurochaos.learning.chaos.chaos_probe`) every this
        many steps (0: never); recorded in the checkpoint's ``chaos`` history
    chaos_target : chaos homeostasis: after each measurement, set the gain of the frozen
        random coupling to ``g * exp(chaos_rate * (chaos_target - lambda_max))`` (units of
        1/tau; None: g stays fixed). Needs ``chaos_every`` > 0
    chaos_rate : the homeostasis step, in tau (log-gain change per unit of lambda error)
    chaos_chains, chaos_T : the probe's lambda_max is the mean of ``chaos_chains`` two-trajectory
        estimates of ``chaos_T`` tau each (after ``chaos_T / 2``); its spread falls as
        1 / sqrt(chains * T): about +-0.05 / tau for the default 4 x 50 tau at N = 128
    clamp_scale : the clamped phase holds the visible rates at ``clamp_scale * data`` (soft
        targets; 1: the data). Below 1 the free visible rates need not saturate to match the
        data's statistics, which keeps tanh' away from 0 (see docs/chaos_driven_sampling.md)
    k_final : learning rate at the last step: k decays from ``k`` to ``k_final`` along a cosine over
        ``steps`` (:func:`~neurochaos.learning.hebbian.learning_rate`; None: constant k). Smaller
        steps at the end average out the weight noise of a fixed k; a run with it resumes only
        with the same ``steps``
    weight_decay : L2 decay of the learned coupling: ``dA = <s s^T>_c - <s s^T>_f - weight_decay A``
        (0: none, the paper's rule); keeps the learned input of the hidden units, and so their
        saturation, bounded
    """

    k: float | None = None
    M: int | None = None
    steps: int = 1000
    free_init: str = "random"
    seed: int = 0
    executor: str = "torch"
    engine: str = "phases"
    device: str = "cpu"
    dtype: str = "float64"
    precision: str = "highest"
    compile: bool = False
    epilogue: bool = False
    tile: tuple | None = None
    checkpoint_every: int = 100
    eval_every: int = 0
    eval_samples: int = 1000
    chaos_every: int = 0
    chaos_target: float | None = None
    chaos_rate: float = 2.0
    chaos_chains: int = 4
    chaos_T: float = 50.0
    clamp_scale: float = 1.0
    weight_decay: float = 0.0
    k_final: float | None = None

    _section = "training"
    _constraints = {
        "k": OptionalOf(Interval(float, 0.0, closed="right")),
        "M": OptionalOf(Interval(int, 1)),
        "steps": Interval(int, 0),
        "free_init": Options(FREE_INITS),
        "seed": Interval(int, 0),
        "executor": Options(lambda: executor_names(kind="rate")),
        "engine": Options(ENGINES),
        "device": NonEmptyString(),
        "dtype": Options(DTYPES),
        "precision": Options(PRECISIONS),
        "compile": Boolean(),
        "epilogue": Boolean(),
        "tile": OptionalOf(ListOf(Interval(int, 1))),
        "checkpoint_every": Interval(int, 1),
        "eval_every": Interval(int, 0),
        "eval_samples": Interval(int, 2),
        "chaos_every": Interval(int, 0),
        "chaos_target": OptionalOf(Interval(float, -10.0, 10.0)),
        "chaos_rate": Interval(float, 0.0, 100.0, closed="right"),
        "chaos_chains": Interval(int, 1),
        "chaos_T": Interval(float, 0.0, closed="right"),
        "clamp_scale": Interval(float, 0.0, 1.0, closed="right"),
        "weight_decay": Interval(float, 0.0),
        "k_final": OptionalOf(Interval(float, 0.0, closed="right")),
    }

    def __post_init__(self):
        super().__post_init__()
        # rules between fields
        if self.engine == "fused" and self.executor != "torch":
            fail("training.engine", "'phases' when training.executor is not 'torch'", self.engine)
        if self.compile and self.engine != "fused":
            fail("training.compile", "false unless engine = 'fused'", self.compile)
        if self.epilogue and (self.engine != "fused" or self.dtype != "float32" or self.compile):
            fail("training.epilogue", "false unless engine = 'fused', dtype = 'float32' and compile = false", True)
        if self.tile is not None:
            if not self.epilogue:
                fail("training.tile", "unset unless training.epilogue = true", list(self.tile))
            from ..executors.epilogue import Tile

            try:
                Tile(*self.tile)
            except (ConfigError, TypeError) as e:
                fail("training.tile", f"[bm, bn, bk, warps, stages] ({e})", list(self.tile))
        if self.precision != "highest" and (self.engine != "fused" or self.dtype != "float32"):
            fail("training.precision", "'highest' unless engine = 'fused' and dtype = 'float32'", self.precision)
        if self.k_final is not None and self.k is not None and self.k_final > self.k:
            fail("training.k_final", f"<= training.k = {self.k:g} (the learning rate decays)", self.k_final)
        if self.chaos_target is not None and self.chaos_every == 0:
            fail("training.chaos_every", "> 0 when training.chaos_target is set (homeostasis measures chaos)", 0)

    def resolve(self, card) -> TrainingConfig:
        """A copy with k and M from ``card`` (a card name or a loaded ModelCard) where they are None."""
        from ..model import ModelCard, load_card

        prm = (card if isinstance(card, ModelCard) else load_card(card)).parameters
        return dataclasses.replace(
            self,
            k=float(prm.get("k", 0.01)) if self.k is None else self.k,
            M=int(prm.get("M", 500)) if self.M is None else self.M,
        )


@dataclass(frozen=True)
class DataConfig(Validated):
    """The data set (read by :func:`neurochaos.data.load_dataset`).

    Attributes
    ----------
    name : "mnist", "fashion-mnist", "mnist5k", "digits" or "idx"
    directory : folder of IDX files ("" : the source's default)
    encoding : "pm1" (binarised +-1, pixel > 0.5; default) or "continuous" (2p - 1)
    n_train, n_test : how many examples to keep (0: all)
    """

    name: str = "mnist"
    directory: str = ""
    encoding: str = "pm1"
    n_train: int = 0
    n_test: int = 0

    _section = "data"
    _constraints = {
        "name": NonEmptyString(),
        "encoding": Options(ENCODINGS),
        "n_train": Interval(int, 0),
        "n_test": Interval(int, 0),
    }

    def __post_init__(self):
        if not isinstance(self.directory, str):
            fail("data.directory", 'a folder path ("": the source\'s default)', self.directory)
        super().__post_init__()


@dataclass(frozen=True)
class TrainConfig:
    """The whole configuration: ``model``, ``training`` and ``data`` sections."""

    model: ModelConfig = field(default_factory=ModelConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    data: DataConfig = field(default_factory=DataConfig)

    def __post_init__(self):
        for name, cls in (("model", ModelConfig), ("training", TrainingConfig), ("data", DataConfig)):
            if not isinstance(getattr(self, name), cls):
                fail(name, f"a {cls.__name__}", type(getattr(self, name)).__name__)

    def resolve(self) -> TrainConfig:
        """Fill the card defaults in (idempotent); the card is loaded once."""
        from ..model import load_card

        card = load_card(self.model.card)
        return TrainConfig(self.model.resolve(card), self.training.resolve(card), self.data)

    def replace(self, section: str, **values) -> TrainConfig:
        """A copy with some fields of one section replaced (e.g. ``replace("training", steps=10)``)."""
        return dataclasses.replace(self, **{section: dataclasses.replace(getattr(self, section), **values)})

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "config") -> TrainConfig:
        """Build from nested dicts; unknown sections or keys raise ConfigError naming them."""
        sections = {"model": ModelConfig, "training": TrainingConfig, "data": DataConfig}
        unknown = set(data) - set(sections)
        if unknown:
            raise ConfigError(f"unknown section(s) {sorted(unknown)} in {where}; allowed: {sorted(sections)}")
        built = {}
        for name, sec in sections.items():
            values = data.get(name, {})
            if not isinstance(values, dict):
                fail(name, "a table", values, where)
            allowed = {f.name for f in dataclasses.fields(sec)}
            bad = set(values) - allowed
            if bad:
                raise ConfigError(f"unknown key(s) {sorted(bad)} in [{name}] of {where}; allowed: {sorted(allowed)}")
            built[name] = sec(**values)
        return cls(**built)


def load_train_config(path: str | Path) -> TrainConfig:
    """Read a trainer config from a TOML file (not yet resolved against the card).

    The file holds the same tables :meth:`TrainConfig.from_dict` reads:

    >>> TrainConfig.from_dict({"training": {"steps": 5}, "data": {"name": "digits"}}).training.steps
    5
    """
    from ..io import read_toml

    return TrainConfig.from_dict(read_toml(path, "config"), str(path))
