"""``neurochaos train CONFIG --data NAME --steps N --out DIR [--resume]``: contrastive Hebbian training."""

from __future__ import annotations


def register(sub):
    from .common import add_execution, add_reporting

    p = sub.add_parser("train", help="train a chaotic generative network (Fournier & Urbani 2024) from a TOML config")
    p.add_argument("config", help="TOML config with [model], [training] and [data] tables")
    p.add_argument(
        "--data", default=None, help="data set name (mnist, fashion-mnist, mnist5k, digits, idx); overrides data.name"
    )
    p.add_argument("--data-dir", default=None, help="folder of IDX files (overrides data.directory)")
    p.add_argument("--steps", type=int, default=None, help="total training steps (overrides training.steps)")
    add_execution(p, executor=False, device=None, dtype=False)  # overrides training.device
    p.add_argument("--out", required=True, help="output folder (checkpoint.npz, config.json, history.json)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz")
    add_reporting(p, json=False)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..learning import load_train_config, train

    cfg = load_train_config(args.config)
    if args.data is not None:
        cfg = cfg.replace("data", name=args.data)
    if args.data_dir is not None:
        cfg = cfg.replace("data", directory=args.data_dir)
    if args.steps is not None:
        cfg = cfg.replace("training", steps=args.steps)
    if args.device is not None:
        cfg = cfg.replace("training", device=args.device)
    result = train(cfg, args.out, resume=args.resume, progress=not args.no_progress)
    for name in ("checkpoint.npz", "config.json", "history.json"):
        if (result.out / name).exists():
            print(result.out / name)
    return 0


__all__ = ["register", "run"]
