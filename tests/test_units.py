"""Units on every executor, and Brian2's own errors and debug files (issue 13, items 2 and 3)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from neurochaos.errors import ExecutorUnavailableError, ModelError
from neurochaos.model import list_cards, load_card
from neurochaos.model.card import models_dir
from neurochaos.simulate import simulate

RATE_EQ = "dx/dt = (-x + g*I_rand + b) / tau : 1"


def _card(tmp_path, source: str, old: str, new: str, name: str = "altered"):
    """A copy of ``models/<source>.toml`` with ``old`` replaced by ``new`` (which must occur)."""
    text = (models_dir() / f"{source}.toml").read_text()
    assert old in text, f"{old!r} not in {source}.toml"
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new).replace(f'name = "{source}"', f'name = "{name}"'))
    return path


# (source card, old text, new text, pattern the message must contain)
BAD = {
    "missing_tau": ("chaotic_rate", RATE_EQ, "dx/dt = (-x + g*I_rand + b) : 1", r"variable 'x'.*expected unit hertz"),
    "state_in_volt": (
        "chaotic_rate",
        RATE_EQ,
        "dx/dt = (-x + g*I_rand + b) / tau : volt",
        r"variable 'x'.*'- x' has unit V",
    ),
    "bias_in_volt": ("chaotic_rate", "b : 1 (constant)", "b : volt (constant)", r"'b' has unit V"),
    "parameter_in_volt": (
        "fu_restricted2",
        "s_clamp : 1 (constant)",
        "s_clamp : volt (constant)",
        r"`equations.rate_update`.*'clamp \* s_clamp' has unit V",
    ),
    "weight_in_volt": (
        "chaotic_rate",
        "w : 1 (constant)",
        "w : volt (constant)",
        r"`pathways\[rand\].model`.*I_rand_post",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_card_brian2_refuses_is_refused_on_load_and_by_torch(tmp_path, case):
    source, old, new, pattern = BAD[case]
    path = _card(tmp_path, source, old, new, name=case)
    with pytest.raises(ModelError, match=pattern) as err:
        load_card(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message and "must have consistent units" in message
    assert type(err.value.__cause__).__name__ == "DimensionMismatchError"
    with pytest.raises(ModelError, match=pattern):
        simulate(str(path), N=10, T=1.0, executor="torch")


def test_a_consistent_rate_state_in_volt_is_refused(tmp_path):
    """Brian2 accepts these units, but the executors pass and read x as plain numbers."""
    path = _card(tmp_path, "chaotic_rate", RATE_EQ, "dx/dt = (-x + (g*I_rand + b)*mV) / tau : volt", name="x_mv")
    path.write_text(path.read_text().replace('rate_update = "r = tanh(x)"', 'rate_update = "r = tanh(x/mV)"'))
    with pytest.raises(ModelError, match=r"^`x` must be dimensionless in a rate card .* got unit volt"):
        load_card(path)
    with pytest.raises(ModelError, match=r"^`x` must be dimensionless"):
        simulate(str(path), N=10, T=1.0, executor="torch")


@pytest.mark.parametrize(
    "old, new, pattern",
    [
        ("theta_mV = 20.0", "theta_ms = 20.0", r"`equations.threshold`.*'theta' has units \(s\)"),
        ("t_ref_ms = 0.5", "t_ref_mV = 0.5", r"`equations.refractory` must be a time or a condition, got 't_ref'"),
        ("mu : volt (constant)", "mu : 1 (constant)", r"variable 'v'.*'mu' has unit 1"),
        ('model = "w : volt (constant)"', 'model = "w : 1 (constant)"', r"`pathways\[rand\].on_pre`"),
    ],
)
def test_a_spiking_card_with_wrong_units_is_refused_on_load(tmp_path, old, new, pattern):
    path = _card(tmp_path, "chaotic_lif", old, new)
    with pytest.raises(ModelError, match=pattern):
        load_card(path)
    with pytest.raises(ModelError, match=pattern):
        simulate(str(path), N=10, T=1.0, executor="brian2-runtime")


@pytest.mark.parametrize("name", list_cards())
def test_every_card_in_models_loads(name):
    assert load_card(name).name == name


def test_good_cards_still_run(tmp_path):
    path = _card(tmp_path, "chaotic_rate", RATE_EQ, RATE_EQ + "  # unchanged", name="good_rate")
    for model in ("chaotic_rate", str(path)):
        trace = simulate(model, N=10, T=1.0, executor="torch")
        assert trace.x.shape == (10, 1, 10)
    spikes = simulate("chaotic_lif", N=20, T=0.05, executor="brian2-runtime")
    assert spikes.x_final.shape == (1, 20)


def test_units_are_checked_once_per_card(tmp_path, monkeypatch):
    import neurochaos.model.units as units

    runs = []
    real = units._Check.run
    monkeypatch.setattr(units._Check, "run", lambda self: runs.append(self.card.name) or real(self))
    path = _card(tmp_path, "chaotic_rate", RATE_EQ, RATE_EQ + "  # checked once", name="once")
    load_card(path)
    load_card(path)
    simulate(str(path), N=10, T=1.0, executor="torch")
    assert runs == ["once"]


def test_a_brian2_run_error_becomes_a_model_error(tmp_path):
    """exponential_euler cannot integrate a non-linear equation: Brian2 raises when preparing the group."""
    path = _card(tmp_path, "chaotic_rate", RATE_EQ, "dx/dt = (-x**3 + g*I_rand + b) / tau : 1", name="cubic")
    load_card(path)  # the units are fine
    with pytest.raises(
        ModelError, match=r"brian2-runtime run of .*cubic.toml.*object 'neurons.*UnsupportedEquationsException"
    ) as err:
        simulate(str(path), N=5, T=1.0, executor="brian2-runtime", method="exponential_euler")
    assert "\n" not in str(err.value)
    assert type(err.value.__cause__).__name__ == "BrianObjectException"


def test_a_compiler_failure_becomes_executor_unavailable():
    from neurochaos.brian_import import brian_errors

    errors = pytest.importorskip("setuptools.errors", reason="setuptools.errors is missing (old setuptools)")
    with pytest.raises(ExecutorUnavailableError, match="could not compile") as err:
        with brian_errors("brian2-runtime run of card 'x'"):
            raise errors.CompileError("command 'gcc' failed: No such file or directory")
    assert isinstance(err.value.__cause__, errors.CompileError)


def test_a_failed_run_leaves_no_brian_files_and_no_brian_message(tmp_path):
    """Uncaught ModelError from Brian2's unit check, in a script: Python's own hook, no debug log, no script copy."""
    bad = _card(tmp_path, "chaotic_rate", RATE_EQ, "dx/dt = (-x + g*I_rand + b) : 1", name="no_tau")
    script = tmp_path / "run_bad.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import sys
            hook = sys.excepthook
            from neurochaos.brian_import import load_brian
            load_brian()
            print("hook restored:", sys.excepthook is hook)
            from neurochaos.simulate import simulate
            simulate({str(bad)!r}, N=5, T=1.0, executor="brian2-runtime")
            """
        )
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**__import__("os").environ, "TMPDIR": str(tmp)}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 1, out.stderr
    assert "hook restored: True" in out.stdout
    assert "ModelError" in out.stderr and "expected unit hertz" in out.stderr
    assert "Brian 2 encountered an unexpected error" not in out.stderr
    assert sorted(p.name for p in tmp.iterdir() if p.name.startswith("brian_")) == []
