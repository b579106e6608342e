"""Login and user administration forms."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.accounts.models import ROLE_LABELS
from app.web.forms import Form


ROLE_CHOICES = list(ROLE_LABELS.items())
LOCALE_CHOICES = [('ja', '日本語'), ('en', 'English')]


class LoginForm(Form):
    email = EmailField(_l('E-mail'), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l('Password'), validators=[DataRequired()])


class UserForm(Form):
    email = EmailField(_l('E-mail'), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l('Name'), validators=[DataRequired(), Length(max=100)])
    role = SelectField(_l('Role'), choices=ROLE_CHOICES)
    locale = SelectField(_l('Language'), choices=LOCALE_CHOICES, default='ja')
    active = BooleanField(_l('Active'), default=True)
    password = PasswordField(_l('Password'), validators=[Optional(), Length(min=10, max=200)],
                             description=_l('At least 10 characters. Leave empty to keep the current password.'))
