"""Command line: ``escalation run | sweep | report | compare | validate | calibrate | forecast | history | dashboard``.

Parsing only: each subcommand lives in its own module that exposes ``register(subparsers)``
(adding its parser and ``set_defaults(func=...)``); the handler calls library functions. User
errors (:class:`sim.errors.UserError`) become one line on stderr (at most
:data:`sim.errors.MAX_MESSAGE` characters) and exit status 2, never a
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from sim.errors import UserError, one_line

#: Modules that register subcommands, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "sim.cli.run",
    "sim.cli.sweep",
    "sim.cli.compare",
    "sim.cli.validate",
    "sim.cli.calibrate",
    "sim.cli.forecast",
    "sim.cli.history",
    "sim.cli.dashboard",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2 (argparse prints usage too)
        self.exit(2, f"{self.prog}: error: {one_line(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every available subcommand."""
    parser = _Parser(prog="escalation", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``escalation`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"escalation: error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("escalation: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
