"""The data-subject request form: who is asking, and the confirmation of a redaction."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Length

from app.web.forms import Form


class SubjectForm(Form):
    """A person named by e-mail address or phone number; `confirm` for the redaction only."""

    email = StringField(_l('E-mail address'), validators=[Length(max=254)])
    phone = StringField(_l('Phone number'), validators=[Length(max=30)])
    confirm = BooleanField(_l('I confirm: erase this person\'s name, address, phone and e-mail from every order and '
                              'e-mail listed. This cannot be undone.'))
    what = HiddenField()
