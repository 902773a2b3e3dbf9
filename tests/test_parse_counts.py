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
    simulate(str(path), N=20, T=1.0, backend="torch")
    assert len(parses) == 3, "simulate() parsed the card's equations again"
    simulate(str(path), N=20, T=1.0, backend="brian2-runtime")
    assert load_card(path).settable_variables == ()
    assert len(parses) == 3
