"""Listing, channel rule and listings-upload forms: input checks only."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.channels.models import STOCK_CHANNELS
from app.database import INT_MAX
from app.orders.vocabulary import CHANNEL_LABELS
from app.web.forms import Form


def _units(label, description=None, required=False):
    return IntegerField(label, validators=[InputRequired() if required else Optional(),
                                           NumberRange(min=0, max=INT_MAX)], description=description)


class ChannelRulesForm(Form):
    safety_stock = _units(_l('Safety stock (units kept back)'), required=True)
    share_percent = IntegerField(_l('Share of free stock (%)'),
                                 validators=[InputRequired(), NumberRange(min=0, max=100)])
    cap = _units(_l('Upper cap (units; empty: no cap)'))
    floor = _units(_l('Floor (below it, 0 is sent)'), required=True)
    location = StringField(_l('Shopify location name'), validators=[Length(max=100)])


class ListingForm(Form):
    channel = SelectField(_l('Channel'), choices=[(c, CHANNEL_LABELS[c]) for c in STOCK_CHANNELS])
    item_code = StringField(_l('Item code (as the mall\'s orders carry it)'),
                            validators=[DataRequired(), Length(max=100)])
    page_code = StringField(_l('Product page code'), validators=[Length(max=100)],
                            description=_l('Rakuten 商品管理番号, Yahoo! code of a sub-code, Shopify handle'))
    sku = StringField(_l('SKU'), validators=[DataRequired(), Length(max=64)])
    safety_stock = _units(_l('Safety stock (empty: the channel\'s)'))
    share_percent = IntegerField(_l('Share (%) (empty: the channel\'s)'),
                                 validators=[Optional(), NumberRange(min=0, max=100)])
    cap = _units(_l('Upper cap (empty: the channel\'s)'))
    floor = _units(_l('Floor (empty: the channel\'s)'))
    paused = BooleanField(_l('Paused (never sent)'))


class ListingsUploadForm(Form):
    file = FileField(_l('CSV file'), validators=[FileRequired()])


class MakeFileForm(Form):
    full = BooleanField(_l('Every listing (full file)'))
