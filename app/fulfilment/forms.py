"""Floor forms: pick batch filters, the station name, supervisor override, tracking ranges."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.database import INT_MAX
from app.fulfilment.models import CARRIERS
from app.orders.models import CHANNELS
from app.orders.vocabulary import CARRIER_LABELS, CHANNEL_LABELS
from app.web.forms import Form


CARRIER_CHOICES = [(c, CARRIER_LABELS[c]) for c in CARRIERS]


class PickBatchForm(Form):
    carrier = SelectField(_l('Carrier'), choices=[('', _l('All'))] + CARRIER_CHOICES, validators=[Optional()])
    channel = SelectField(_l('Channel'), choices=[('', _l('All'))] + [(c, CHANNEL_LABELS[c]) for c in CHANNELS],
                          validators=[Optional()])
    delivery_date = DateField(_l('Requested delivery date'), validators=[Optional()])
    items = SelectField(_l('Orders'), choices=[('', _l('All')), ('single', _l('Single-item orders only')),
                                               ('multi', _l('Multi-item orders only'))], validators=[Optional()])
    limit = IntegerField(_l('At most this many parcels'), validators=[Optional(), NumberRange(min=1, max=5000)])


class StationForm(Form):
    station = StringField(_l('Station name'), validators=[DataRequired(), Length(max=40)],
                          description=_l('For example 梱包1; remembered on this computer.'))


class OverrideForm(Form):
    line_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=INT_MAX)])
    email = EmailField(_l('Supervisor e-mail'), validators=[DataRequired()])
    password = PasswordField(_l('Supervisor password'), validators=[DataRequired()])
    reason = StringField(_l('Reason'), validators=[DataRequired(), Length(max=500)])


class TrackingRangeForm(Form):
    carrier = SelectField(_l('Carrier'), choices=CARRIER_CHOICES)
    first = StringField(_l('First number (11 digits, without the check digit)'),
                        validators=[DataRequired(), Length(min=11, max=12)])
    last = StringField(_l('Last number (11 digits, without the check digit)'),
                       validators=[DataRequired(), Length(min=11, max=12)])
    warn_below = IntegerField(_l('Warn when fewer than this are left'), default=500,
                              validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)])


class ShippingSettingsForm(Form):
    default_carrier = SelectField(_l('Default carrier'), choices=CARRIER_CHOICES)
    sender_name = StringField(_l('Sender name'), validators=[DataRequired(), Length(max=100)])
    sender_postal_code = StringField(_l('Sender postal code'), validators=[DataRequired(), Length(max=8)])
    sender_prefecture = StringField(_l('Sender prefecture'), validators=[DataRequired(), Length(max=10)])
    sender_city = StringField(_l('Sender city'), validators=[DataRequired(), Length(max=100)])
    sender_address1 = StringField(_l('Sender address'), validators=[DataRequired(), Length(max=200)])
    sender_address2 = StringField(_l('Sender building'), validators=[Optional(), Length(max=200)])
    sender_phone = StringField(_l('Sender phone'), validators=[DataRequired(), Length(max=20)])
    yamato_customer_code = StringField(_l('Yamato customer code (ご請求先顧客コード)'),
                                       validators=[Optional(), Length(max=12)])
    yamato_freight_code = StringField(_l('Yamato freight code (運賃管理番号)'), validators=[Optional(), Length(max=2)])
    sagawa_customer_code = StringField(_l('Sagawa customer code (お客様コード)'),
                                       validators=[Optional(), Length(max=12)])
    require_label_scan = BooleanField(_l('Scan the printed label on the box before a parcel may ship (送り状検品)'))
    return_policy = StringField(_l('Return policy (in the shipping e-mail)'), validators=[Length(max=1000)])
