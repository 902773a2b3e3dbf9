"""Translate a card's Brian2 declaration into torch step functions.

Brian2 parses the equations and its state updater (``euler``,
``exponential_euler``, ``rk4``) writes the integration step as abstract code,
for example::

    _x = dt*(I_rand*gain(t) + b - x)/tau + x
    x = _x

That code is valid Python arithmetic; this module checks every identifier in
it, maps Brian2's functions to torch functions and compiles it into a Python
function of tensors. Nothing about the model is retyped by hand, so any rate
card (chaotic, structured, mixed, trained) runs the update Brian2 would run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..brian_import import load_brian
from ..derived import remember
from ..errors import ConfigError, ModelError
from ..model.card import ModelCard, parse_equations
from .integrators import TABLEAUX

__all__ = ["CompiledRateModel", "compile_rate_model", "generate_rate_model", "summed_pathway", "TORCH_FUNCTIONS"]

#: Brian2 function names -> names of torch functions (looked up at exec time).
TORCH_FUNCTIONS = {
    "exp": "exp",
    "log": "log",
    "sqrt": "sqrt",
    "tanh": "tanh",
    "sinh": "sinh",
    "cosh": "cosh",
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "arctan": "arctan",
    "abs": "abs",
    "sign": "sign",
    "clip": "clamp",
    "floor": "floor",
    "ceil": "ceil",
}


@dataclass(frozen=True)
class CompiledRateModel:
    """Python sources of one card's update, compiled on first use for torch or numpy arrays.

    Attributes
    ----------
    state_vars : differential-equation variables, updated by ``state_update``
    inputs : neuron variables read by the update but not integrated (I_*, b, r)
    state_source / rate_source / derivative_source : generated Python source code
    explicit_time : the update reads ``t`` other than through ``gain(t)``

    The compiled functions (torch: ``state_update``, ``rate_update``, ``derivative``;
    numpy: :meth:`functions` ``("numpy")``) take and return arrays of that library:

    - state_update(*state, *inputs, t, dt, tau, gain) -> tuple of new state arrays
    - derivative(*state, *inputs, t, tau, gain) -> tuple of time derivatives (per second)
      of the state variables, the right-hand side the Runge-Kutta stages evaluate
    - rate_update(*rate_inputs) -> (new rate,)
    """

    state_vars: tuple
    inputs: tuple
    rate_inputs: tuple
    constants: tuple
    state_source: str
    rate_source: str
    derivative_source: str = ""
    explicit_time: bool = False
    where: str = ""

    def functions(self, library: str = "torch") -> tuple:
        """(state_update, rate_update, derivative) compiled for ``library`` ("torch" or "numpy"), cached."""
        cache = self.__dict__.setdefault("_compiled", {})
        if library not in cache:
            cache[library] = tuple(
                _compile(src, name, self.where, library)
                for src, name in (
                    (self.state_source, "state_update"),
                    (self.rate_source, "rate_update"),
                    (self.derivative_source, "derivative"),
                )
            )
        return cache[library]

    @property
    def state_update(self):
        return self.functions("torch")[0]

    @property
    def rate_update(self):
        return self.functions("torch")[1]

    @property
    def derivative(self):
        return self.functions("torch")[2]


def _identifiers(code: str) -> set[str]:
    return set(load_brian("utils.stringtools").get_identifiers(code))


def _to_python(abstract_code: str, fname: str, args: list[str], returns: list[str]) -> str:
    body = [line.strip() for line in abstract_code.strip().splitlines() if line.strip()]
    lines = [f"def {fname}({', '.join(args)}):"]
    lines += [f"    {line}" for line in body]
    lines.append(f"    return ({', '.join(returns)},)")
    return "\n".join(lines) + "\n"


def _dispatch(torch_fn, name):
    """Call the torch function on tensors and numpy's on Python numbers."""
    import numpy as np
    import torch

    np_fn = {"clamp": np.clip, "arctan": np.arctan}.get(name) or getattr(np, name)

    def fn(*args):
        if any(isinstance(a, torch.Tensor) for a in args):
            return torch_fn(*args)
        return float(np_fn(*args))

    fn.__name__ = name
    return fn


#: Brian2 function names -> numpy functions' names, where they differ from TORCH_FUNCTIONS'.
NUMPY_NAMES = {"clamp": "clip"}


def _compile(source: str, fname: str, where: str, library: str = "torch"):
    if library == "torch":
        import torch

        namespace = {name: _dispatch(getattr(torch, tname), tname) for name, tname in TORCH_FUNCTIONS.items()}
    elif library == "numpy":
        import numpy as np

        namespace = {name: getattr(np, NUMPY_NAMES.get(tname, tname)) for name, tname in TORCH_FUNCTIONS.items()}
    else:
        raise ConfigError(f"`library` must be 'torch' or 'numpy', got {library!r}")
    namespace["__builtins__"] = {}
    try:
        exec(compile(source, f"<neurochaos:{fname}>", "exec"), namespace)
    except SyntaxError as exc:  # pragma: no cover - Brian2 produces valid code
        raise ModelError(f"generated code for {fname} does not compile ({where}): {exc}") from exc
    return namespace[fname]


def summed_pathway(model: str, weight: str, where: str) -> tuple[str, str]:
    """Return (target, presynaptic variable) of a ``X_post = w * v_pre : 1 (summed)`` line.

    The torch engine computes such a pathway as one matrix product; other forms
    of summed expression raise ModelError. Kept on disk per (model, weight)
    (:mod:`neurochaos.derived`).
    """
    return tuple(remember("summed-pathway", [model, weight], lambda: list(_summed_pathway(model, weight, where))))


def _summed_pathway(model: str, weight: str, where: str) -> tuple[str, str]:
    import sympy

    eqs = parse_equations(model, "pathway model", where)
    summed = [e for e in eqs.values() if "summed" in e.flags]
    if len(summed) != 1:
        raise ModelError(f"a pathway model must contain exactly one (summed) variable, got {len(summed)} ({where})")
    eq = summed[0]
    if not eq.varname.endswith("_post"):
        raise ModelError(f"the summed variable must end in _post, got {eq.varname!r} ({where})")
    expr = sympy.sympify(str(eq.expr.code))
    syms = {str(s) for s in expr.free_symbols}
    pre = [s for s in syms if s.endswith("_pre")]
    bare_symbols = all(isinstance(a, sympy.Symbol) for a in expr.args)
    if not (
        isinstance(expr, sympy.Mul)
        and len(expr.args) == 2
        and bare_symbols
        and syms == {weight, *pre}
        and len(pre) == 1
    ):
        raise ModelError(
            f"the torch engine needs a summed expression of the form `{weight} * <var>_pre`, got {eq.expr.code!r} ({where})"
        )
    return eq.varname[: -len("_post")], pre[0][: -len("_pre")]


_CACHE: dict = {}


def compile_rate_model(card: ModelCard, method: str = "euler") -> CompiledRateModel:
    """Cached :func:`generate_rate_model`: Brian2's state updater runs once per (equations, method).

    A Runge-Kutta method of :data:`~neurochaos.executors.integrators.TABLEAUX` is
    built by the torch engine from the model's ``derivative``; its Brian2 part is
    the ``euler`` model.
    """
    if method in TABLEAUX:
        method = "euler"
    key = (card.neuron, card.state, card.rate, card.rate_update, method)
    if key not in _CACHE:
        where = card.path or card.name
        sources = remember("rate-model", list(key), lambda: _sources(generate_rate_model(card, method)))
        _CACHE[key] = _from_sources(sources, where)
    return _CACHE[key]


#: The fields of a CompiledRateModel that are data (the rest are compiled from its sources).
_DATA_FIELDS = ("state_vars", "inputs", "rate_inputs", "constants", "explicit_time")


def _sources(m: CompiledRateModel) -> dict:
    out = {f: list(getattr(m, f)) if isinstance(getattr(m, f), tuple) else getattr(m, f) for f in _DATA_FIELDS}
    return out | {
        "state_source": m.state_source,
        "rate_source": m.rate_source,
        "derivative_source": m.derivative_source,
    }


def _from_sources(d: dict, where: str) -> CompiledRateModel:
    """A CompiledRateModel from :func:`_sources`' dict (no Brian2; functions compiled on first use)."""
    return CompiledRateModel(
        **{f: tuple(d[f]) if isinstance(d[f], list) else d[f] for f in _DATA_FIELDS},
        state_source=d["state_source"],
        rate_source=d["rate_source"],
        derivative_source=d["derivative_source"],
        where=where,
    )


def generate_rate_model(card: ModelCard, method: str = "euler") -> CompiledRateModel:
    """Generate and compile the torch update of a rate card.

    >>> from neurochaos.model import load_card
    >>> m = compile_rate_model(load_card("chaotic_rate"))
    >>> m.state_vars
    ('x',)
    """
    StateUpdateMethod = load_brian("stateupdaters.base").StateUpdateMethod
    where = card.path or card.name
    eqs = card.equations
    try:
        abstract = StateUpdateMethod.apply_stateupdater(eqs, {}, method)
    except Exception as exc:
        raise ModelError(
            f"Brian2 cannot integrate the neuron equations with method {method!r} ({where}): {exc}"
        ) from exc
    state_vars = tuple(eqs.diff_eq_names)
    params = tuple(sorted(set(eqs.names) - set(eqs.diff_eq_names) - set(eqs.subexpr_names)))
    ids = _identifiers(abstract)
    internal = {i for i in ids if i.startswith("_")}
    functions = {"gain"} | set(TORCH_FUNCTIONS)
    known = set(state_vars) | set(params) | {"t", "dt", "tau"} | functions | internal
    unknown = ids - known
    if unknown:
        raise ModelError(
            f"the neuron equations use names the torch engine cannot supply: {sorted(unknown)} ({where}); "
            "allowed external names are tau, t, dt, gain(t) and the functions " + ", ".join(sorted(TORCH_FUNCTIONS))
        )
    inputs = tuple(p for p in params if p in ids)
    args = list(state_vars) + list(inputs) + ["t", "dt", "tau", "gain"]
    state_src = _to_python(abstract, "state_update", args, list(state_vars))
    rhs_code = "\n".join(f"_d{v} = {expr.code}" for v, expr in eqs.get_substituted_expressions())
    deriv_args = [a for a in args if a != "dt"]
    deriv_src = _to_python(rhs_code, "derivative", deriv_args, [f"_d{v}" for v in state_vars])

    lhs, _, rhs = card.rate_update.partition("=")
    if lhs.strip() != card.rate or not rhs.strip():
        raise ModelError(
            f"`equations.rate_update` must read `{card.rate} = <expression>`, got {card.rate_update!r} ({where})"
        )
    rate_ids = _identifiers(rhs)
    bad = rate_ids - set(eqs.names) - set(TORCH_FUNCTIONS)
    if bad:
        raise ModelError(f"`equations.rate_update` uses unknown names {sorted(bad)} ({where})")
    rate_inputs = tuple(sorted(rate_ids - set(TORCH_FUNCTIONS)))
    rate_src = _to_python(card.rate_update, "rate_update", list(rate_inputs), [card.rate])
    return CompiledRateModel(
        state_vars=state_vars,
        inputs=inputs,
        rate_inputs=rate_inputs,
        constants=("tau",),
        state_source=state_src,
        rate_source=rate_src,
        derivative_source=deriv_src,
        where=where,
        explicit_time="t" in _identifiers(re.sub(r"gain\([^()]*\)", "gain", abstract)),
    )
