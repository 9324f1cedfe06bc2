"""Errors a person can cause and fix: each message says what is wrong and what to do."""


class UserError(Exception):
    """A mistake in the input, the config or the command line (exit status 2, no traceback)."""


class ConfigError(UserError):
    """storm.toml or a --set override is wrong."""


class SourceError(Exception):
    """A source could not be read (unreachable, an error status, a malformed answer)."""


class RunTimeout(SourceError):
    """A run went past its collector's ``max_minutes``."""


MAX_MESSAGE = 300
"""Characters of an error kept in a run's record or a message."""


def one_line(exc: BaseException) -> str:
    """An error in one short line, never a traceback: its message, led by its class unless it is ours."""
    text = str(exc).strip().splitlines()
    message = text[0] if text else ""
    if not isinstance(exc, (SourceError, UserError)):
        message = f"{exc.__class__.__name__}: {message}" if message else exc.__class__.__name__
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
