"""The one domain error that services raise and views, the CLI and jobs show to the user."""
import contextlib

from importers.base import FormatError


class UserError(Exception):
    """Something the user asked for cannot be done; the message says what and why.

    :param message: a (lazy) translated message for the person at the screen or terminal
    :param field: the form field or file column the message is about, when there is one
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self):
        return str(self.message)


@contextlib.contextmanager
def as_user_errors():
    """Raise a FormatError of the format code called inside (importers/, exporters/, labels/) as a UserError.

    Format code imports nothing of app/, so it has its own error; the service that calls it makes
    it the one error screens, the CLI and jobs show, with the same message and field.
    """
    try:
        yield
    except FormatError as exc:
        raise UserError(exc.message, field=exc.field) from exc
