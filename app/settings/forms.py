"""The order rules form."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from app.orders.models import CHANNELS
from app.orders.vocabulary import CHANNEL_LABELS
from app.web.forms import Form


class OrderRulesForm(Form):
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
    shipping_cutoff = StringField(_l('Same-day shipping cutoff (Japan time, HH:MM)'),
                                  validators=[DataRequired(), Regexp(r'^([01][0-9]|2[0-3]):[0-5][0-9]$',
                                                                     message=_l('Write the time as 14:00.'))],
                                  description=_l('Orders in by this time are meant to leave the same day.'))


class ShopSettingsForm(Form):
    shop_name = StringField(_l('Shop name'), validators=[DataRequired(), Length(max=100)])
    shipping_fee = IntegerField(_l('Shipping fee per order (yen, tax included)'),
                                validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    free_shipping_over = IntegerField(_l('Free shipping from this amount of goods (yen; 0: never)'),
                                      validators=[InputRequired(), NumberRange(min=0, max=10_000_000)])
    cod_fee = IntegerField(_l('Cash-on-delivery fee (yen, tax included)'),
                           validators=[InputRequired(), NumberRange(min=0, max=100_000)])
    earliest_delivery_days = IntegerField(_l('Earliest delivery date, in days from today'),
                                          validators=[InputRequired(), NumberRange(min=0, max=60)])
    delivery_window_days = IntegerField(_l('Delivery dates offered, in days after the earliest'),
                                        validators=[InputRequired(), NumberRange(min=0, max=90)])
    time_slots = StringField(_l('Time slots, separated by commas'), validators=[DataRequired(), Length(max=200)],
                             description=_l('The carriers\' standard slots: 午前中, 14-16, 16-18, 18-20, 19-21'))
    bank_account = TextAreaField(_l('Bank account for bank transfers (bank, branch, account type and number, name)'),
                                 validators=[Length(max=500)])
    few_left = IntegerField(_l('Show "only a few left" from this many units down'),
                            validators=[InputRequired(), NumberRange(min=0, max=1000)])


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
