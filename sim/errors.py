"""User errors: bad input of any kind, reported as one line naming the file, the key and what is
allowed, with a non-zero exit and no traceback (the CLI and the dashboard catch them).

:class:`UserError` is the base; :class:`ConfigError` is a user error in a configuration (a YAML
file, a dotted-path override, a sweep spec). This module imports nothing (lowest layer).
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input from a user: one line naming the file, the key and what is allowed."""


class ConfigError(UserError):
    """A user error in a configuration: names the file, the key path and what is allowed."""
