"""Reading and changing settings: typed, with defaults, every change audited.

The shop's own settings and the order rules, which several areas read, live here: reading them
never makes one area import another.
"""
import dataclasses

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.services import record_audit
from app.errors import UserError
from app.extensions import db
from app.settings.models import Setting


@dataclasses.dataclass(frozen=True)
class OrderRules:
    """When an arriving order is held, and how stock is allocated per channel."""

    #: bank transfer and convenience-store orders wait until the money is in
    hold_payment_pending: bool = True
    #: a customer's comment may ask for something (a date, a gift message): a clerk reads it first
    hold_customer_comment: bool = True
    #: hold when the requested delivery date is more than this many days ahead (0: never)
    hold_delivery_days: int = 14
    #: hold cash-on-delivery orders above this amount in yen (0: never)
    hold_cod_over: int = 100_000
    #: channels whose orders are allocated line by line, the rest backordered; others only whole
    partial_channels: tuple[str, ...] = ()
    #: combine (同梱) orders of the same buyer to the same address by themselves
    auto_combine: bool = False
    #: orders in by this Japan time (HH:MM) are meant to leave the same day; the floor report measures it
    shipping_cutoff: str = '14:00'


def load_settings(key: str, cls):
    """A settings dataclass from its stored JSON, with the code's defaults for anything not stored."""
    stored = db.session.scalar(sa.select(Setting.value).where(Setting.key == key)) or {}
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in stored:
            value = stored[f.name]
            values[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**values)


def save_settings(key: str, settings, *, actor):
    """Store a settings dataclass; the change (before and after) goes to the audit log."""
    def plain(obj):
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(obj).items()}

    before, after = plain(load_settings(key, type(settings))), plain(settings)
    setting = db.session.get(Setting, key)
    if setting is None:
        setting = Setting(key=key, value=after, updated_by_id=actor and actor.id)
        db.session.add(setting)
    else:
        setting.value, setting.updated_by_id = after, actor and actor.id
    db.session.flush()
    if before != after:
        record_audit(actor, 'settings.changed', setting, before=before, after=after)
    return settings


def order_rules() -> OrderRules:
    return load_settings('order_rules', OrderRules)


def save_order_rules(rules: OrderRules, *, actor) -> OrderRules:
    if rules.hold_delivery_days < 0 or rules.hold_cod_over < 0:
        raise UserError(_l('Thresholds must be 0 (off) or more.'))
    return save_settings('order_rules', rules, actor=actor)


@dataclasses.dataclass(frozen=True)
class ShopSettings:
    """What the shop charges and offers; a manager edits these on the settings screen."""

    shop_name: str = '茶と器の店 蔵'
    #: yen, tax included (10%), per order
    shipping_fee: int = 700
    #: orders whose goods cost at least this ship free (0: never)
    free_shipping_over: int = 10_000
    #: yen, tax included (10%), added to cash-on-delivery orders
    cod_fee: int = 330
    #: the earliest delivery date a customer may ask for, in days from today
    earliest_delivery_days: int = 2
    #: how far ahead a delivery date may be asked for
    delivery_window_days: int = 14
    #: the carriers' standard time slots
    time_slots: tuple[str, ...] = ('午前中', '14-16', '16-18', '18-20', '19-21')
    #: "only a few left" from this many available units down
    few_left: int = 5
    #: where bank-transfer customers send the money; in the confirmation e-mail and on the thank-you page
    bank_account: str = ''


def shop_settings() -> ShopSettings:
    return load_settings('shop', ShopSettings)


def save_shop_settings(settings: ShopSettings, *, actor) -> ShopSettings:
    for name in ('shipping_fee', 'free_shipping_over', 'cod_fee', 'earliest_delivery_days', 'delivery_window_days',
                 'few_left'):
        if getattr(settings, name) < 0:
            raise UserError(_l('Amounts and days must be 0 or more.'), field=name)
    if not settings.time_slots:
        raise UserError(_l('Offer at least one time slot.'), field='time_slots')
    return save_settings('shop', settings, actor=actor)


@dataclasses.dataclass(frozen=True)
class PrivacySettings:
    """How long customers' personal data is kept (個人情報の保存期間); an administrator edits these.

    Per channel: the days after an order was shipped or cancelled after which the nightly task erases
    the buyer's and recipient's name, kana, street address, phone and e-mail (0: kept).  Amazon's
    Data Protection Policy asks sellers to delete a customer's data 30 days after the order was
    delivered, so Amazon starts at 30; the shop's own and the other malls' customers start kept,
    for the shop to decide (docs/operations.md#personal-data).
    """

    store_days: int = 0
    rakuten_days: int = 0
    amazon_days: int = 30
    yahoo_days: int = 0
    shopify_days: int = 0
    kura_days: int = 0
    manual_days: int = 0
    #: days the log of who viewed, exported or printed personal data is kept
    access_log_days: int = 365

    def retention_days(self, channel: str) -> int:
        return getattr(self, f'{channel}_days', 0)


#: the longest either period may be: about ten years, beyond the 7 years of the accounting records
MAX_PRIVACY_DAYS = 3660


def privacy_settings() -> PrivacySettings:
    return load_settings('privacy', PrivacySettings)


def save_privacy_settings(settings: PrivacySettings, *, actor) -> PrivacySettings:
    for f in dataclasses.fields(settings):
        if not 0 <= getattr(settings, f.name) <= MAX_PRIVACY_DAYS:
            raise UserError(_l('Days must be between 0 and %(most)d.', most=MAX_PRIVACY_DAYS), field=f.name)
    if settings.access_log_days == 0:
        raise UserError(_l('Keep the access log for at least one day.'), field='access_log_days')
    return save_settings('privacy', settings, actor=actor)
