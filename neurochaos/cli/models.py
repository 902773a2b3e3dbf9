"""``neurochaos models``: list the model cards with their parameters."""

from __future__ import annotations


def register(sub):
    p = sub.add_parser("models", help="list the model cards and their parameters")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..model import list_cards, load_card, models_dir

    names = list_cards()
    print(f"model cards in {models_dir()}:")
    for name in names:
        print(load_card(name).summary())
    return 0
