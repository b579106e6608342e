"""The order rules form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectMultipleField, widgets
from wtforms.validators import InputRequired, NumberRange

from app.orders.models import CHANNELS
from app.orders.vocabulary import CHANNEL_LABELS


class OrderRulesForm(FlaskForm):
    hold_payment_pending = BooleanField(_l('Hold bank-transfer and convenience-store orders until paid'))
    hold_customer_comment = BooleanField(_l('Hold orders with a customer comment until a clerk has read it'))
    hold_delivery_days = IntegerField(_l('Hold when the requested delivery date is more than this many days ahead'),
                                      validators=[InputRequired(), NumberRange(min=0, max=365)],
                                      description=_l('0 turns the rule off.'))
    hold_cod_over = IntegerField(_l('Hold cash-on-delivery orders above this amount (yen)'),
                                 validators=[InputRequired(), NumberRange(min=0, max=10_000_000)],
                                 description=_l('0 turns the rule off.'))
    partial_channels = SelectMultipleField(
        _l('Channels allocated line by line (the rest is backordered); others only as whole orders'),
        choices=[(c, CHANNEL_LABELS[c]) for c in CHANNELS], option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False))
    auto_combine = BooleanField(_l('Combine orders of the same buyer to the same address by themselves'))
