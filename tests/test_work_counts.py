"""Work counted by spies: Brian2 equation parses per card and per simulate() (issue 11)."""

from __future__ import annotations

import brian2
import pytest

from neurochaos.model import load_card
from neurochaos.simulate import simulate


@pytest.fixture
def parses(monkeypatch):
    """Count ``brian2.Equations`` constructions made by neurochaos (not by Brian2's own objects)."""
    import neurochaos.model.card as card_module

    calls = []
    original = brian2.Equations

    def counting(text, *a, **k):
        calls.append(text)
        return original(text, *a, **k)

    monkeypatch.setattr(brian2, "Equations", counting)
    card_module._equations.cache_clear()
    yield calls
    card_module._equations.cache_clear()


def _fresh_card(tmp_path):
    """A copy of mixed_rate whose equation texts no earlier test has parsed."""
    from neurochaos.model.card import models_dir

    src = (models_dir() / "mixed_rate.toml").read_text().replace("I_rand : 1\n", "I_rand : 1  # fresh copy\n", 1)
    path = tmp_path / "fresh_mixed.toml"
    path.write_text(src.replace('name = "mixed_rate"', 'name = "fresh_mixed"'))
    return path


def test_one_parse_per_equation_text_per_process(parses, tmp_path):
    path = _fresh_card(tmp_path)
    card = load_card(path)
    texts = {card.neuron, *(p.model for p in card.pathways)}
    assert len(parses) == len(texts) == 3
    simulate(str(path), N=20, T=1.0, executor="torch")
    assert len(parses) == 3, "simulate() parsed the card's equations again"
    simulate(str(path), N=20, T=1.0, executor="brian2-runtime")
    assert load_card(path).settable_variables == ()
    assert len(parses) == 3


def test_a_training_step_checks_two_arrays_and_parses_nothing(parses, monkeypatch):
    """Phases engine on CPU: only the two new states are checked (Trace.check_finite); no Brian2 parse."""
    import sys

    import numpy as np

    import neurochaos.validation as validation
    from neurochaos.executors import Trace
    from neurochaos.learning import build_generative_network
    from neurochaos.learning.phases import PhaseRunner
    from neurochaos.learning.trainer import _phase_step

    checks = []
    original = validation.check_finite_array

    def counting(value, name, **kw):
        checks.append(name)
        return original(value, name, **kw)

    for mod in [m for n, m in sys.modules.items() if n.startswith("neurochaos")]:
        if getattr(mod, "check_finite_array", None) is original:
            monkeypatch.setattr(mod, "check_finite_array", counting)
    finite = []
    real_check = Trace.check_finite
    monkeypatch.setattr(Trace, "check_finite", lambda self, *a: finite.append(1) or real_check(self, *a))

    from neurochaos.learning.config import TrainingConfig

    settings = TrainingConfig(k=0.01, free_init="random")  # the real settings object, every field defaulted

    net = build_generative_network("fu_restricted2", n_visible=16, n_hidden=8, T=1.0)
    runner = PhaseRunner(net)
    x = np.sign(np.random.default_rng(0).normal(size=(50, 16)))
    net, _ = _phase_step(runner, net, x, 0, 1, 8, settings, None, settings.k)  # warm-up (first use may parse)
    checks.clear(), finite.clear(), parses.clear()
    net2, _ = _phase_step(runner, net, x, 1, 1, 8, settings, None, settings.k)
    assert len(checks) + len(finite) <= 2, (checks, len(finite))
    assert parses == []
    assert not np.array_equal(net2.A, net.A)  # the step did learn


def test_resolving_a_training_config_loads_its_card_once(monkeypatch):
    import neurochaos.model as model
    from neurochaos.learning import TrainConfig

    loads = []
    real = model.load_card
    monkeypatch.setattr(model, "load_card", lambda name: loads.append(name) or real(name))
    cfg = TrainConfig.from_dict({"model": {"card": "fu_restricted2"}, "data": {"name": "digits"}}).resolve()
    assert loads == ["fu_restricted2"] and cfg.training.M is not None and cfg.model.n_visible is not None
