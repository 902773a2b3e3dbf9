"""Issue 14's sweep search on digits: the trade-off between chaos kept through training and sample quality.

Reads the two sweep folders (``results_sweep``: clamp_scale x g x j_scope with 4 x 50 tau probes;
``results_sweep_refine``: clamp 0.8-0.9 x g 3.5-4.5 with 8 x 100 tau probes), and writes into
``results_sweep_report/``:

- ``tradeoff.png``: EAAI (log) against the fraction of chaos probes with lambda_max > 0, one point
  per training, coloured by clamp_scale, shaped by sweep / j_scope, labelled with g;
- ``chaos_vs_age_sweep.png``: lambda_max, saturation and Jacobian radius vs training age for the
  best run that is chaotic at every probe, the best run overall and the better clamp 0.9, g 3.5
  run (in between);
- ``sweep_summary.json``: every training's row, the best of each kind and their EAAI ratio.

The sweeps themselves run through the CLI (resumable; a rerun does nothing)::

    neurochaos sweep experiments/chaos_driven_sampling/sweep_digits.toml \\
        --out experiments/chaos_driven_sampling/results_sweep --workers 2
    neurochaos sweep experiments/chaos_driven_sampling/sweep_digits_refine.toml \\
        --out experiments/chaos_driven_sampling/results_sweep_refine --workers 2
    python experiments/chaos_driven_sampling/sweep_report.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SWEEPS = {
    "first (4 x 50 tau probes)": HERE / "results_sweep",
    "refine (8 x 100 tau probes)": HERE / "results_sweep_refine",
}


def load_rows() -> list[dict]:
    """Every finished training of both sweeps, with ``sweep``, ``j_scope``, ``chaotic_fraction`` and its folder."""
    from neurochaos.sweep import read_rows

    rows = []
    for name, folder in SWEEPS.items():
        for r in read_rows(folder):
            if r.get("error") or r.get("EAAI") is None:
                continue
            j_scope = r.get("model.j_scope") or json.loads((folder / "points" / r["key"] / "config.json").read_text())[
                "model"
            ].get("j_scope", "all")
            rows.append(
                {
                    **r,
                    "sweep": name,
                    "j_scope": j_scope,
                    "kind": f"{name.split()[0]}, j_scope = {j_scope}",
                    "chaotic_fraction": r["probes_chaotic"] / r["probes"],
                    "folder": str((folder / "points" / r["key"]).relative_to(HERE)),
                }
            )
    return rows


def main(out: Path = HERE / "results_sweep_report") -> Path:
    from neurochaos.io import save_json
    from neurochaos.plotting import plot_chaos_vs_age, plot_sweep_scatter

    out.mkdir(parents=True, exist_ok=True)
    rows = load_rows()
    always = [r for r in rows if r["probes_chaotic"] == r["probes"]]
    best_chaotic = min(always, key=lambda r: r["EAAI"]) if always else None
    best = min(rows, key=lambda r: r["EAAI"])
    plot_sweep_scatter(
        rows, "chaotic_fraction", "EAAI", out / "tradeoff.png", colour="training.clamp_scale", marker="kind",
        logy=True, annotate="model.g",
        title=f"digits, {len(rows)} trainings: EAAI vs fraction of probes with lambda_max > 0 (labels: g)",
    )  # fmt: skip

    def label(r):
        return f"clamp {r['training.clamp_scale']:g}, g {r['model.g']:g}, {r['j_scope']} ({r['sweep'].split()[0]})"

    between = [r for r in rows if (r["training.clamp_scale"], r["model.g"], r["j_scope"]) == (0.9, 3.5, "all")]
    picked = [best_chaotic, best] + sorted(between, key=lambda r: r["EAAI"])[:1]
    histories = {}
    for r in picked:
        if r is not None and label(r) not in histories:
            histories[label(r)] = json.loads((HERE / r["folder"] / "history.json").read_text())["chaos"]
    plot_chaos_vs_age(histories, out / "chaos_vs_age_sweep.png", title="digits sweep: chaos vs training age")
    keep = ("sweep", "training.clamp_scale", "model.g", "j_scope", "EAAI", "AA_truth", "AA_syn", "probes",
            "probes_chaotic", "lambda_min", "lambda_final", "saturated_visible_final", "wall_s", "folder")  # fmt: skip
    summary = {
        "trainings": [{k: r.get(k) for k in keep} for r in sorted(rows, key=lambda r: r["EAAI"])],
        "best": {k: best.get(k) for k in keep},
        "best_chaotic_at_every_probe": None if best_chaotic is None else {k: best_chaotic.get(k) for k in keep},
        "eaai_ratio_chaotic_to_best": None if best_chaotic is None else best_chaotic["EAAI"] / best["EAAI"],
    }
    save_json(out / "sweep_summary.json", summary)
    ratio = summary["eaai_ratio_chaotic_to_best"]
    print(f"{len(rows)} trainings; best EAAI {best['EAAI']:.4f} ({label(best)}); ", end="")
    print("none chaotic at every probe" if best_chaotic is None else
          f"best chaotic at every probe {best_chaotic['EAAI']:.4f} ({label(best_chaotic)}), ratio {ratio:.1f}")  # fmt: skip
    return out


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "results_sweep_report")
