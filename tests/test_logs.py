"""Logging: the "neurochaos" logger is silent by default; the CLI's -v / -vv / -q set its level."""

from __future__ import annotations

import logging

import pytest

from neurochaos.cli import main
from neurochaos.logs import LOGGER_NAME, configure, level_for


@pytest.fixture(autouse=True)
def _restore_logger():
    log = logging.getLogger(LOGGER_NAME)
    handlers, level = list(log.handlers), log.level
    yield
    log.handlers[:] = handlers
    log.setLevel(level)


def _simulate(tmp_path, *flags):
    return main([*flags, "simulate", "chaotic_rate", "--N", "20", "--T", "1", "--no-progress",
                 "--out", str(tmp_path / "run.npz"), "--overwrite"])  # fmt: skip


def test_cli_v_logs_the_chosen_executor_and_no_flag_logs_nothing(tmp_path, capsys):
    assert _simulate(tmp_path) == 0
    assert "INFO" not in capsys.readouterr().err
    assert _simulate(tmp_path, "-v") == 0
    err = capsys.readouterr().err
    assert "neurochaos.simulate INFO: simulate chaotic_rate: N = 20" in err and "executor numpy" in err


def test_cli_q_shows_errors_only(tmp_path, capsys):
    assert _simulate(tmp_path, "-q") == 0
    assert capsys.readouterr().err == ""
    assert logging.getLogger(LOGGER_NAME).level == logging.ERROR


def test_vv_is_debug_and_the_levels_are_one_table():
    assert level_for(2, False) == logging.DEBUG == level_for(5, False)
    assert level_for(1, True) == logging.ERROR


def test_training_logs_probes_evaluations_and_checkpoints(tmp_path, capsys):
    from neurochaos.learning import TrainConfig, train

    configure(logging.DEBUG)
    cfg = TrainConfig.from_dict({
        "model": {"card": "fu_restricted2", "n_visible": 64, "n_hidden": 8},
        "training": {"M": 10, "steps": 4, "engine": "fused", "chaos_every": 2, "chaos_chains": 1, "chaos_T": 5.0,
                     "eval_every": 4, "eval_samples": 20, "checkpoint_every": 2},
        "data": {"name": "digits", "n_train": 50, "n_test": 20},
    })  # fmt: skip
    train(cfg, tmp_path / "run", progress=False)
    err = capsys.readouterr().err
    assert "neurochaos.data.sources INFO: dataset digits (pm1): 50 train / 20 test" in err
    assert err.count("lambda_max") == 3  # steps 0, 2, 4
    assert "step 4: EAAI" in err and "step 2: checkpoint written" in err
    assert "training stopped at step 4 of 4" in err


def test_a_library_user_sees_nothing_unless_logging_is_configured(capsys):
    from neurochaos import simulate

    simulate("chaotic_rate", N=10, T=1.0)
    assert capsys.readouterr().err == ""
