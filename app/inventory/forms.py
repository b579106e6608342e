"""Receiving and adjustment forms: built for a scanner that types the code and presses Enter."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.database import INT_MAX
from app.web.forms import Form


class ReceiveForm(Form):
    code = StringField(_l('JAN or SKU'), validators=[DataRequired(), Length(max=64)],
                       render_kw={'autofocus': True, 'autocomplete': 'off'})
    quantity = IntegerField(_l('Quantity'), validators=[InputRequired(), NumberRange(min=1, max=1_000_000)],
                            default=1)
    location = StringField(_l('Location'), validators=[DataRequired(), Length(max=40)],
                           render_kw={'autocomplete': 'off'})
    note = StringField(_l('Note (supplier, delivery slip)'), validators=[Length(max=200)])


class AdjustForm(Form):
    code = StringField(_l('JAN or SKU'), validators=[DataRequired(), Length(max=64)],
                       render_kw={'autofocus': True, 'autocomplete': 'off'})
    location = StringField(_l('Location'), validators=[DataRequired(), Length(max=40)])
    quantity = IntegerField(_l("Change (+ or -)"), validators=[InputRequired(), NumberRange(min=-INT_MAX, max=INT_MAX)],
                            description=_l('For example -2 for two broken units, 3 for three found.'))
    reason = StringField(_l('Reason'), validators=[DataRequired(), Length(max=500)])


class LocationForm(Form):
    code = StringField(_l('New location code'), validators=[DataRequired(), Length(max=40)],
                       description=_l('Zone-aisle-bay-level, e.g. A-01-02-1.'))


class LocationLimitsForm(Form):
    minimum = IntegerField(_l('Minimum'), validators=[Optional(), NumberRange(min=0, max=INT_MAX)],
                           description=_l('Replenish when fewer units than this are left; empty: not a pick location.'))
    capacity = IntegerField(_l('Capacity'), validators=[Optional(), NumberRange(min=1, max=INT_MAX)],
                            description=_l('The units it holds when full: what it is refilled up to.'))
