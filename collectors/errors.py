"""Errors a person can cause and fix: each message says what is wrong and what to do."""


class UserError(Exception):
    """A mistake in the input, the config or the command line (exit status 2, no traceback)."""


class ConfigError(UserError):
    """storm.toml or a --set override is wrong."""


class SourceError(Exception):
    """A source could not be read (unreachable, an error status, a malformed answer)."""
