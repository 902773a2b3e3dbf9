"""Summary of the MNIST probes of 2026-12-04 (issue 14, acceptance 4): one row per probe folder.

Each probe is a ``neurochaos train`` run of one ``*.toml`` here (784 + 200 units, M = 50, T = 5 tau,
soft targets 0.8 unless said; 2000 steps planned, some stopped earlier with Ctrl-C), trained two at
a time with one thread each on the 2-core dev VM::

    OMP_NUM_THREADS=1 neurochaos train experiments/chaos_driven_sampling/probe/NAME.toml \\
        --out experiments/chaos_driven_sampling/probe/results_NAME -v

``python experiments/chaos_driven_sampling/probe/summary.py`` prints the markdown table of
docs/chaos_driven_sampling.md section 4c and writes ``probe_summary.json``, ``probe_tradeoff.png``
(AA_truth at the last evaluation against the fraction of trained-network probes with
lambda_max > 0, colour j_visible) and ``probe_chaos_vs_age.png``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ORDER = ["g3", "homeo", "hid", "hidhomeo", "ih", "ih_hard", "ih_g6", "ih_homeo", "ih_homeo_wd",
         "ih_g6_wd1", "ih_g6_wd3", "jv0.3", "jv0.5"]  # fmt: skip


def row(name: str) -> dict:
    h = json.loads((HERE / f"results_{name}" / "history.json").read_text())
    m, t = h["config"]["model"], h["config"]["training"]
    last = max(h["history"], key=lambda e: e["step"]) if h["history"] else {}
    chaos = h["chaos"]
    return {
        "probe": name,
        "j_scope": m.get("j_scope", "all"),
        "j_visible": m.get("j_visible", 1.0),
        "g0": m["g"],
        "clamp_scale": t["clamp_scale"],
        "homeostasis": t.get("chaos_target"),
        "weight_decay": t.get("weight_decay", 0.0),
        "steps": h["step"],
        "eval_step": last.get("step"),
        "EAAI": last.get("EAAI"),
        "AA_truth": last.get("AA_truth"),
        "AA_syn": last.get("AA_syn"),
        "best_EAAI": min((e["EAAI"] for e in h["history"][1:]), default=None),
        "lambda_max": [round(c["lambda_max"], 3) for c in chaos],
        "probes_chaotic": f"{sum(c['lambda_max'] > 0 for c in chaos)}/{len(chaos)}",
        "chaotic_fraction_trained": float(np.mean([c["lambda_max"] > 0 for c in chaos[1:]])) if chaos[1:] else None,
        "kind": (
            "j_scope hidden"
            if m.get("j_scope") == "hidden"
            else "homeostasis"
            if t.get("chaos_target")
            else "weight decay"
            if t.get("weight_decay")
            else "fixed g"
        ),  # fmt: skip
        "saturated_hidden_end": chaos[-1]["saturated_hidden"],
        "g_end": chaos[-1]["g"],
    }


def main() -> list[dict]:
    from neurochaos.plotting import plot_chaos_vs_age, plot_sweep_scatter

    rows = [row(n) for n in ORDER if (HERE / f"results_{n}" / "history.json").is_file()]
    (HERE / "probe_summary.json").write_text(json.dumps(rows, indent=1))
    plot_sweep_scatter(
        rows, "chaotic_fraction_trained", "AA_truth", HERE / "probe_tradeoff.png", colour="j_visible", marker="kind",
        annotate="probe",
        title="MNIST probes: AA_truth (1 = every held-out digit's neighbour is a digit) vs chaos kept",
    )  # fmt: skip
    histories = {r["probe"]: json.loads((HERE / f"results_{r['probe']}" / "history.json").read_text())["chaos"]
                 for r in rows if r["probe"] in ("g3", "homeo", "ih", "ih_homeo", "ih_g6_wd1", "jv0.5")}  # fmt: skip
    plot_chaos_vs_age(histories, HERE / "probe_chaos_vs_age.png", title="MNIST probes: chaos vs training age")
    print(
        "| probe | j_scope | j_visible | g (start -> end) | homeostasis | weight decay | steps | EAAI | AA_truth | "
        "AA_syn | probes lambda_max > 0 | lambda_max at the last probe | hidden saturated at end |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        f = lambda v, d=3: "-" if v is None else f"{v:.{d}f}"  # noqa: E731
        print(
            f"| {r['probe']} | {r['j_scope']} | {r['j_visible']:g} | {r['g0']:g} -> {r['g_end']:.1f} | "
            f"{r['homeostasis'] or '-'} | {r['weight_decay']:g} | {r['steps']} (eval {r['eval_step']}) | "
            f"{f(r['EAAI'])} | {f(r['AA_truth'])} | {f(r['AA_syn'])} | {r['probes_chaotic']} | "
            f"{r['lambda_max'][-1]:+.3f} | {r['saturated_hidden_end']:.2f} |"
        )
    return rows


if __name__ == "__main__":
    main()
