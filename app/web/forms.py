"""Showing a service's UserError on the form field it is about."""
from flask import flash

from app.errors import UserError


def show_error_on_form(form, exc: UserError) -> None:
    """Put the message next to its field, or at the top of the page when it names none."""
    field = getattr(form, exc.field or '', None)
    if field is not None and hasattr(field, 'errors'):
        field.errors = list(field.errors) + [str(exc)]
    else:
        flash(str(exc), 'error')
