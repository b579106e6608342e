"""Jinja filters and globals shared by every screen."""
import datetime as dt

from flask import g, request, url_for
from flask_babel import format_datetime, get_locale
from flask_login import current_user

from app.accounts.models import ROLE_LABELS, USER_EVENT_LABELS
from app.orders import vocabulary as v
from app.orders.models import CARRIERS
from app.settings.services import shop_settings
from app.storefront.services import stock_label
from app.web import access
from app.web.barcodes import screen_barcode
from exporters.carriers.addressing import addressee


def yen(value) -> str:
    return '' if value is None else f'¥{value:,}'


def jst(value: dt.datetime | None, fmt: str = 'yyyy-MM-dd HH:mm') -> str:
    """A stored UTC time as shown to people: Japan time."""
    return '' if value is None else format_datetime(value, fmt)


def postal(value: str | None) -> str:
    return f'{value[:3]}-{value[3:]}' if value and len(value) == 7 else (value or '')


def url_with(**overrides) -> str:
    """The current page's URL with some query arguments replaced (for sort links and pagers)."""
    args = request.args.to_dict()
    args.update(overrides)
    args = {k: v for k, v in args.items() if v not in ('', None)}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def can(*roles: str) -> bool:
    return current_user.is_authenticated and current_user.has_role(*roles)


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def user_event_label(action: str) -> str:
    """A user account's audit action as its page says it; an action without a label as an order's would read."""
    return str(USER_EVENT_LABELS[action]) if action in USER_EVENT_LABELS else v.event_label(action)


def reason_label(reason: str) -> str:
    from flask_babel import gettext as _

    labels = {'receipt': _('Receipt'), 'adjustment': _('Adjustment'), 'shipment': _('Shipment'),
              'return': _('Return'), 'stocktake': _('Stocktake'), 'transfer': _('Transfer')}
    return labels.get(reason, reason)


def problems_of(source) -> list[dict]:
    """An import's problems as dicts, from a finished batch or from a preview."""
    problems = source.problems if source is not None else []
    return [p if isinstance(p, dict) else p.as_dict() for p in problems]


def shop_name() -> str:
    """The shop's name, read once per request however often a page shows it."""
    if 'shop_name' not in g:
        g.shop_name = shop_settings().shop_name
    return g.shop_name


def tracking_list_label(name: str) -> str:
    from flask_babel import gettext as _

    return {'matched': _('matched'), 'unchanged': _('already set (same number)'), 'unknown_order': _('unknown order'),
            'duplicate': _('duplicate number'), 'bad_check_digit': _('bad check digit'),
            'already_set': _('order has another number')}.get(name, name)




def batch_filters(filters: dict | None) -> str:
    """What a pick batch was made of, in words: 'Carrier: Yamato Transport · Single-item orders only'."""
    from flask_babel import gettext as _

    parts = []
    for key, value in (filters or {}).items():
        if key == 'carrier':
            parts.append(_('%(label)s: %(value)s', label=_('Carrier'), value=v.CARRIER_LABELS.get(value, value)))
        elif key == 'channel':
            parts.append(_('%(label)s: %(value)s', label=_('Channel'), value=v.CHANNEL_LABELS.get(value, value)))
        elif key == 'delivery_date':
            parts.append(_('%(label)s: %(value)s', label=_('Requested delivery date'), value=value))
        elif key == 'single_item':
            parts.append(_('Single-item orders only') if value else _('Multi-item orders only'))
        else:
            parts.append(f'{key}: {value}')
    return ' · '.join(parts) or _('All')


def register(app):
    # addressee: the name with 様, or 御中 for a company, as the labels and carrier files write it
    app.jinja_env.filters.update(yen=yen, jst=jst, postal=postal, addressee=addressee)
    app.jinja_env.globals.update(get_locale=get_locale, url_with=url_with, can=can, roles=access, role_label=role_label,
                                user_event_label=user_event_label, reason_label=reason_label, problems_of=problems_of,
                                channel_label=v.label_function(v.CHANNEL_LABELS),
                                source_label=v.label_function(v.SOURCE_LABELS),
                                status_label=v.label_function(v.STATUS_LABELS),
                                payment_label=v.label_function(v.PAYMENT_LABELS),
                                payment_status_label=v.label_function(v.PAYMENT_STATUS_LABELS),
                                hold_label=v.label_function(v.HOLD_LABELS), describe_event=v.describe_event,
                                event_note=v.event_note, shop_name=shop_name, stock_label=stock_label,
                                tracking_list_label=tracking_list_label, batch_filters=batch_filters,
                                carrier_label=v.label_function(v.CARRIER_LABELS), carriers=CARRIERS,
                                barcode_svg=screen_barcode)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
