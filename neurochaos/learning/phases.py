"""The two simulation epochs of a training step, run on any executor.

Clamped phase: the visible rates are held at a minibatch of data
(``clamp = 1``, ``s_clamp = data`` in the card's rate update) and the whole
network is integrated for time T from x = 0 (no random draw); the statistics
are the rates at T. Free phase: ``clamp = 0`` everywhere, the network runs its
deterministic chaotic dynamics from the given initial states for time T; no
noise is injected. One executor (one Brian2 build) serves every epoch: the
weights, biases, clamping variables and initial states go in through
``run(..., weights=, bias=, variables=)``.
"""

from __future__ import annotations

import numpy as np

from ..executors import RunConfig, RunInputs, get_executor
from ..validation import check_finite_array

__all__ = ["PhaseRunner"]


class PhaseRunner:
    """Runs clamped and free phases of a :class:`GenerativeNetwork` on one executor.

    Parameters
    ----------
    network : GenerativeNetwork (its card, sizes, J0, T, dt and method are fixed here)
    executor : executor name ("torch", "brian2-cpp", ...)
    device, dtype : for the torch engine (Brian2 executors: float64 only)

    Examples
    --------
    >>> from neurochaos.learning import build_generative_network
    >>> net = build_generative_network("fu_restricted2", n_visible=4, n_hidden=3, T=0.5)
    >>> runner = PhaseRunner(net)
    >>> s = runner.clamped(net, np.ones((2, 4)))
    >>> s.shape, bool(np.all(s[:, :4] == 1.0))
    ((2, 7), True)
    """

    def __init__(self, network, executor: str = "torch", *, device: str = "cpu", dtype: str = "float64"):
        self.config = RunConfig(
            T=network.T,
            dt=network.dt,
            record_every=max(1, round(network.T / network.dt)),
            method=network.method,
            dtype=dtype,
            device=device,
        )
        rate = network.rate_network()
        self.executor = get_executor(executor)
        self.executor.prepare(rate, self.config)
        self.N = network.N
        self._gains = rate.gain.sample(self.config.n_steps + 1, self.config.dt)  # fixed: g is not learned

    def set_gain(self, network) -> None:
        """Take the gain of ``network`` (chaos homeostasis changes g between epochs; no rebuild)."""
        rate = network.rate_network()
        self._gains = rate.gain.sample(self.config.n_steps + 1, self.config.dt)

    def _run(self, network, x0, clamp, s_clamp):
        """One phase from trusted arrays (no checks): x0 (M, N), clamp (N,), s_clamp (M, N)."""
        M, N = x0.shape
        inputs = RunInputs(
            x0=x0,
            weights={"rand": network.J0, "learn": network.A},
            gains=self._gains,
            bias=np.broadcast_to(network.bias, (M, N)),
            variables={"clamp": np.broadcast_to(clamp, (M, N)), "s_clamp": s_clamp},
        )
        return self.executor.run_inputs(inputs).x_final

    def clamped(self, network, data: np.ndarray) -> np.ndarray:
        """Rates at the end of the clamped phase.

        Parameters
        ----------
        network : GenerativeNetwork with the current A and bias
        data : ndarray, shape (M, n_visible), a minibatch in [-1, 1]

        Returns
        -------
        ndarray, shape (M, N): the data on visible units, tanh(x(T)) on hidden units
        """
        return self.clamped_unchecked(network, check_finite_array(data, "data", shape=(None, network.n_visible)))

    def clamped_unchecked(self, network, data: np.ndarray, x0=None) -> np.ndarray:
        """:meth:`clamped` for a float64 minibatch already checked at the loop's boundary.

        The layers start at 0; a chaotic pool starts at ``x0``'s pool part (the free phase's
        initial states, so both phases see the same chaotic drive; 0 when ``x0`` is None).
        """
        M, nv = data.shape
        if network.N == nv:  # no hidden unit: nothing to integrate
            return data.copy()
        s_clamp = np.zeros((M, network.N))
        s_clamp[:, :nv] = data
        visible = network.visible
        start = np.zeros((M, network.N))
        if network.n_pool and x0 is not None:
            start[:, network.pool] = x0[:, network.pool]
        x = self._run(network, start, visible, s_clamp)
        return np.where(visible > 0, s_clamp, np.tanh(x))

    def free(self, network, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The free chaotic phase from ``x0``.

        Parameters
        ----------
        x0 : ndarray, shape (M, N), initial states

        Returns
        -------
        s : ndarray (M, N), rates tanh(x(T))
        x : ndarray (M, N), states x(T) (the next start of persistent chains)
        """
        return self.free_unchecked(network, check_finite_array(x0, "x0", shape=(None, network.N)))

    def free_unchecked(self, network, x0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`free` for float64 initial states the loop drew itself (or the previous phase's end)."""
        zeros = np.zeros((x0.shape[0], network.N))
        x = self._run(network, x0, np.zeros(network.N), zeros)
        return np.tanh(x), x

    def close(self):
        self.executor.close()
