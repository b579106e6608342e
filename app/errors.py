"""The one domain error that services raise and views, the CLI and jobs show to the user."""


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
