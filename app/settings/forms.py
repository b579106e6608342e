"""The shop settings form (the order rules' form is the orders area's, the retention form privacy's)."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.web.forms import Form


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
