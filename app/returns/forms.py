"""Returns forms: input checks only (the lines' quantities and amounts are read by the views, one per line)."""
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.database import INT_MAX
from app.returns.models import REFUND_METHODS
from app.returns.vocabulary import REFUND_METHOD_LABELS
from app.web.forms import Form
from importers.orders.normalize import PREFECTURES


class OpenReturnForm(Form):
    comment = TextAreaField(_l("What the customer said"), validators=[Optional(), Length(max=2000)])


class DecideForm(Form):
    decision = RadioField(_l('Decision'), choices=[('approve', _l('Approve')), ('decline', _l('Decline'))],
                          validators=[InputRequired()])
    message = TextAreaField(_l('Message to the customer'), validators=[Optional(), Length(max=2000)])


class RefundForm(Form):
    method = SelectField(_l('How the money went back'), choices=[(m, REFUND_METHOD_LABELS[m]) for m in REFUND_METHODS])
    fees = IntegerField(_l('Shipping and COD fees refunded (yen)'), default=0,
                        validators=[Optional(), NumberRange(min=0, max=INT_MAX)])
    refunded_on = DateField(_l('Refunded on'), validators=[DataRequired()])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])


class ExchangeForm(Form):
    pass


class SendAgainForm(Form):
    """The corrected ship-to of a parcel the carrier brought back (address.js fills it from the postal code)."""
    ship_name = StringField(_l('Name'), validators=[DataRequired(), Length(max=200)])
    ship_kana = StringField(_l('Kana'), validators=[Optional(), Length(max=200)])
    ship_postal_code = StringField(_l('Postal code'), validators=[DataRequired(), Length(max=10)],
                                   render_kw={'data-address': 'postal', 'inputmode': 'numeric'})
    ship_prefecture = SelectField(_l('Prefecture'), choices=[('', '—')] + [(p, p) for p, _ in PREFECTURES],
                                  validators=[DataRequired()], render_kw={'data-address': 'prefecture'})
    ship_city = StringField(_l('City'), validators=[Optional(), Length(max=200)], render_kw={'data-address': 'city'})
    ship_address1 = StringField(_l('Address'), validators=[DataRequired(), Length(max=300)],
                                render_kw={'data-address': 'street'})
    ship_address2 = StringField(_l('Building, room'), validators=[Optional(), Length(max=300)])
    ship_phone = TelField(_l('Phone'), validators=[Optional(), Length(max=30)])


class CloseForm(Form):
    outcome = SelectField(_l('Outcome'), choices=[('refund', _l('Refund')), ('exchange', _l('Exchange')),
                                                  ('none', _l('None'))])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])


class ReasonForm(Form):
    label_ja = StringField(_l('Name in Japanese'), validators=[DataRequired(), Length(max=100)])
    label_en = StringField(_l('Name in English'), validators=[DataRequired(), Length(max=100)])
    ship_at_once = BooleanField(_l('An exchange ships at once, without waiting for the returned unit'))
    active = BooleanField(_l('In use'))
