"""Mail settings and message template forms: input checks only (templates are checked by the service)."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.web.forms import Form


class MailSettingsForm(Form):
    reply_to = StringField(_l('Reply-To address'), validators=[Length(max=254)],
                           description=_l('Where customers’ replies go; empty: to the sending address of the '
                                          'server’s settings.'))
    signature = TextAreaField(_l('Signature'), validators=[Length(max=2000)], render_kw={'rows': 5},
                              description=_l('The closing block of every message: shop name, address, telephone, '
                                             'web site.'))
    send_mall_order_confirmation = BooleanField(
        _l('Send the order confirmation for imported mall orders too'),
        description=_l('The malls confirm their orders themselves; turn this on only if your shop sends its own.'))
    send_mall_shipping_confirmation = BooleanField(
        _l('Send the shipping confirmation for mall orders too'),
        description=_l('The malls tell their buyers once the tracking numbers are uploaded; orders from the '
                       'shop always get it.'))


class TemplateForm(Form):
    subject = StringField(_l('Subject'), validators=[InputRequired(), Length(max=2000)])
    text_body = TextAreaField(_l('Plain text'), validators=[InputRequired(), Length(max=100_000)],
                              render_kw={'rows': 22, 'spellcheck': 'false'})
    html_body = TextAreaField(_l('HTML'), validators=[Length(max=200_000)],
                              render_kw={'rows': 16, 'spellcheck': 'false'},
                              description=_l('Empty: the message is sent as plain text only.'))
