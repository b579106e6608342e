"""Kura's form base, showing a service's UserError on the form field it is about; ids posted by check boxes."""
import functools

from babel import support
from flask import flash
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from app.database import parse_int
from app.errors import UserError


class Form(FlaskForm):
    """Every form of Kura: WTForms' own messages ("This field is required.") in the user's language.

    Flask-WTF reads WTForms' catalogue from disk again in every request that builds a form; it does not
    change while the process runs, so it is read once per language here.
    """

    class Meta:
        def get_translations(self, form):
            return _wtforms_translations(str(get_locale()))


@functools.cache
def _wtforms_translations(locale: str):
    return support.Translations.load(messages_path(), [locale], domain='wtforms')


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
