"""The data-subject request form (who is asking, the confirmation of a redaction) and the retention settings."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from app.orders.vocabulary import CHANNEL_LABELS
from app.web.forms import Form


class SubjectForm(Form):
    """A person named by e-mail address or phone number; `confirm` for the redaction only."""

    email = StringField(_l('E-mail address'), validators=[Length(max=254)])
    phone = StringField(_l('Phone number'), validators=[Length(max=30)])
    confirm = BooleanField(_l('I confirm: erase this person\'s name, address, phone and e-mail from every order and '
                              'e-mail listed. This cannot be undone.'))
    what = HiddenField()


def _days_field(label):
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=3660)])


class PrivacySettingsForm(Form):
    """Days personal data is kept: per channel after shipping or cancelling (0: kept), and the access log."""

    store_days = _days_field(CHANNEL_LABELS['store'])
    rakuten_days = _days_field(CHANNEL_LABELS['rakuten'])
    amazon_days = _days_field(CHANNEL_LABELS['amazon'])
    yahoo_days = _days_field(CHANNEL_LABELS['yahoo'])
    shopify_days = _days_field(CHANNEL_LABELS['shopify'])
    kura_days = _days_field(CHANNEL_LABELS['kura'])
    manual_days = _days_field(CHANNEL_LABELS['manual'])
    access_log_days = IntegerField(_l('Keep the log of who viewed, exported or printed personal data (days)'),
                                   validators=[InputRequired(), NumberRange(min=1, max=3660)])
