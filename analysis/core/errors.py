"""The one error base: what the user can fix.

`DiscourseLabError` and its subclasses carry a message that names the file, row or
parameter at fault and what to do about it; the command line prints that message and
exits with status 2. Any other exception is a bug in Discourse Lab and shows its traceback
(exit status 1), so that a bug never looks like bad input.
"""

from __future__ import annotations


class DiscourseLabError(Exception):
    """Bad input, parameters or environment that the user can fix (exit status 2)."""


class InputError(DiscourseLabError, ValueError):
    """A file, row or value that Discourse Lab cannot use as given."""
