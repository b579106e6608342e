"""Returns forms: input checks only (the lines' quantities and amounts are read by the views, one per line)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.database import INT_MAX
from app.returns.models import REFUND_METHODS
from app.returns.vocabulary import REFUND_METHOD_LABELS
from app.web.forms import Form


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


class CloseForm(Form):
    outcome = SelectField(_l('Outcome'), choices=[('refund', _l('Refund')), ('exchange', _l('Exchange')),
                                                  ('none', _l('None'))])
    note = TextAreaField(_l('Note'), validators=[Optional(), Length(max=2000)])


class ReasonForm(Form):
    label_ja = StringField(_l('Name in Japanese'), validators=[DataRequired(), Length(max=100)])
    label_en = StringField(_l('Name in English'), validators=[DataRequired(), Length(max=100)])
    ship_at_once = BooleanField(_l('An exchange ships at once, without waiting for the returned unit'))
    active = BooleanField(_l('In use'))
