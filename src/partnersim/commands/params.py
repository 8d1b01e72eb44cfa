"""``partnersim params``: list every parameter with its default, range and evidence."""

from __future__ import annotations

import argparse

from partnersim.schema import PARAMETERS, describe


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("params", help="list the model parameters", description=__doc__)
    p.add_argument("--group", choices=sorted({q.group for q in PARAMETERS.values()}), help="only this group")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    names = [n for n, q in PARAMETERS.items() if args.group is None or q.group == args.group]
    print(describe(names))
    return 0
