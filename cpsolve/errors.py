"""Errors a user can cause. The CLI prints their message as one sentence and exits non-zero."""


class UserError(Exception):
    """A mistake in what the user gave us (a file, a flag, the machine's setup), not a bug."""


class ProblemError(UserError):
    """A problem file that cannot be loaded or does not validate."""
