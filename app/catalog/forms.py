"""Product forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.database import INT_MAX
from app.web.forms import Form


class ProductForm(Form):
    sku = StringField(_l('SKU'), validators=[DataRequired(), Length(max=64)],
                      description=_l('Text; leading zeros are kept.'))
    name = StringField(_l('Name'), validators=[DataRequired(), Length(max=255)])
    jan = StringField(_l('JAN'), validators=[Optional(), Length(max=13)],
                      description=_l('13 or 8 digits; the check digit is verified.'))
    price = IntegerField(_l('Price (yen, tax included)'), validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)])
    tax_rate = SelectField(_l('Tax rate'), choices=[(10, '10%'), (8, _l('8% (reduced)'))], coerce=int, default=10)
    weight_g = IntegerField(_l('Weight (g)'), validators=[Optional(), NumberRange(min=0, max=INT_MAX)])
    cost = IntegerField(_l('Cost (yen per unit, tax excluded)'),
                        validators=[Optional(), NumberRange(min=0, max=INT_MAX)],
                        description=_l('What the supplier charges; the stock report values stock with it.'))
    lead_time_days = IntegerField(_l('Lead time (days)'), validators=[Optional(), NumberRange(min=0, max=365)],
                                  description=_l('From ordering from the supplier to the units on the shelf.'))
    active = BooleanField(_l('Active'), default=True)
    published = BooleanField(_l('For sale in the shop'), default=False)
    description = TextAreaField(_l('Description for the shop'), validators=[Optional(), Length(max=5000)])
    image = FileField(_l('Photo (JPEG, PNG or WebP, up to 2 MB)'))
    remove_image = BooleanField(_l('Remove the photo'))


class CsvUploadForm(Form):
    file = FileField(_l('CSV file'), validators=[FileRequired()])
