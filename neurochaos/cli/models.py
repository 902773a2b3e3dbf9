"""``neurochaos models [NAME ...]``: list the model cards, or show the named ones in full."""

from __future__ import annotations


def register(sub):
    p = sub.add_parser("models", help="list the model cards and their parameters, or show named cards in full")
    p.add_argument("names", nargs="*", metavar="NAME", help="card names (or .toml paths) to show with their equations")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..model import list_cards, load_card, models_dir

    if args.names:
        cards = [load_card(name) for name in args.names]  # an unknown name is refused before printing
        print("\n\n".join(card.details() for card in cards))
        return 0
    print(f"model cards in {models_dir()}:")
    for name in list_cards():
        print(load_card(name).summary())
    return 0
