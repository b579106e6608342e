"""Shop forms: every field labelled, every error next to its field."""
import re

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from app.orders.services import prefecture_of
from app.web.forms import Form
from importers.orders.normalize import PREFECTURES, phone, postal_code


KATAKANA = re.compile(r'^[\u30a0-\u30ff\u3000 ー・]+$')


class CartForm(Form):
    quantity = IntegerField(_l('Quantity'), validators=[InputRequired(), NumberRange(min=0, max=99)], default=1)


class CheckoutForm(Form):
    name = StringField(_l('Name'), validators=[DataRequired(), Length(max=100)],
                       render_kw={'autocomplete': 'name'})
    kana = StringField(_l('Name in katakana'), validators=[DataRequired(), Length(max=100)],
                       description=_l('For example ヤマダ タロウ'))
    email = EmailField(_l('E-mail'), validators=[DataRequired(), Email(check_deliverability=False),
                                                   Length(max=254)], render_kw={'autocomplete': 'email'})
    phone = TelField(_l('Phone'), validators=[DataRequired(), Length(max=20)], render_kw={'autocomplete': 'tel'})
    postal_code = StringField(_l('Postal code'), validators=[DataRequired(), Length(max=10)],
                              description=_l('7 digits; the address is filled in for you.'),
                              render_kw={'autocomplete': 'postal-code', 'inputmode': 'numeric',
                                         'data-address': 'postal'})
    prefecture = SelectField(_l('Prefecture'), choices=[('', '—')] + [(p, p) for p, _ in PREFECTURES],
                             validators=[DataRequired()], render_kw={'data-address': 'prefecture'})
    city = StringField(_l('City'), validators=[DataRequired(), Length(max=100)], render_kw={'data-address': 'city'})
    address1 = StringField(_l('Street address'), validators=[DataRequired(), Length(max=200)],
                           render_kw={'data-address': 'street'})
    address2 = StringField(_l('Building, room'), validators=[Optional(), Length(max=200)])
    delivery_date = SelectField(_l('Delivery date'), choices=[], validators=[Optional()])
    time_slot = SelectField(_l('Time slot'), choices=[], validators=[Optional()])
    payment_method = RadioField(_l('Payment'), choices=[], validators=[DataRequired()])
    comment = TextAreaField(_l('Message to the shop'), validators=[Optional(), Length(max=1000)])

    def kana_optional(self):
        """A customer shopping in English need not write their name in katakana (the carrier does not need it)."""
        self.kana.validators = [Optional(), Length(max=100)]
        self.kana.flags.required = False
        self.kana.description = _l('Optional.')

    def validate_kana(self, field):
        if not KATAKANA.match(field.data.strip()):
            raise ValidationError(_l('Please write your name in katakana.'))

    def validate_phone(self, field):
        try:
            digits = phone(field.data)
        except ValueError:
            digits = ''
        if not (10 <= len(digits) <= 11 and digits.startswith('0')):
            raise ValidationError(_l('A Japanese phone number of 10 or 11 digits, e.g. 03-1234-5678.'))

    def validate_postal_code(self, field):
        try:
            code = postal_code(field.data)
        except ValueError:
            raise ValidationError(_l('A postal code has 7 digits, e.g. 100-0001.')) from None
        if prefecture_of(code) is None:
            raise ValidationError(_l('There is no postal code %(code)s.', code=f'{code[:3]}-{code[3:]}'))

class StatusForm(Form):
    number = StringField(_l('Order number'), validators=[DataRequired(), Length(max=20)],
                         description=_l('As in your confirmation e-mail, e.g. K00000123'))
    email = EmailField(_l('E-mail'), validators=[DataRequired(), Length(max=254)])


class ReturnRequestForm(Form):
    """A customer asks to send units back; the order number and e-mail are checked again, as for the status."""

    number = HiddenField(validators=[DataRequired(), Length(max=20)])
    email = HiddenField(validators=[DataRequired(), Length(max=254)])
    comment = TextAreaField(_l('Anything we should know (optional)'), validators=[Optional(), Length(max=2000)])
