"""Argument types shared by the CLI subcommands (one-line argparse errors naming the flag)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from sim.errors import UserError, quote


def whole_number(flag: str, minimum: int = 0, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number from ``minimum`` to ``maximum``, naming the flag."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} {quote(text)}: must be a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{flag} {quote(text)}: must be {minimum} or more")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"{flag} {quote(text)}: must be {maximum:,} or less")
        return value

    return parse


def seed(flag: str) -> Callable[[str], int]:
    """An argparse type: a run seed, 0 to 2**63 - 1 (:func:`sim.core.draws.check_seed`)."""
    from sim.core.draws import check_seed

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} {quote(text)}: must be a whole number") from None
        try:
            return check_seed(value, flag)
        except UserError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def seconds(flag: str, *, zero: bool = False) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds, more than 0 (or 0 too, with ``zero``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} {quote(text)}: must be a number of seconds") from None
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero):
            bound = "0 or more" if zero else "more than 0"
            raise argparse.ArgumentTypeError(f"{flag} {quote(text)}: must be a finite number of "
                                             f"seconds, {bound}")
        return value

    return parse


def max_days() -> int:
    """The largest ``meta.days`` a config allows (the flag is capped at the same bound)."""
    from sim.config.schema import Meta

    return next(int(m.le) for m in Meta.model_fields["days"].metadata
                if getattr(m, "le", None) is not None)
