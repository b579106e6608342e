"""Showing a service's UserError on the form field it is about; ids posted by check boxes."""
from flask import flash

from app.database import parse_int
from app.errors import UserError


def posted_ids(values: list[str]) -> list[int]:
    """The values of check boxes that name rows: an id a row can have, anything else left out."""
    ids = []
    for value in values:
        try:
            ids.append(parse_int(value, low=1))
        except ValueError:
            continue
    return ids


def show_error_on_form(form, exc: UserError) -> None:
    """Put the message next to its field, or at the top of the page when it names none."""
    field = getattr(form, exc.field or '', None)
    if field is not None and hasattr(field, 'errors'):
        field.errors = list(field.errors) + [str(exc)]
    else:
        flash(str(exc), 'error')
