"""Stocktake forms: starting a count, approving it, and the recount thresholds."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.database import INT_MAX
from app.stocktake.services import MAX_CYCLE_DAYS
from app.web.forms import Form


class StartCountForm(Form):
    scope = RadioField(_l('Count'), choices=[('all', _l('Every location')),
                                             ('prefix', _l('Locations whose code starts with')),
                                             ('list', _l('These locations')),
                                             ('products', _l('These products, wherever they are'))],
                       default='prefix', validators=[InputRequired()])
    text = TextAreaField(_l('Prefix, location codes or SKUs'), validators=[Length(max=20000)],
                         description=_l('A prefix such as A-01; or codes or SKUs separated by commas or new lines.'))
    blind = BooleanField(_l('Blind: the counter does not see what the book expects'), default=True)


class CycleCountForm(Form):
    limit = IntegerField(_l('Count the first due locations'), default=20,
                         validators=[Optional(), NumberRange(min=1, max=INT_MAX)],
                         description=_l('Used when no location is ticked.'))
    blind = BooleanField(_l('Blind: the counter does not see what the book expects'), default=True)


class ApproveForm(Form):
    reason = StringField(_l('Reason'), validators=[DataRequired(), Length(max=500)],
                         description=_l('Written to the ledger with every correction.'))


def _threshold(label, description):
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=0, max=INT_MAX)], description=description)


def _interval(label):
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=1, max=MAX_CYCLE_DAYS)])


class StocktakeSettingsForm(Form):
    recount_units = _threshold(_l('Recount a line off by this many units or more'), _l('0: no threshold.'))
    recount_percent = _threshold(_l('Recount a line off by this percentage of the book or more'),
                                 _l('0: no threshold.'))
    recount_yen = _threshold(_l('Recount a line whose variance is worth this many yen or more'),
                             _l('0: no threshold.'))

    cycle_days = _interval(_l('Count every location at least every (days)'))
    cycle_a_days = _interval(_l('A location holding a class A product (days)'))
    cycle_b_days = _interval(_l('A location holding a class B product (days)'))
    cycle_c_days = _interval(_l('A location holding a class C product (days)'))
