"""Thread pools on the CPU: one pool busy at a time.

torch (OpenMP) and numpy (OpenBLAS) each keep a pool of worker threads, and an
OpenMP pool keeps spinning for a while after each parallel region. When a loop
alternates numpy products with torch operations, the two pools fight for the same
cores: on the 2-core dev machine an N = 500 Lyapunov step with numpy's product and
torch's QR took 8.3 ms instead of 0.44 ms. :func:`blas_pool` holds torch's
intra-op pool at one thread while numpy's BLAS does the products (the
element-wise torch work beside them is too small to gain from threads).
"""

from __future__ import annotations

from contextlib import contextmanager

__all__ = ["blas_pool"]


@contextmanager
def blas_pool(cpu_blas: str, device_type: str = "cpu"):
    """Within the block, torch runs on one thread if ``cpu_blas == "numpy"`` on the CPU; restored after.

    Parameters
    ----------
    cpu_blas : "numpy" (numpy's BLAS computes the products: torch's pool is held at 1)
        or "torch" (nothing changes)
    device_type : the torch device type of the run ("cpu", "cuda"); only "cpu" is affected
    """
    import torch

    if cpu_blas != "numpy" or device_type != "cpu":
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
