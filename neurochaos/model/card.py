"""Model cards: declarative model definitions loaded from ``models/<name>.toml``.

A card holds the Brian2 equation strings (with units), parameter defaults, the
connectivity recipe of each synaptic pathway, and the paper and figure it
comes from. This module parses equations with Brian2's *equation* machinery
only, and checks their units with Brian2's unit checks (:mod:`.units`); it
never imports a device or executor.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import cached_property, lru_cache
from pathlib import Path

from ..brian_import import brian_errors, load_brian
from ..derived import remember
from ..errors import ModelError
from .connectivity import RECIPES, SPIKING_RECIPES
from .units import check_card_units

__all__ = ["ModelCard", "Pathway", "load_card", "list_cards", "models_dir", "parse_equations"]

_CARD_KEYS = {"name", "kind", "title", "source", "figures", "description", "parameters", "equations", "pathways"}
_EQ_KEYS = {"neuron", "state", "rate", "rate_update"}
_SPIKING_EQ_KEYS = {"neuron", "state", "threshold", "reset", "refractory"}
_PATH_KEYS = {"name", "target", "model", "recipe", "weight"}
_SPIKING_PATH_KEYS = _PATH_KEYS | {"on_pre"}
KINDS = ("rate", "spiking")


def models_dir() -> Path:
    """Folder holding the model cards.

    ``$NEUROCHAOS_MODELS`` if set, else the cards shipped inside the package
    (``neurochaos/cards``, package data, so a wheel carries them; the repository's
    ``models/`` is a link to it). A ``$NEUROCHAOS_MODELS`` that names no folder
    raises ModelError (rather than listing no cards). A card outside both is
    loaded by its path (:func:`load_card`).
    """
    env = os.environ.get("NEUROCHAOS_MODELS")
    if env:
        folder = Path(env)
        if not folder.is_dir():
            why = "it is not a folder" if folder.exists() else "the folder does not exist"
            raise ModelError(f"`NEUROCHAOS_MODELS` must name an existing folder of model cards, got {env!r} ({why})")
        return folder
    return Path(__file__).resolve().parents[1] / "cards"


@lru_cache(maxsize=512)
def _equations(text: str):
    return load_brian().Equations(text)  # equations only: no device is touched


def parse_equations(text: str, what: str, where: str):
    """Parse Brian2 equations once per text and process (cached), turning Brian2's parse errors into ModelError.

    ``brian2.Equations`` objects are immutable, so the cached object is shared.
    """
    with brian_errors(f"`{what}` is not a valid Brian2 equation string ({where})"):
        return _equations(text)


@dataclass(frozen=True)
class Pathway:
    """One recurrent synaptic pathway, summed into a neuron variable.

    Attributes
    ----------
    name : lower-case identifier (also the Brian2 object suffix; brian2cuda
        ignores run_args of objects whose names contain capitals)
    target : neuron variable receiving ``sum_j w_ij r_j``
    model : Brian2 synapse model string, e.g. ``"w : 1 (constant)\\nI_rand_post = w * r_pre : 1 (summed)"``
    recipe : connectivity recipe name (see ``connectivity.RECIPES``; spiking
        cards: ``connectivity.SPIKING_RECIPES``)
    weight : name of the synaptic weight variable in ``model``
    on_pre : spiking cards only: Brian2 statement run on each presynaptic
        spike, e.g. ``"I_rand_post += w * tau / tau_s"``
    """

    name: str
    target: str
    model: str
    recipe: str
    weight: str = "w"
    on_pre: str = ""


@dataclass(frozen=True)
class ModelCard:
    """A declarative model definition (see ``models/*.toml``).

    ``kind = "rate"`` cards give ``rate`` and ``rate_update``; ``kind = "spiking"``
    cards give ``threshold``, ``reset`` and ``refractory`` (Brian2 strings) instead.
    """

    name: str
    kind: str
    title: str
    source: str
    neuron: str
    state: str
    rate: str
    rate_update: str
    pathways: tuple[Pathway, ...]
    parameters: dict = field(default_factory=dict)
    figures: tuple[str, ...] = ()
    description: str = ""
    path: str = ""
    threshold: str = ""
    reset: str = ""
    refractory: str = ""

    def __post_init__(self):
        where = self.path or f"card {self.name!r}"
        if self.kind not in KINDS:
            raise ModelError(f"`kind` must be one of {KINDS}, got {self.kind!r} ({where})")
        # Brian2 checks the equations and units once per declaration text (neurochaos.derived keeps
        # the answer on disk); a card read again later is not re-parsed until its equations are used.
        facts = remember("card", self._declaration(), lambda: self._check(where))
        self.__dict__["settable_variables"] = tuple(facts["settable_variables"])

    def _declaration(self) -> dict:
        """Every field the checks read (not the path, title, source, description or figures)."""
        skip = {"path", "title", "source", "description", "figures"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}

    def _check(self, where: str) -> dict:
        (_check_spiking if self.kind == "spiking" else _check_rate)(self, self.equations, where)
        check_card_units(self, where)
        return {"settable_variables": list(self.settable_variables)}

    @cached_property
    def equations(self):
        """The neuron equations as ``brian2.Equations``, parsed once per card (ModelError if invalid)."""
        return parse_equations(self.neuron, "equations.neuron", self.path or f"card {self.name!r}")

    @property
    def bias_variable(self) -> str:
        """The constant per-neuron input a run's ``bias`` sets: ``b`` (rate cards) or ``mu`` (spiking, mV)."""
        return "mu" if self.kind == "spiking" else "b"

    @cached_property
    def settable_variables(self) -> tuple[str, ...]:
        """Constant neuron variables a run may set (``variables=``), besides state, rate, bias and targets."""
        eqs = self.equations
        params = set(eqs.names) - set(eqs.diff_eq_names) - set(eqs.subexpr_names)
        reserved = {self.state, self.rate, self.bias_variable, *(p.target for p in self.pathways)}
        return tuple(sorted(params - reserved))

    @property
    def uses_gain(self) -> bool:
        """Whether the neuron equations read the gain function ``gain(t)``."""
        return "gain(t)" in self.neuron.replace(" ", "")

    @property
    def uses_patterns(self) -> bool:
        return any(p.recipe == "hopfield" for p in self.pathways)

    def summary(self) -> str:
        """One paragraph describing the card (for ``neurochaos models``)."""
        params = ", ".join(f"{k}={v}" for k, v in self.parameters.items())
        paths = ", ".join(f"{p.name}->{p.target} ({p.recipe})" for p in self.pathways)
        return f"{self.name}: {self.title}\n  source: {self.source}\n  parameters: {params}\n  pathways: {paths}"

    def details(self) -> str:
        """The whole declaration, readable: summary, description, equations and each pathway's model."""
        lines = [self.summary(), f"  kind: {self.kind}   file: {self.path}"]
        if self.description:
            lines += ["", "  " + self.description.strip().replace("\n", "\n  ")]
        lines += ["", "  neuron equations:"] + [f"    {ln.strip()}" for ln in self.neuron.strip().splitlines()]
        extra = {"state": self.state, "rate": self.rate, "rate_update": self.rate_update, "threshold": self.threshold,
                 "reset": self.reset, "refractory": self.refractory}  # fmt: skip
        lines += [f"  {k}: {v}" for k, v in extra.items() if v]
        for p in self.pathways:
            lines += ["", f"  pathway {p.name} -> {p.target} (recipe {p.recipe}, weight {p.weight}):"]
            lines += [f"    {ln.strip()}" for ln in p.model.strip().splitlines()]
            if p.on_pre:
                lines.append(f"    on_pre: {p.on_pre}")
        if self.figures:
            lines += ["", "  figures: " + ", ".join(self.figures)]
        return "\n".join(lines)


def _checked_pathways(pathways, where: str):
    """The pathways, after the checks every card kind shares: at least one; unique lower-case identifiers."""
    if not pathways:
        raise ModelError(f"`pathways` must list at least one pathway, got none ({where})")
    seen = set()
    for p in pathways:
        if p.name != p.name.lower() or not p.name.isidentifier():
            raise ModelError(f"`pathways.name` must be a lower-case identifier, got {p.name!r} ({where})")
        if p.name in seen:
            raise ModelError(f"`pathways.name` must be unique, got {p.name!r} twice ({where})")
        seen.add(p.name)
    return pathways


def _check_rate(card: ModelCard, eqs, where: str) -> None:
    """Checks of a ``kind = "rate"`` card."""
    names = set(eqs.names)
    for attr in ("state", "rate"):
        v = getattr(card, attr)
        if v not in names:
            raise ModelError(f"`equations.{attr}` must name a variable of the neuron equations, got {v!r} ({where})")
    if card.state not in eqs.diff_eq_names:
        raise ModelError(f"`equations.state` must be a differential equation's variable, got {card.state!r} ({where})")
    for p in _checked_pathways(card.pathways, where):
        if p.target not in names:
            raise ModelError(f"`pathways.target` must be a neuron variable, got {p.target!r} ({where})")
        if p.recipe not in RECIPES:
            raise ModelError(f"`pathways.recipe` must be one of {RECIPES}, got {p.recipe!r} ({where})")
        parse_equations(p.model, f"pathways[{p.name}].model", where)
    if "tau_ms" not in card.parameters:
        raise ModelError(f"`parameters.tau_ms` must be given, got nothing ({where})")
    for p in card.pathways:
        if p.on_pre:
            raise ModelError(f"`pathways.on_pre` applies to spiking cards only, got one in {p.name!r} ({where})")


def _check_spiking(card: ModelCard, eqs, where: str) -> None:
    """Checks of a ``kind = "spiking"`` card (the rate checks stay as they are)."""
    if card.state not in eqs.diff_eq_names:
        raise ModelError(f"`equations.state` must be a differential equation's variable, got {card.state!r} ({where})")
    if eqs[card.state].dim is not load_brian().volt.dim:
        raise ModelError(
            f"`equations.state` must be a membrane potential in volt, got {card.state!r} with unit "
            f"{eqs[card.state].unit!r} ({where})"
        )
    for attr in ("threshold", "reset", "refractory"):
        if not getattr(card, attr).strip():
            raise ModelError(f"`equations.{attr}` must be given for a spiking card, got nothing ({where})")
    for p in _checked_pathways(card.pathways, where):
        if p.target not in eqs.diff_eq_names:
            raise ModelError(
                f"`pathways.target` must be a synaptic variable with its own decay equation, got {p.target!r} ({where})"
            )
        if p.recipe not in SPIKING_RECIPES:
            raise ModelError(f"`pathways.recipe` must be one of {SPIKING_RECIPES}, got {p.recipe!r} ({where})")
        if f"{p.target}_post" not in p.on_pre:
            raise ModelError(
                f"`pathways.on_pre` must update `{p.target}_post`, got {p.on_pre!r} in {p.name!r} ({where})"
            )
        parse_equations(p.model, f"pathways[{p.name}].model", where)
    missing = [k for k in ("tau_ms", "dt", "method") if k not in card.parameters]
    if missing:
        raise ModelError(f"`parameters.{missing[0]}` must be given, got nothing ({where})")
    for key, value in card.parameters.items():
        if key.endswith("_ms") and key.startswith("tau") and not (isinstance(value, int | float) and value > 0):
            raise ModelError(f"`parameters.{key}` must be a time constant > 0 ms, got {value!r} ({where})")


def _from_dict(data: dict, path: str) -> ModelCard:
    unknown = set(data) - _CARD_KEYS
    if unknown:
        raise ModelError(f"unknown key(s) {sorted(unknown)} in model card ({path}); allowed: {sorted(_CARD_KEYS)}")
    for key in ("name", "kind", "title", "source", "equations", "pathways"):
        if key not in data:
            raise ModelError(f"`{key}` must be given in a model card, got nothing ({path})")
    eq = data["equations"]
    spiking = data["kind"] == "spiking"
    eq_keys = _SPIKING_EQ_KEYS if spiking else _EQ_KEYS
    unknown = set(eq) - eq_keys
    if unknown or not eq_keys <= set(eq):
        raise ModelError(f"`equations` must have exactly the keys {sorted(eq_keys)}, got {sorted(eq)} ({path})")
    pathways = []
    for p in data["pathways"]:
        unknown = set(p) - (_SPIKING_PATH_KEYS if spiking else _PATH_KEYS)
        if unknown:
            raise ModelError(f"unknown key(s) {sorted(unknown)} in a pathway ({path})")
        try:
            pathways.append(Pathway(**p))
        except TypeError as exc:
            raise ModelError(f"pathway is missing a key ({path}): {exc}") from exc
    return ModelCard(
        name=data["name"],
        kind=data["kind"],
        title=data["title"],
        source=data["source"],
        neuron=eq["neuron"],
        state=eq["state"],
        rate=eq.get("rate", ""),
        rate_update=eq.get("rate_update", ""),
        threshold=eq.get("threshold", ""),
        reset=eq.get("reset", ""),
        refractory=str(eq.get("refractory", "")),
        pathways=tuple(pathways),
        parameters=dict(data.get("parameters", {})),
        figures=tuple(data.get("figures", ())),
        description=data.get("description", ""),
        path=path,
    )


def list_cards() -> list[str]:
    """Names of the model cards in :func:`models_dir`."""
    return sorted(p.stem for p in models_dir().glob("*.toml"))


def load_card(name_or_path: str | os.PathLike) -> ModelCard:
    """Load a model card by name (``"chaotic_rate"``) or from a ``.toml`` path.

    >>> load_card("chaotic_rate").state
    'x'
    """
    p = Path(name_or_path)
    if p.suffix != ".toml":
        p = models_dir() / f"{name_or_path}.toml"
        if not p.exists():
            raise ModelError(
                f"`model` must be one of {list_cards()} or a path to a .toml card, got {str(name_or_path)!r}"
            )
    from ..io import read_toml

    return _from_dict(read_toml(p, "model", ModelError), str(p))
