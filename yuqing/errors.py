"""Errors that reach the user as one clear line, never a traceback."""


class YuqingError(Exception):
    """A problem the user can fix; the CLI prints its message and exits non-zero."""

    exit_code = 2


class ConfigError(YuqingError):
    """Missing or invalid configuration."""


class DataDirError(YuqingError):
    """The data directory cannot be created or written."""


class UnknownSourceError(YuqingError):
    """A source name that no plugin registers."""
