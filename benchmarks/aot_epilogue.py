"""The epilogue kernel compiled ahead of time for an H100/H200 (sm_90), on a machine without a GPU.

For every tile that ``bench_gpu.py`` sweeps and each product precision: shared memory per
program, registers and spills per thread, the tensor-core instruction of the product and the
number of asynchronous (software-pipelined) copies, from Triton's compiler and ptxas, not from
a run. Also the default tile compiled as an unpadded N = 1284 launch would be specialised, to
show what the zero padding of :class:`~neurochaos.executors.epilogue.EpilogueStep` buys.
Prunes the GPU sweep (a tile that spills or exceeds 227 KiB of shared memory is not worth
device time); says nothing about speed.

Writes ``benchmarks/results/epilogue_sm90_aot.json``. Usage::

    python benchmarks/aot_epilogue.py [--capability 90] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bench_gpu import TILES, tile_name
from bench_record import write_result

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from neurochaos.executors.epilogue import Tile, compile_report  # noqa: E402

#: Shared memory a program may use on sm_90 (227 KiB).
SHARED_LIMIT = 227 * 1024


def main(argv=None) -> Path:
    import triton

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--capability", type=int, default=90)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    rows = {}
    for prec in ("highest", "tf32", "bf16"):
        for t in TILES:
            r = compile_report(t, prec, a.capability)
            r["fits"] = r["shared_bytes"] <= SHARED_LIMIT and r["spill_bytes"] == 0
            rows[f"{prec} {tile_name(t)}"] = r
            print(f"{prec:8s} {tile_name(t):18s} shared {r['shared_bytes']:6d} B  regs {r['registers']:3d}  "
                  f"spill {r['spill_bytes']}  {r['tensor_core']}  cp.async (bytes: count) {r['async_copies']}", flush=True)  # fmt: skip
        unpadded = compile_report(Tile(), prec, a.capability, padded=False)
        rows[f"{prec} default tile, unpadded"] = unpadded
        print(f"{prec:8s} default, unpadded   cp.async (bytes: count) {unpadded['async_copies']}", flush=True)
    note = "compiled, not run: Triton's compiler and ptxas on a machine without a GPU"
    meta = {"triton": triton.__version__, "capability": a.capability, "shared_limit_bytes": SHARED_LIMIT}
    return write_result(
        {"benchmark": "epilogue_aot", "note": note, **meta, "rows": rows}, a.out, f"epilogue_sm{a.capability}_aot"
    )


if __name__ == "__main__":
    main()
