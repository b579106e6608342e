"""Order import and item-code mapping forms, and the order rules (on the settings screens)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.database import INT_MAX
from app.orders.models import CHANNELS, HOLD_REASONS, MANUAL_SOURCES, PAYMENT_METHODS
from app.orders.vocabulary import CHANNEL_LABELS, HOLD_LABELS, PAYMENT_LABELS, SOURCE_LABELS
from app.web.forms import Form
from importers.orders.normalize import PREFECTURES


CHANNEL_CHOICES = [('auto', _l('Recognise from the header')), ('rakuten', _l('Rakuten (楽天ペイ受注 CSV)')),
                   ('amazon', _l('Amazon (order report, tab-separated)')),
                   ('yahoo', _l('Yahoo! Shopping (orders + items files)')), ('shopify', _l('Shopify (orders export)')),
                   ('kura', _l('Kura order CSV'))]


class OrderUploadForm(Form):
    files = MultipleFileField(_l('Order files'), validators=[FileRequired()],
                              description=_l('Drop the files here, or click to choose them; one or more. Yahoo! '
                                             'needs its orders file and its items file.'))
    channel = SelectField(_l('Format'), choices=CHANNEL_CHOICES, default='auto')


class ConfirmImportForm(Form):
    token = HiddenField(validators=[DataRequired()])
    channel = HiddenField(validators=[DataRequired()])


class MapItemCodeForm(Form):
    channel = HiddenField(validators=[DataRequired()])
    item_code = HiddenField(validators=[DataRequired()])
    product_code = StringField(_l('Our SKU or JAN'), validators=[DataRequired(), Length(max=64)])


PREFECTURE_CHOICES = [('', '—')] + [(p, p) for p, _ in PREFECTURES]


class ShipToForm(Form):
    """The ship-to address; app/static/address.js fills it from the postal code (data-address marks the parts)."""
    ship_name = StringField(_l('Name'), validators=[DataRequired(), Length(max=200)])
    ship_kana = StringField(_l('Kana'), validators=[Optional(), Length(max=200)])
    ship_postal_code = StringField(_l('Postal code'), validators=[DataRequired(), Length(max=10)],
                                   description=_l('7 digits, e.g. 100-0001; checked against the prefecture.'),
                                   render_kw={'data-address': 'postal', 'inputmode': 'numeric'})
    ship_prefecture = SelectField(_l('Prefecture'), choices=PREFECTURE_CHOICES, validators=[DataRequired()],
                                  render_kw={'data-address': 'prefecture'})
    ship_city = StringField(_l('City'), validators=[Optional(), Length(max=200)], render_kw={'data-address': 'city'})
    ship_address1 = StringField(_l('Address'), validators=[DataRequired(), Length(max=300)],
                                render_kw={'data-address': 'street'})
    ship_address2 = StringField(_l('Building, room'), validators=[Optional(), Length(max=300)])
    ship_phone = TelField(_l('Phone'), validators=[Optional(), Length(max=30)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_unlisted_prefecture(self.ship_prefecture)


def keep_unlisted_prefecture(field: SelectField) -> None:
    """A prefecture as an imported file wrote it is shown and kept (the address check holds the order) until
    a clerk picks one of the 47."""
    given = field.data
    if given and given not in dict(PREFECTURE_CHOICES):
        field.choices = [(given, given)] + PREFECTURE_CHOICES


class HoldForm(Form):
    reason = SelectField(_l('Reason'), choices=[(r, HOLD_LABELS[r]) for r in HOLD_REASONS], default='manual')
    note = StringField(_l('Note'), validators=[Length(max=500)])


class PaymentForm(Form):
    amount = IntegerField(_l('Amount received (yen)'), validators=[InputRequired(), NumberRange(min=1, max=INT_MAX)])
    paid_on = DateField(_l('Received on'), validators=[InputRequired()])


class AmountDueForm(Form):
    amount_due = IntegerField(_l('Amount due after points and coupons (yen)'),
                              validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)])


class CancelForm(Form):
    why = StringField(_l('Reason for the cancellation'), validators=[DataRequired(), Length(max=500)])


class NoteForm(Form):
    note = TextAreaField(_l('Note'), validators=[DataRequired(), Length(max=2000)])


class BuyerForm(Form):
    buyer_name = StringField(_l('Name'), validators=[Optional(), Length(max=200)])
    buyer_kana = StringField(_l('Kana'), validators=[Optional(), Length(max=200)])
    buyer_email = StringField(_l('E-mail'), validators=[Optional(), Length(max=254)])
    buyer_phone = TelField(_l('Phone'), validators=[Optional(), Length(max=30)])


class ManualOrderForm(Form):
    """An order taken by phone, fax or e-mail; its lines are the line_* lists the entry screen keeps."""

    source = SelectField(_l('Came in by'), choices=[(s, SOURCE_LABELS[s]) for s in MANUAL_SOURCES], default='phone')
    buyer_name = StringField(_l('Customer name'), validators=[DataRequired(), Length(max=200)])
    buyer_kana = StringField(_l('Furigana'), validators=[Optional(), Length(max=200)])
    buyer_email = StringField(_l('E-mail'), validators=[Optional(), Length(max=254)],
                              description=_l('The order confirmation is sent here.'))
    buyer_phone = StringField(_l('Phone'), validators=[Optional(), Length(max=30)])
    ship_name = StringField(_l('Recipient'), validators=[Optional(), Length(max=200)],
                            description=_l('Leave the recipient blank when the customer receives it; fill it in '
                                           'for a gift or another address.'))
    ship_kana = StringField(_l('Recipient furigana'), validators=[Optional(), Length(max=200)])
    ship_phone = StringField(_l('Recipient phone'), validators=[Optional(), Length(max=30)])
    ship_postal_code = StringField(_l('Postal code'), validators=[DataRequired(), Length(max=10)],
                                   description=_l('7 digits, e.g. 100-0001; checked against the prefecture.'),
                                   render_kw={'data-address': 'postal', 'inputmode': 'numeric'})
    ship_prefecture = SelectField(_l('Prefecture'), choices=PREFECTURE_CHOICES,
                                  validators=[DataRequired(), Length(max=10)], render_kw={'data-address': 'prefecture'})
    ship_city = StringField(_l('City'), validators=[Optional(), Length(max=200)], render_kw={'data-address': 'city'})
    ship_address1 = StringField(_l('Address'), validators=[DataRequired(), Length(max=300)],
                                render_kw={'data-address': 'street'})
    ship_address2 = StringField(_l('Building, room'), validators=[Optional(), Length(max=300)])
    payment_method = SelectField(_l('Payment method'), choices=[(m, PAYMENT_LABELS[m]) for m in PAYMENT_METHODS],
                                 default='cod')
    shipping_fee = IntegerField(_l('Shipping fee (yen)'), validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)])
    cod_fee = IntegerField(_l('COD fee (yen)'), validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)])
    delivery_date = DateField(_l('Delivery date'), validators=[Optional()])
    delivery_time_slot = SelectField(_l('Time slot'), choices=[], validate_choice=False)
    gift_wrap = StringField(_l('Gift wrapping'), validators=[Optional(), Length(max=200)])
    noshi = StringField(_l('Noshi'), validators=[Optional(), Length(max=200)])
    comment = TextAreaField(_l('Comment'), validators=[Optional(), Length(max=2000)])
    duplicate_of = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        keep_unlisted_prefecture(self.ship_prefecture)


class DeliveryPaymentForm(Form):
    """The delivery wish, payment method and fees of an order not yet picked (the order page)."""
    delivery_date = DateField(_l('Delivery date'), validators=[Optional()])
    delivery_time_slot = SelectField(_l('Time slot'), choices=[], validate_choice=False,
                                     validators=[Length(max=40)])
    payment_method = SelectField(_l('Payment method'), choices=[(m, PAYMENT_LABELS[m]) for m in PAYMENT_METHODS])
    shipping_fee = IntegerField(_l('Shipping fee (yen)'), validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)])
    cod_fee = IntegerField(_l('COD fee (yen)'), validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)])


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
