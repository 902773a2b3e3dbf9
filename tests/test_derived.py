"""neurochaos.derived: Brian2's answers about a declaration kept on disk, and torch runs without Brian2."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from neurochaos.derived import cache_folder, remember
from neurochaos.errors import ModelError


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCHAOS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_an_answer_is_computed_once_per_inputs_and_failures_are_not_kept(cache):
    calls = []

    def compute(v):
        calls.append(v)
        return {"v": v}

    assert remember("t", ["a"], lambda: compute(1)) == {"v": 1}
    assert remember("t", ["a"], lambda: compute(2)) == {"v": 1}  # stored
    assert remember("t", ["b"], lambda: compute(3)) == {"v": 3}  # other inputs, other answer
    assert calls == [1, 3]
    assert len(list(cache.glob("t-*.json"))) == 2 and not list(cache.glob(".*"))

    def broken():
        raise ModelError("bad card")

    for _ in range(2):  # refused every time: nothing stored
        with pytest.raises(ModelError, match="bad card"):
            remember("t", ["c"], broken)
    assert len(list(cache.glob("t-*.json"))) == 2


def test_a_corrupt_or_foreign_file_is_recomputed_and_replaced(cache):
    remember("t", ["a"], lambda: 1)
    (path,) = cache.glob("t-*.json")
    path.write_text("{not json")
    assert remember("t", ["a"], lambda: 2) == 2
    assert json.loads(path.read_text())["value"] == 2
    path.write_text(json.dumps({"key": "someone else's", "value": 3}))
    assert remember("t", ["a"], lambda: 4) == 4


def test_the_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROCHAOS_CACHE", "off")
    assert cache_folder() is None
    calls = []
    remember("t", ["a"], lambda: calls.append(1))
    remember("t", ["a"], lambda: calls.append(1))
    assert calls == [1, 1]
    monkeypatch.delenv("NEUROCHAOS_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "neurochaos"


_RUN = """
import sys, json
import numpy as np
from neurochaos import simulate
tr = simulate("{card}", N=40, T=5.0, seed=3, progress=False, executor="torch")
print(json.dumps({{"brian2": "brian2" in sys.modules, "sympy": "sympy" in sys.modules,
                  "x": np.asarray(tr.x_final).ravel().tolist()}}))
"""


@pytest.mark.parametrize("card", ["chaotic_rate", "mixed_rate"])
def test_a_torch_run_with_a_warm_cache_imports_neither_brian2_nor_sympy_and_agrees(tmp_path, card):
    env = {**os.environ, "NEUROCHAOS_CACHE": str(tmp_path / "cache")}

    def run():
        out = subprocess.run([sys.executable, "-c", _RUN.format(card=card)], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout.strip().splitlines()[-1])

    cold, warm = run(), run()
    assert cold["brian2"] and cold["sympy"]  # the first run asked Brian2
    assert not warm["brian2"] and not warm["sympy"]
    np.testing.assert_array_equal(warm["x"], cold["x"])


def test_an_invalid_card_is_refused_every_time(cache):
    from dataclasses import replace

    from neurochaos.model import load_card

    card = load_card("chaotic_rate")
    for _ in range(2):
        with pytest.raises(ModelError, match="equations"):
            replace(card, neuron=card.neuron.replace("dx/dt", "dy/dt"))
    assert load_card("chaotic_rate").settable_variables == card.settable_variables
