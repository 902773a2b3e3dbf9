"""The contrastive Hebbian training loop (Fournier & Urbani 2024).

Each step: (1) clamped phase on a minibatch of M data points, (2) free
chaotic phase of M chains from random initial states, both simulation epochs
on one executor (torch fast path, or Brian2 cpp_standalone built once);
(3) the update :func:`~neurochaos.learning.hebbian.contrastive_update` in
Python. After initialisation (J0) the only random draws are the minibatch
indices and the free-phase initial states, drawn per step from the one policy
of :mod:`neurochaos.learning.draws` that both engines share (the checkpoint
records the policy); evaluations use their own streams, so resuming a run
reproduces it exactly (on CPU: identical final weights).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import CheckpointError, DataError, DivergenceError, RunInterrupted
from ..io import folder_lock, output_set, write_json
from ..model import seed_streams
from ..validation import fail
from .checkpoint import Checkpoint, load_checkpoint, write_checkpoint
from .config import TRAJECTORY_FREE_KEYS, TrainConfig
from .draws import DRAW_POLICY, step_draws
from .hebbian import apply_contrastive, learning_rate
from .network import GenerativeNetwork, build_generative_network
from .phases import PhaseRunner
from .sampling import generate, readout

__all__ = ["TrainResult", "train", "load_trained", "check_training_data", "evaluate_network", "CHECKPOINT_NAME"]

_log = logging.getLogger(__name__)

CHECKPOINT_NAME = "checkpoint.npz"


@dataclass(frozen=True, eq=False)
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    network : the trained GenerativeNetwork
    config : the resolved TrainConfig
    step : training steps done in total
    history : list of dicts (``step`` and the indices) measured during training
    out : output folder (checkpoint.npz, config.json, history.json)
    chaos : list of dicts (``step`` and the chaos measures, with homeostasis ``g_next``), when
        ``training.chaos_every`` > 0
    """

    network: GenerativeNetwork
    config: TrainConfig
    step: int
    history: list
    out: Path
    chaos: list = field(default_factory=list)


def check_training_data(x: np.ndarray, n_visible: int, name: str = "x_train") -> np.ndarray:
    """Check a data matrix for the model: non-empty, finite, in [-1, 1], n_visible columns.

    >>> check_training_data(np.zeros((2, 3)), 4)
    Traceback (most recent call last):
    ...
    neurochaos.errors.DataError: `x_train` must have 4 columns (one per visible unit of the model), got 3 ...
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[0] == 0:
        raise DataError(f"`{name}` must be a non-empty (n, D) array of images, got shape {x.shape}")
    if x.shape[1] != n_visible:
        side = int(round(np.sqrt(x.shape[1])))
        raise DataError(
            f"`{name}` must have {n_visible} columns (one per visible unit of the model), got "
            f"{x.shape[1]} (images of {side}x{side}?); set model.n_visible = {x.shape[1]} or use "
            f"data of the model's size"
        )
    bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
    if bad:
        raise DataError(f"`{name}` must be finite (no NaN or inf), got {bad} non-finite entries")
    if x.min() < -1.0 or x.max() > 1.0:
        raise DataError(f"`{name}` must lie in [-1, 1] (encoded pixels), got range [{x.min():g}, {x.max():g}]")
    return x


def _load_dataset(cfg: TrainConfig):
    from ..data import load_dataset

    d = cfg.data
    return load_dataset(
        d.name,
        directory=d.directory or None,
        encoding=d.encoding,
        n_train=d.n_train or None,
        n_test=d.n_test or None,
        seed=cfg.training.seed,
    )


#: Config fields added after checkpoints were first written, with the default those checkpoints ran with.
ADDED_LATER = {
    "training": {"chaos_chains": 4, "chaos_T": 50.0, "k_final": None, "epilogue": False, "tile": None},
    "model": {"n_pool": 0, "pool_drive": 1.0, "pool_gain": 1.0},
}


def _config_diff(stored: dict, current: dict) -> list[str]:
    current = json.loads(json.dumps(current))  # as stored: tuples (training.tile) become lists
    diffs = []
    for section in sorted(set(stored) | set(current)):
        a, b = stored.get(section, {}), current.get(section, {})
        for key in sorted(set(a) | set(b)):
            if section == "training" and key in TRAJECTORY_FREE_KEYS:
                continue
            if key not in a and key in ADDED_LATER.get(section, {}) and b.get(key) == ADDED_LATER[section][key]:
                continue  # a checkpoint from before the field existed ran with its default
            if a.get(key) != b.get(key):
                diffs.append(f"{section}.{key}: checkpoint {a.get(key)!r} != config {b.get(key)!r}")
    return diffs


def evaluate_network(
    network: GenerativeNetwork,
    x_ref: np.ndarray,
    *,
    n: int,
    seed: int,
    encoding: str = "pm1",
    executor: str = "torch",
    device: str = "cpu",
    dtype: str = "float64",
) -> dict:
    """The four indices of ``n`` generated samples against ``min(n, len(x_ref))`` reference images.

    Returns
    -------
    dict with E2, Es, ER, EAAI, AA_truth, AA_syn (see :func:`neurochaos.metrics.accuracy_indices`)
    """
    from ..metrics import accuracy_indices

    s = generate(network, n, seed=seed, executor=executor, device=device, dtype=dtype)[0]
    ref = np.asarray(x_ref)[:n]
    return {k: float(v) for k, v in accuracy_indices(ref, readout(s, encoding), device=device).items()}


def _network_from_config(m, seed: int):
    """The generative network a resolved ModelConfig describes, with J drawn from ``seed``."""
    return build_generative_network(
        m.card,
        architecture=m.architecture,
        n_visible=m.n_visible,
        n_hidden=m.n_hidden,
        n_hidden2=m.n_hidden2,
        g=m.g,
        T=m.T,
        dt=m.dt,
        tau_ms=m.tau_ms,
        method=m.method,
        j_scope=m.j_scope,
        j_visible=m.j_visible,
        n_pool=m.n_pool,
        pool_drive=m.pool_drive,
        pool_gain=m.pool_gain,
        seed=seed,
    )


def train(
    config: TrainConfig,
    out: str | Path,
    *,
    dataset=None,
    resume: bool = False,
    progress: bool = True,
    callback=None,
    callback_every: int = 1,
) -> TrainResult:
    """Train a chaotic generative network with contrastive Hebbian learning.

    Parameters
    ----------
    config : TrainConfig (resolved against its card here)
    out : output folder; receives ``checkpoint.npz``, ``config.json`` and ``history.json``
    dataset : a :class:`neurochaos.data.Dataset` (default: load ``config.data``)
    resume : continue from ``out/checkpoint.npz`` (its config must match, except
        ``training.steps`` and other fields listed in ``TRAJECTORY_FREE_KEYS``)
    progress : show a tqdm bar with the latest indices
    callback : optional ``callback(step, network)`` after every ``callback_every``-th step
    callback_every : steps between callbacks (the fused engine copies the
        parameters off the device for each call, so keep this large there)

    Returns
    -------
    TrainResult

    Raises
    ------
    CheckpointError : a checkpoint exists and ``resume`` is False, or is missing,
        corrupt or made with another config when resuming. An existing
        checkpoint is never overwritten by a run that fails.
    DataError : empty data, NaN, or images of the wrong size for the model
    """
    if config.model.n_visible is None:  # one visible unit per pixel of the data (not the card's default)
        dataset = dataset if dataset is not None else _load_dataset(config)
        config = config.replace("model", n_visible=int(np.shape(dataset.x_train)[1]))
    cfg = config.resolve()
    out = Path(out)
    if out.exists() and not out.is_dir():
        fail("out", "a folder for the training's outputs", str(out))
    created = not out.exists()
    with folder_lock(out, "training") as lock:
        try:
            return _train_locked(cfg, out, dataset, resume, progress, callback, callback_every)
        finally:
            if created:
                _remove_if_empty(out, lock)


def _remove_if_empty(out: Path, lock: Path) -> None:
    """Remove the output folder a failed first run created and left empty (the lock file aside)."""
    import contextlib

    with contextlib.suppress(OSError):
        if all(p == lock for p in out.iterdir()):
            lock.unlink(missing_ok=True)
            out.rmdir()


#: Largest ``|A_ij|`` or ``|bias_i|`` a training step may produce: rates are in [-1, 1], so beyond this every
#: unit is saturated by any single input and the learning rate ``training.k`` is far too large.
DIVERGENCE_LIMIT = 1e6


def _diverged(A: np.ndarray, bias: np.ndarray) -> float | None:
    """The largest |value| of A and bias when it is non-finite or beyond DIVERGENCE_LIMIT, else None."""
    with np.errstate(invalid="ignore", over="ignore"):
        worst = max(float(np.abs(A).max(initial=0.0)), float(np.abs(bias).max(initial=0.0)))
    return None if worst <= DIVERGENCE_LIMIT else worst


class _StopRequests:
    """SIGINT/SIGTERM handlers for the training loop: the first signal asks the loop to stop after the
    current step (it then writes a checkpoint); a second SIGINT interrupts at once."""

    def __init__(self):
        self.signum = None
        self._previous = {}

    def __enter__(self):
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum, frame):
        import signal

        if self.signum is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.signum = signum

    def __exit__(self, *exc):
        import signal

        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        return False


def _train_locked(cfg, out, dataset, resume, progress, callback, callback_every) -> TrainResult:
    m, tr = cfg.model, cfg.training
    ckpt_path = out / CHECKPOINT_NAME
    if ckpt_path.exists() and not resume:
        raise CheckpointError(
            f"{ckpt_path} already exists; pass resume=True (--resume) to continue it, or choose another output folder"
        )
    stored = load_checkpoint(ckpt_path) if resume else None  # raises when missing or corrupt
    if stored is not None:
        diffs = _config_diff(stored.config, cfg.to_dict())
        if diffs:
            raise CheckpointError(f"checkpoint {ckpt_path} was made with another config: " + "; ".join(diffs))
        if tr.k_final is not None and stored.config["training"].get("steps") != tr.steps:
            fail(
                "training.steps",
                f"the checkpoint's {stored.config['training'].get('steps')} when resuming a run with "
                "training.k_final (the learning rate decays over the whole run's steps)",
                tr.steps,
            )
        if tr.steps < stored.step:
            fail(
                "training.steps",
                f">= the checkpoint's step {stored.step} when resuming (steps count the whole run, not the rest)",
                tr.steps,
            )
    data = dataset if dataset is not None else _load_dataset(cfg)
    x_train = check_training_data(data.x_train, m.n_visible, "x_train")
    if tr.clamp_scale != 1.0:  # soft targets for the clamped phase (the evaluation uses the data as they are)
        x_train = tr.clamp_scale * x_train
    x_test = check_training_data(data.x_test, m.n_visible, "x_test") if tr.eval_every else None

    j_seed, train_seed = (int(s.integers(2**31)) for s in seed_streams(tr.seed, 2))
    net = _network_from_config(m, j_seed)
    draws = {"policy": DRAW_POLICY, "seed": train_seed}
    step, chains, history = 0, None, []
    if stored is not None:
        if stored.A.shape != net.A.shape or not np.array_equal(stored.J0, net.J0):
            raise CheckpointError(f"checkpoint {ckpt_path} does not match the network of its config (J0 or shape)")
        if stored.rng_state != draws:
            raise CheckpointError(
                f"checkpoint {ckpt_path} was made with draws {stored.rng_state}, this version uses {draws}; "
                "start a new run"
            )
        net = net.with_params(stored.A, stored.bias)
        if stored.g is not None:
            net = net.with_gain(stored.g)
        step, chains, history = stored.step, stored.chains, list(stored.history)
    chaos = list(stored.chaos) if stored is not None else []
    saved = {"step": stored.step if stored is not None else None}

    def checkpoint():
        """checkpoint.npz, history.json and config.json, written as one set (none is renamed before all are written)."""
        worst = _diverged(net.A, net.bias)
        if worst is not None:
            raise _divergence(worst, step, tr.k, ckpt_path, saved["step"])
        ck = Checkpoint(cfg.to_dict(), step, net.A, net.bias, net.J0, chains, draws, history, net.g, chaos)
        names = (ckpt_path, out / "history.json", out / "config.json")
        with output_set(names, (".npz", ".json", ".json")) as (t_ckpt, t_hist, t_cfg):
            write_checkpoint(t_ckpt, ck)
            record = {"config": cfg.to_dict(), "step": step, "g": net.g, "history": history, "chaos": chaos}
            write_json(t_hist, record)
            write_json(t_cfg, cfg.to_dict())
        saved["step"] = step
        _log.debug("step %d: checkpoint written to %s", step, ckpt_path)

    def evaluate():
        ind = evaluate_network(
            net,
            x_test,
            n=tr.eval_samples,
            seed=tr.seed * 1_000_003 + step,
            encoding=cfg.data.encoding,
            executor=tr.executor if net.spiking else "torch",
            device=tr.device,
            dtype=tr.dtype,
        )
        history.append({"step": step, **ind})
        _log.info("step %d: EAAI %.4f, AA_truth %.3f, AA_syn %.3f, E2 %.5f (%d samples)", step, ind["EAAI"],
                  ind["AA_truth"], ind["AA_syn"], ind["E2"], tr.eval_samples)  # fmt: skip

    def make_fused(net, chains):
        from ..executors.epilogue import Tile
        from .fused import FusedTrainer

        return FusedTrainer(
            net,
            x_train,
            k=tr.k,
            M=tr.M,
            free_init=tr.free_init,
            seed=train_seed,
            device=tr.device,
            dtype=tr.dtype,
            precision=tr.precision,
            chains=chains,
            compile=tr.compile,
            weight_decay=tr.weight_decay,
            epilogue=tr.epilogue,
            tile=Tile(*tr.tile) if tr.tile else None,
        )

    def measure_chaos(net):
        """Record the chaos measures; with homeostasis, return the network at its adapted gain."""
        from .chaos import adapt_gain, chaos_probe

        if net.spiking:
            fail("training.chaos_every", "0 for a spiking card (the chaos probe runs rate dynamics)", tr.chaos_every)
        probe = chaos_probe(net, seed=tr.seed * 1_000_003 + step + 17, chains=tr.chaos_chains, T=tr.chaos_T)
        if tr.chaos_target is not None:
            probe["g_next"] = adapt_gain(net.g, probe["lambda_max"], tr.chaos_target, tr.chaos_rate)
            net = net.with_gain(probe["g_next"])
        chaos.append({"step": step, **probe})
        _log.info("step %d: lambda_max %+.3f / tau, saturated visible %.2f, g %.3f%s", step, probe["lambda_max"],
                  probe["saturated_visible"], net.g, f" -> {probe['g_next']:.3f}" if "g_next" in probe else "")  # fmt: skip
        return net

    def adapt_chaos(net, fused):
        """Measure chaos at this step; a changed gain reaches the phase runner or rebuilds the fused step."""
        new = measure_chaos(net)
        if new.g != net.g:
            if runner is not None:
                runner.set_gain(new)
            if fused is not None:  # g J0 is folded into the device step
                fused = make_fused(new, chains if tr.free_init == "persistent" else None)
        return new, fused

    fused = runner = None
    if tr.engine == "fused":
        if net.spiking:
            fail("training.engine", "'phases' for a spiking card (the fused engine is torch-only)", tr.engine)
        fused = make_fused(net, chains)
    else:
        runner = make_phase_runner(net, tr)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=tr.steps, initial=min(step, tr.steps), desc=f"train {net.architecture}", unit="step")
    stop = _StopRequests()
    try:
        with stop:
            if tr.eval_every and step == 0 and not history:
                evaluate()
            if tr.chaos_every and step == 0 and not chaos:
                net, fused = adapt_chaos(net, fused)
            M = tr.M
            while step < tr.steps and stop.signum is None:
                k = learning_rate(step, tr.k, tr.steps, tr.k_final)
                try:
                    if fused is not None:
                        fused.set_k(k)
                        fused.step(step)
                    else:
                        new_net, chains = _phase_step(runner, net, x_train, step, train_seed, M, tr, chains, k)
                        worst = _diverged(new_net.A, new_net.bias)
                        if worst is not None:
                            raise _divergence(worst, step + 1, k, ckpt_path, saved["step"])
                        net = new_net
                except (DivergenceError, KeyboardInterrupt):
                    raise
                except Exception:
                    if stop.signum is None:
                        raise
                    break  # the signal also stopped a child process (Brian2 standalone): keep the last full step
                step += 1
                due_eval = bool(tr.eval_every) and step % tr.eval_every == 0
                due_ckpt = step % tr.checkpoint_every == 0 or step == tr.steps
                due_cb = callback is not None and step % callback_every == 0
                due_chaos = bool(tr.chaos_every) and step % tr.chaos_every == 0
                if fused is not None and (due_eval or due_ckpt or due_cb or due_chaos):
                    A, bias = fused.params()
                    worst = _diverged(A, bias)
                    if worst is not None:
                        raise _divergence(worst, step, tr.k, ckpt_path, saved["step"], by=True)
                    net = net.with_params(A, bias, check=False)
                    chains = fused.chains() if tr.free_init == "persistent" else None
                if due_eval:
                    evaluate()
                    if bar is not None:
                        bar.set_postfix({k: f"{history[-1][k]:.3g}" for k in ("E2", "Es", "ER", "EAAI")})
                if due_chaos:
                    net, fused = adapt_chaos(net, fused)
                if due_ckpt:
                    checkpoint()
                if bar is not None:
                    bar.update(1)
                if due_cb:
                    callback(step, net)
            if stop.signum is not None:
                if fused is not None:
                    net = net.with_params(*fused.params(), check=False)
                    chains = fused.chains() if tr.free_init == "persistent" else None
                if saved["step"] != step:
                    checkpoint()
                import signal

                name = signal.Signals(stop.signum).name
                raise RunInterrupted(
                    f"stopped by {name} after step {step} of {tr.steps}; checkpoint written to {ckpt_path} "
                    "(continue with --resume)",
                    stop.signum,
                    saved=ckpt_path,
                )
            if saved["step"] is None or not ckpt_path.exists():
                checkpoint()
    finally:
        if runner is not None:
            runner.close()
        if bar is not None:
            bar.close()
    _log.info("training stopped at step %d of %d; checkpoint %s", step, tr.steps, ckpt_path)
    return TrainResult(net, cfg, step, history, out, chaos)


def _divergence(worst: float, step: int, k: float, ckpt_path: Path, saved_step, by=False) -> DivergenceError:
    last = (
        f"the last good checkpoint is {ckpt_path} (step {saved_step}), left unchanged"
        if saved_step is not None
        else "no checkpoint was written"
    )
    return DivergenceError(
        f"training diverged {'by' if by else 'at'} step {step}: max |A|, |bias| = {worst:.3g} (beyond {DIVERGENCE_LIMIT:g}, or not "
        f"finite); `training.k` = {k:g} is too large; {last}"
    )


def make_phase_runner(net, tr):
    """The phase runner of ``net``'s card kind: :class:`PhaseRunner` (rate) or :class:`SpikingPhaseRunner`."""
    if not net.spiking:
        return PhaseRunner(net, tr.executor, device=tr.device, dtype=tr.dtype)
    from ..executors import executor_names
    from .spiking import SpikingPhaseRunner

    names = executor_names(kind="spiking")
    if tr.executor not in names:
        fail("training.executor", f"one of {names} for the spiking card {net.card.name!r}", tr.executor)
    if tr.free_init != "random":
        fail("training.free_init", "'random' for a spiking card (chains restart from drawn potentials)", tr.free_init)
    return SpikingPhaseRunner(net, tr.executor)


def _phase_step(runner, net, x_train, step, seed, M, tr, chains, k):
    """Training step ``step`` at learning rate ``k`` through the phase runner (draws: :func:`step_draws`).

    Returns (network, chains)."""
    idx, x0 = step_draws(seed, step, len(x_train), M, net.N)
    batch = x_train[idx]
    if tr.free_init == "persistent" and chains is not None:
        x0 = chains
    elif tr.free_init == "data":
        x0[:, : net.n_visible] = 2.0 * batch
    # the data were checked once (check_training_data) and x0 is drawn here: no checks in the loop;
    # each phase's executor checks its new states (Trace.check_finite)
    # a chaotic pool (rate cards only) starts the clamped phase where the free phase starts
    s_clamped = runner.clamped_unchecked(net, batch, x0) if net.n_pool else runner.clamped_unchecked(net, batch)
    s_free, x_end = runner.free_unchecked(net, x0)
    if tr.free_init == "persistent":
        chains = x_end
    A, bias = apply_contrastive(net.A, net.bias, s_clamped, s_free, k, net.mask, tr.weight_decay, net.bias_mask)
    return net.with_params(A, bias, check=False), chains


def load_trained(path: str | Path) -> tuple[GenerativeNetwork, TrainConfig, Checkpoint]:
    """Rebuild a trained network from a training folder or a checkpoint file.

    Returns
    -------
    network, resolved config, raw checkpoint
    """
    path = Path(path)
    ckpt = load_checkpoint(path / CHECKPOINT_NAME if path.is_dir() else path)
    try:
        cfg = TrainConfig.from_dict(ckpt.config, f"checkpoint {path}")
    except (ValueError, TypeError) as exc:
        raise CheckpointError(f"checkpoint {path} holds an invalid config: {exc}") from exc
    m = cfg.model
    net = _network_from_config(m, 0)
    if net.J0.shape != ckpt.J0.shape:
        raise CheckpointError(f"checkpoint {path}: J0 shape {ckpt.J0.shape} does not match its config {net.J0.shape}")
    g = net.g if ckpt.g is None else ckpt.g  # chaos homeostasis may have moved g from the config's
    net = replace(net, J0=ckpt.J0, A=ckpt.A, bias=ckpt.bias, g=g)  # validated again
    return net, cfg, ckpt
