"""Argument types shared by the CLI subcommands (one-line argparse errors)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole_number(flag: str, minimum: int = 0) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``, with an error naming the flag."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{flag} {text!r}: must be a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{flag} {text!r}: must be {minimum} or more")
        return value

    return parse
