"""User errors: bad input of any kind, reported as one line naming the file, the key and what is
allowed, with a non-zero exit and no traceback (the CLI and the dashboard catch them).

:class:`UserError` is the base; :class:`ConfigError` is a user error in a configuration (a YAML
file, a dotted-path override, a sweep spec). :func:`quote` is the one way an error message
quotes a value the user gave (shortened, so a huge value, e.g. a YAML alias bomb, never makes a
huge "one-line" error), and :func:`one_line` the one way a message is put on a single line of
bounded length. This module imports nothing (lowest layer).
"""

from __future__ import annotations

from typing import Any

#: Longest quoted value (characters of its ``repr``) an error message shows.
MAX_QUOTE = 80
#: Longest error message, after :func:`one_line`.
MAX_MESSAGE = 600


class UserError(Exception):
    """Bad input from a user: one line naming the file, the key and what is allowed."""


class ConfigError(UserError):
    """A user error in a configuration: names the file, the key path and what is allowed."""


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, saying how long it was when cut."""
    if len(text) <= limit:
        return text
    tail = f"... ({len(text):,} characters)"
    return text[: max(0, limit - len(tail))] + tail


def quote(value: Any, limit: int = MAX_QUOTE) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters.

    The repr of a deeply shared structure (a YAML alias bomb) can be astronomically long; it is
    built through :func:`reprlib.repr`-like limits first, so quoting never costs more than a
    small, bounded amount of time and memory.
    """
    import reprlib

    short = reprlib.Repr(maxlevel=3, maxdict=6, maxlist=6, maxtuple=6, maxset=6,
                         maxstring=limit, maxother=limit, maxlong=limit)
    try:
        text = short.repr(value)
    except ValueError:  # an int too long to print (over sys.get_int_max_str_digits())
        text = f"<a {value.bit_length():,}-bit integer>" if isinstance(value, int) else "<value>"
    return clip(text, limit)


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message on one line (runs of white space, newlines included, become one space), cut to
    ``limit`` characters.
    """
    return clip(" ".join(str(text).split()), limit)
