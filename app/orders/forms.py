"""Order import and item-code mapping forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileRequired
from wtforms import HiddenField, MultipleFileField, SelectField, StringField
from wtforms.validators import DataRequired, Length


CHANNEL_CHOICES = [('auto', _l('Recognise from the header')), ('rakuten', _l('Rakuten (楽天ペイ受注 CSV)')),
                   ('amazon', _l('Amazon (order report, tab-separated)')),
                   ('yahoo', _l('Yahoo! Shopping (orders + items files)')), ('shopify', _l('Shopify (orders export)')),
                   ('kura', _l('Kura order CSV'))]


class OrderUploadForm(FlaskForm):
    files = MultipleFileField(_l('Order files'), validators=[FileRequired()],
                              description=_l('One or more files; Yahoo! needs its orders file and its items file.'))
    channel = SelectField(_l('Format'), choices=CHANNEL_CHOICES, default='auto')


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    channel = HiddenField(validators=[DataRequired()])


class MapItemCodeForm(FlaskForm):
    channel = HiddenField(validators=[DataRequired()])
    item_code = HiddenField(validators=[DataRequired()])
    product_code = StringField(_l('Our SKU or JAN'), validators=[DataRequired(), Length(max=64)])
