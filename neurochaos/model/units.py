"""Brian2's unit check of a model card, done once when the card is loaded (whatever the executor).

Brian2 checks units only when a network is prepared for a run; the torch
engine never asks, so a card that lost its ``/ tau`` or declares ``x : volt``
would run there with plain numbers. :func:`check_card_units` runs the checks a
Brian2 run would, with Brian2's own code, against stand-in variables of the
right dimensions and the namespace the Brian2 executors pass:

- neuron and pathway equations: ``Equations.check_units`` (names resolved by
  Brian2's ``Group.resolve_all``: units, constants, functions, namespace);
- ``rate_update``, ``reset``, ``threshold`` and ``on_pre``:
  ``brian2.equations.unitcheck.check_units_statements``;
- ``refractory``: ``parse_expression_dimensions`` (a time or a condition);
- a summed variable has its target's unit (``fail_for_dimension_mismatch``);

and then the units of what neurochaos passes in: every variable of a rate card
is dimensionless (its executors pass and read plain numbers); a spiking card's
bias ``mu`` and synaptic weights are in volt (passed in mV). Results are
cached per card content, so a card is checked once per process.
"""

from __future__ import annotations

from ..brian_import import load_brian, one_line
from ..errors import ModelError

__all__ = ["check_card_units", "brian_namespace", "UNIT_SUFFIXES"]

#: Parameter-name suffixes that carry a unit: a spiking card's ``X_mV`` is ``X * mV`` in its equations.
UNIT_SUFFIXES = {"_mV": "mV", "_ms": "ms", "_Hz": "Hz"}

_CHECKED: set = set()


def brian_namespace(params: dict, tau_ms: float, exclude=()) -> dict:
    """Brian2 namespace of a spiking card: ``X_mV -> X * mV``, ``X_ms -> X * ms``, ``tau = tau_ms * ms``.

    Names in ``exclude`` (the equations' own variables, e.g. ``mu``) are left out.
    """
    b2 = load_brian()
    ns = {}
    for key, value in params.items():
        for suffix, unit in UNIT_SUFFIXES.items():
            name = key[: -len(suffix)]
            if key.endswith(suffix) and isinstance(value, int | float) and name not in exclude:
                ns[name] = float(value) * getattr(b2, unit)
    ns["tau"] = tau_ms * b2.ms
    return ns


def check_card_units(card, where: str) -> None:
    """Raise ModelError naming the equation or variable if Brian2 would refuse the card's units (cached)."""
    key = (
        card.kind,
        card.neuron,
        card.state,
        card.rate,
        card.rate_update,
        card.threshold,
        card.reset,
        card.refractory,
        card.pathways,
        tuple(sorted((k, repr(v)) for k, v in card.parameters.items())),
    )
    if key in _CHECKED:
        return
    _Check(card, where).run()
    _CHECKED.add(key)


def _group_class():
    """A stand-in for a Brian2 group: its variables, and Brian2's own name resolution borrowed from ``Group``."""
    Group = load_brian("groups.group").Group

    class UnitContext:
        namespace = None  # no group-specific namespace: the executors pass theirs at run time
        resolve_all = Group.resolve_all
        _resolve = Group._resolve
        _resolve_external = Group._resolve_external

        def __init__(self, variables: dict):
            self.variables = variables

    return UnitContext


class _Check:
    def __init__(self, card, where: str):
        b2 = load_brian()
        from .card import parse_equations

        Function = load_brian("core.functions").Function

        self.b2, self.card, self.where = b2, card, where
        self.plain = load_brian("units.fundamentalunits").DIMENSIONLESS
        self.eqs = card.equations
        self.paths = {p.name: parse_equations(p.model, f"pathways[{p.name}].model", where) for p in card.pathways}
        tau = float(card.parameters.get("tau_ms", 1.0))
        if card.kind == "spiking":
            self.ns = brian_namespace(card.parameters, tau, exclude=self.eqs.names)
        else:
            self.ns = {"tau": tau * b2.ms}
        # the executors' gain is a TimedArray of plain numbers: a function of time, dimensionless
        self.ns["gain"] = Function(lambda t: t, arg_units=[b2.second], return_unit=1)
        self.Context = _group_class()

    def _fail(self, field: str, exc: Exception):
        raise ModelError(
            f"`{field}` must have consistent units (Brian2's check), got {one_line(exc)} ({self.where})"
        ) from exc

    def _variables(self, eqs, extra=()) -> dict:
        """Stand-ins of the variables a NeuronGroup (or Synapses) of ``eqs`` defines, with their dimensions."""
        Variable = load_brian("core.variables").Variable
        b2 = self.b2
        out = {name: Variable(name, dimensions=dim) for name, dim in extra}
        out.update({n: Variable(n, dimensions=eqs.dimensions[n]) for n in eqs.names})
        for xi in eqs.stochastic_variables:
            out[xi] = Variable(xi, dimensions=(b2.second**-0.5).dim)
        for name in ("t", "dt", "lastspike", "lastupdate"):
            out[name] = Variable(name, dimensions=b2.second.dim)
        for name in ("i", "j", "N", "N_incoming", "N_outgoing"):
            out[name] = Variable(name, dtype=int)
        out["not_refractory"] = Variable("not_refractory", dtype=bool)
        return out

    def _statement(self, field: str, code: str, variables: dict) -> None:
        check_units_statements = load_brian("equations.unitcheck").check_units_statements
        parse_statement = load_brian("parsing.statements").parse_statement
        get_identifiers = load_brian("utils.stringtools").get_identifiers

        ctx = self.Context(variables)
        try:
            lines = [line for line in code.replace(";", "\n").splitlines() if line.strip()]
            defined = {parse_statement(line)[0] for line in lines}
            external = get_identifiers(code) - set(variables) - defined
            resolved = ctx.resolve_all(external, self.ns, user_identifiers=external)
            check_units_statements(code, {**variables, **resolved})
        except Exception as exc:
            self._fail(field, exc)

    def run(self) -> None:
        card, eqs = self.card, self.eqs
        neuron = self._variables(eqs)
        try:
            eqs.check_units(self.Context(neuron), self.ns)
        except Exception as exc:
            self._fail("equations.neuron", exc)
        if card.kind == "spiking":
            self._statement("equations.threshold", f"_cond = {card.threshold}", neuron)
            self._statement("equations.reset", card.reset, neuron)
            self._refractory(neuron)
        else:
            self._statement("equations.rate_update", card.rate_update, neuron)
        for p in card.pathways:
            self._pathway(p, neuron)
        self._executor_units()

    def _refractory(self, neuron: dict) -> None:
        """The refractory period: a time or a condition, as Brian2's NeuronGroup requires."""
        expressions = load_brian("parsing.expressions")
        get_identifiers = load_brian("utils.stringtools").get_identifiers

        ref, b2 = self.card.refractory, self.b2
        try:
            ids = get_identifiers(ref)
            variables = {**neuron, **self.Context(neuron).resolve_all(ids - set(neuron), self.ns)}
            dims = expressions.parse_expression_dimensions(ref, variables)
        except Exception as exc:
            self._fail("equations.refractory", exc)
        if dims is b2.second.dim or (dims is self.plain and expressions.is_boolean_expression(ref, variables)):
            return
        raise ModelError(
            f"`equations.refractory` must be a time or a condition, got {ref!r} with unit "
            f"{b2.get_unit(dims)!r} ({self.where})"
        )

    def _pathway(self, p, neuron: dict) -> None:
        """The pathway's Synapses equations, summed variable and ``on_pre``, with pre/post variables."""
        fail_for_dimension_mismatch = load_brian("units.fundamentalunits").fail_for_dimension_mismatch
        eqs = self.paths[p.name]
        extra = [(name, var.dim) for name, var in neuron.items() if name in self.eqs.names]
        sided = [(f"{n}_{side}", d) for n, d in extra for side in ("pre", "post")]
        variables = self._variables(eqs, extra + sided)  # post variables also go by their bare name
        field = f"pathways[{p.name}].model"
        try:
            eqs.check_units(self.Context(variables), self.ns)
            for eq in eqs.values():
                if "summed" in eq.flags and eq.varname.endswith("_post") and eq.varname[:-5] in neuron:
                    fail_for_dimension_mismatch(
                        eq.dim,
                        neuron[eq.varname[:-5]].dim,
                        f"Summed variable '{eq.varname}' needs the unit of its target '{eq.varname[:-5]}'",
                    )
        except Exception as exc:
            self._fail(field, exc)
        if p.on_pre:
            self._statement(f"pathways[{p.name}].on_pre", p.on_pre, variables)

    def _executor_units(self) -> None:
        """The units of the values neurochaos passes in: plain numbers (rate cards), mV for mu and w (spiking)."""
        b2, card, eqs = self.b2, self.card, self.eqs
        plain, volt = self.plain, b2.volt.dim
        if card.kind == "rate":
            why = "dimensionless in a rate card (its executors pass and read plain numbers)"
            wanted = [(n, n, plain, eqs, why) for n in sorted(eqs.names)]
            wanted += [
                (f"pathways[{p.name}].{p.weight}", p.weight, plain, self.paths[p.name], why) for p in card.pathways
            ]
        else:
            why = "in volt in a spiking card (runs pass it in mV)"
            plain_why = "dimensionless (runs pass plain numbers)"
            wanted = [(n, n, plain, eqs, plain_why) for n in card.settable_variables]
            wanted.append((card.bias_variable, card.bias_variable, volt, eqs, why))
            wanted += [
                (f"pathways[{p.name}].{p.weight}", p.weight, volt, self.paths[p.name], why) for p in card.pathways
            ]
        for label, name, dim, source, why in wanted:
            if name in source.names and source.dimensions[name] is not dim:
                raise ModelError(f"`{label}` must be {why}, got unit {source[name].unit!r} ({self.where})")
