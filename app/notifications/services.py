"""The outbox: e-mail written in the caller's transaction, the templates and the mail settings.

Nothing here talks to an SMTP server.  ``queue_email`` renders a message and adds it to the
``email_messages`` table in the current transaction (flush, never commit), so a message exists
exactly when the event that caused it was committed; the sender (sender.py) delivers it later.
After a commit that queued mail, the sender is woken through huey (when SMTP is configured);
the periodic sender picks up anything else within a minute.
"""
import dataclasses
import logging
from email.utils import make_msgid

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.accounts.services import clean_email, record_audit
from app.catalog.models import Product
from app.channels.models import Oversell
from app.database import utcnow
from app.errors import UserError
from app.extensions import db
from app.fulfilment.services import parcel_orders
from app.notifications.models import EmailMessage, EmailTemplate
from app.notifications.sender import mail_configured
from app.notifications.tasks import send_outbox
from app.notifications.templating import (
    KINDS,
    LOCALES,
    CompiledTemplate,
    Rendered,
    TemplateProblem,
    TemplateSource,
    compiled,
    default_source,
    order_context,
    oversell_context,
    return_context,
    shipping_context,
)
from app.orders.models import OWN_CHANNELS, Order
from app.orders.services import record_audit_many
from app.settings.services import load_settings, save_settings, shop_settings


logger = logging.getLogger(__name__)

CHUNK = 500
SETTING_KEY = 'mail'


# ------------------------------------------------------------------------------------------ settings


@dataclasses.dataclass(frozen=True)
class MailSettings:
    """Which orders are confirmed by e-mail, and what every message says about the shop.

    The shop's name (in subjects and as the sender's name) is the shop settings' ``shop_name``.
    """

    #: confirm imported mall orders too (the malls send their own confirmation, so off by default)
    send_mall_order_confirmation: bool = False
    #: tell buyers of mall orders of the shipment too (the malls do, once the tracking numbers are uploaded)
    send_mall_shipping_confirmation: bool = False
    #: where customers' replies go (Reply-To), when not to MAIL_FROM
    reply_to: str = ''
    #: the closing block of every message (shop name, address, telephone, web site)
    signature: str = ''


def mail_settings() -> MailSettings:
    return load_settings(SETTING_KEY, MailSettings)


def save_mail_settings(settings: MailSettings, *, actor) -> MailSettings:
    settings = dataclasses.replace(settings, reply_to=settings.reply_to.strip(),
                                   signature=settings.signature.strip('\n'))
    if settings.reply_to:
        clean_email(settings.reply_to, field='reply_to')
    return save_settings(SETTING_KEY, settings, actor=actor)


def shop_name() -> str:
    return shop_settings().shop_name


def shop_context(settings: MailSettings | None = None) -> dict:
    """``shop`` in templates: name, signature, reply_to."""
    settings = settings or mail_settings()
    return {'name': shop_name(), 'signature': settings.signature, 'reply_to': settings.reply_to,
            'bank_account': shop_settings().bank_account}


# ----------------------------------------------------------------------------------------- templates


def _check_kind(kind: str, locale: str) -> None:
    if kind not in KINDS or locale not in LOCALES:
        raise UserError(_l('Unknown message template %(kind)s/%(locale)s.', kind=kind, locale=locale))


def stored_template(kind: str, locale: str) -> EmailTemplate | None:
    return db.session.scalar(sa.select(EmailTemplate).where(EmailTemplate.kind == kind,
                                                            EmailTemplate.locale == locale))


def template_source(kind: str, locale: str) -> TemplateSource:
    """The manager's version of a template when there is one, else the default."""
    row = stored_template(kind, locale)
    if row is None:
        return default_source(kind, locale)
    return TemplateSource(row.subject, row.text_body, row.html_body, default=False)


class Renderer:
    """Renders messages of one kind and language; parsed once, for one message or a whole import.

    A stored template was checked when it was saved, but an order may still hold something the
    sample orders did not (it is data a customer typed); a message is never lost to a broken
    template: the default renders it instead, and the problem is logged.
    """

    def __init__(self, kind: str, locale: str):
        _check_kind(kind, locale)
        self.kind, self.locale = kind, locale
        source = template_source(kind, locale)
        self.default = None if source.default else compiled(default_source(kind, locale))
        try:
            self.template = compiled(source)
        except TemplateProblem:
            logger.exception('Stored %s/%s template does not parse; the default is used', kind, locale)
            self.template, self.default = compiled(default_source(kind, locale)), None

    def render(self, context: dict) -> Rendered:
        try:
            return self.template.render(context)
        except TemplateProblem:
            if self.default is None:
                raise
            logger.exception('Stored %s/%s template failed to render; the default is used', self.kind, self.locale)
            return self.default.render(context)


def check_template(kind: str, locale: str, source: TemplateSource, *, settings: MailSettings | None = None) -> Rendered:
    """Render `source` with every sample of its kind; the first rendering is the preview.

    :raise UserError: the template does not parse or render; says which part, which line, what
    """
    _check_kind(kind, locale)
    shop = shop_context(settings)
    try:
        parsed = CompiledTemplate(source)
        renderings = [parsed.render(context) for context in KINDS[kind].samples(locale, shop)]
    except TemplateProblem as exc:
        raise UserError(_l('%(part)s, line %(line)s: %(message)s', part=PART_LABELS[exc.part],
                           line=exc.line or '?', message=exc.message), field=exc.part) from None
    return renderings[0]


PART_LABELS = {'subject': _l('Subject'), 'text_body': _l('Plain text'), 'html_body': _l('HTML')}


def save_template(kind: str, locale: str, source: TemplateSource, *, actor) -> EmailTemplate:
    """Store a manager's version of a template, after checking that it renders."""
    check_template(kind, locale, source)
    row = stored_template(kind, locale)
    before = None
    if row is None:
        row = EmailTemplate(kind=kind, locale=locale)
        db.session.add(row)
    else:
        before = {'subject': row.subject, 'text_body': row.text_body, 'html_body': row.html_body}
    row.subject, row.text_body, row.html_body = source.subject, source.text_body, source.html_body
    row.updated_by_id, row.updated_at = actor and actor.id, utcnow()
    db.session.flush()
    record_audit(actor, 'email_template.saved', row, before=before,
                 after={'subject': row.subject, 'text_body': row.text_body, 'html_body': row.html_body})
    return row


def reset_template(kind: str, locale: str, *, actor) -> bool:
    """Go back to the default template; False when there was no stored version."""
    _check_kind(kind, locale)
    row = stored_template(kind, locale)
    if row is None:
        return False
    record_audit(actor, 'email_template.reset', row, before={'subject': row.subject, 'text_body': row.text_body,
                                                             'html_body': row.html_body})
    db.session.delete(row)
    db.session.flush()
    return True


# ------------------------------------------------------------------------------------------- outbox


def message_id_domain() -> str:
    """The right-hand side of Message-IDs: the sending address's domain (fixed when the message is written)."""
    sender = current_app.config.get('MAIL_FROM') or ''
    return sender.rpartition('@')[2].strip('> ') or 'kura.localhost'


def valid_address(address: str) -> bool:
    """Whether a message can go to `address` (clean_email() takes it)."""
    try:
        clean_email(address)
    except UserError:
        return False
    return True


def _one_line(text: str, limit: int) -> str:
    """A display name for a header: no line breaks (they would end the header), not longer than its column."""
    return ' '.join((text or '').split())[:limit]


def _message_values(kind: str, to: str, rendered: Rendered, *, locale: str, to_name: str, shop: dict,
                    order_id: int | None, domain: str) -> dict:
    return {'kind': kind, 'to_address': to, 'to_name': _one_line(to_name, 200),
            'from_name': _one_line(shop['name'], 200),
            'reply_to': shop['reply_to'], 'locale': locale, 'subject': rendered.subject,
            'text_body': rendered.text_body, 'html_body': rendered.html_body, 'status': 'queued', 'attempts': 0,
            'last_error': '', 'next_attempt_at': utcnow(), 'message_id': make_msgid('kura', domain=domain),
            'order_id': order_id}


def queue_email(kind: str, to: str, context: dict, *, locale: str = 'ja', order: Order | None = None,
                to_name: str = '', actor=None, renderer: Renderer | None = None) -> EmailMessage:
    """Render a message of `kind` and add it to the outbox in the current transaction (flush, no commit).

    :param context: what the template may use (for orders: ``templating.order_context``)
    :param order: the order it is about; the order's timeline shows the message
    :raise UserError: `to` is not an e-mail address, or the kind or language is unknown
    """
    to = clean_email(to, field='to')
    rendered = (renderer or Renderer(kind, locale)).render(context)
    shop = context.get('shop') or shop_context()
    message = EmailMessage(**_message_values(kind, to, rendered, locale=locale, to_name=to_name, shop=shop,
                                             order_id=order.id if order is not None else None,
                                             domain=message_id_domain()))
    db.session.add(message)
    db.session.flush()
    if order is not None:
        record_audit(actor, 'order.email', order, after={'kind': kind, 'to': to, 'message': message.id})
    wake_sender_after_commit()
    logger.info('E-mail %s queued for %s (%s)', kind, to, order.number if order is not None else '-')
    return message


def queue_oversell_alerts(oversell_ids: list[int]) -> int:
    """Write to every active manager (in the language of their screens) about these oversells.

    :return: how many messages were queued
    """
    rows = db.session.execute(
        sa.select(Oversell, Product.sku, Product.name, Order)
        .join(Product, Oversell.product_id == Product.id).outerjoin(Order, Oversell.order_id == Order.id)
        .where(Oversell.id.in_(oversell_ids)).order_by(Product.sku, Oversell.channel)).all()
    if not rows:
        return 0
    oversells = [{'sku': sku, 'name': name, 'channel': o.channel, 'short': o.short,
                  'order_number': order.number if order is not None else ''} for o, sku, name, order in rows]
    managers = db.session.scalars(sa.select(User).where(User.role == 'manager', User.active.is_(True))
                                  .order_by(User.id)).all()
    shop = shop_context()
    queued = 0
    for manager in managers:
        locale = manager.locale if manager.locale in ('ja', 'en') else 'ja'
        queue_email('oversell_alert', manager.email, oversell_context(oversells, locale, shop), locale=locale,
                    to_name=manager.name)
        queued += 1
    logger.info('oversell alert queued for %d managers (%d oversells)', queued, len(rows))
    return queued


def queue_order_confirmation(order: Order, *, actor=None, locale: str | None = None) -> EmailMessage | None:
    """Queue the order confirmation (受注確認メール) for `order`, in the customer's language unless `locale` says
    otherwise; None when it has no usable e-mail address.

    Runs in the caller's transaction: the message is committed with the order, or not at all.
    """
    if not valid_address((order.buyer_email or '').strip()):
        return None
    locale = locale or order.locale
    context = order_context(order, locale, shop_context())
    return queue_email('order_confirmation', order.buyer_email, context, locale=locale, order=order,
                       to_name=order.buyer_name or order.ship_name, actor=actor)


def queue_shipping_confirmation(shipment, *, orders: list | None = None, actor=None,
                                locale: str | None = None) -> EmailMessage | None:
    """Queue the shipping confirmation (発送完了メール) of a parcel, with its carrier and tracking number, in
    the language its order was placed in unless `locale` says otherwise.

    One message per parcel, to the buyer of the parcel's order (orders combined into it are listed
    in it).  None when that order has no usable e-mail address, or is a mall order and the mail
    settings leave mall orders to the mall.

    :param orders: the parcel's orders, its own first, when the caller has them
    """
    order = shipment.order
    if not valid_address((order.buyer_email or '').strip()):
        return None
    if order.channel not in OWN_CHANNELS and not mail_settings().send_mall_shipping_confirmation:
        return None
    locale = locale or order.locale
    context = shipping_context(shipment, orders or parcel_orders(order), locale, shop_context())
    return queue_email('shipping_confirmation', order.buyer_email, context, locale=locale, order=order,
                       to_name=order.buyer_name or order.ship_name, actor=actor)


def queue_return_email(kind: str, ret, *, refund=None, actor=None) -> EmailMessage | None:
    """Queue a message about a return (approved, received, refund made) to the order's buyer, in the language the
    order was placed in; None when there is no usable address, or a mall order's mail is left to the mall."""
    order = ret.order
    if not valid_address((order.buyer_email or '').strip()):
        return None
    if order.channel not in OWN_CHANNELS and not mail_settings().send_mall_shipping_confirmation:
        return None
    context = return_context(ret, order.locale, shop_context(), refund)
    return queue_email(kind, order.buyer_email, context, locale=order.locale, order=order,
                       to_name=order.buyer_name or order.ship_name, actor=actor)


def queue_order_confirmations(order_ids: list[int], *, actor=None, locale: str = 'ja') -> int:
    """Confirmations for many orders at once (a mall import): set-based inserts, per chunk; returns how many.

    Orders without a usable e-mail address are skipped.
    """
    if not order_ids:
        return 0
    shop = shop_context()
    renderer = Renderer('order_confirmation', locale)
    domain, queued = message_id_domain(), 0
    for start in range(0, len(order_ids), CHUNK):
        orders = db.session.scalars(
            sa.select(Order).where(Order.id.in_(order_ids[start:start + CHUNK]), Order.buyer_email != '')
            .options(so.selectinload(Order.lines)).order_by(Order.id)).all()
        rows = []
        for order in orders:
            to = order.buyer_email.strip()
            if not valid_address(to):
                continue
            rendered = renderer.render(order_context(order, locale, shop))
            rows.append(_message_values('order_confirmation', to, rendered, locale=locale,
                                        to_name=order.buyer_name or order.ship_name, shop=shop,
                                        order_id=order.id, domain=domain))
        if not rows:
            continue
        ids = db.session.execute(sa.insert(EmailMessage).returning(EmailMessage.id, sort_by_parameter_order=True),
                                 rows).scalars().all()
        record_audit_many(actor, 'order.email', [row['order_id'] for row in rows], after=[
            {'kind': 'order_confirmation', 'to': row['to_address'], 'message': message_id}
            for row, message_id in zip(rows, ids, strict=True)])
        queued += len(rows)
    if queued:
        wake_sender_after_commit()
    logger.info('%d order confirmations queued for %d orders', queued, len(order_ids))
    return queued


def requeue(message: EmailMessage, *, actor) -> EmailMessage:
    """Give a failed message a fresh series of attempts, from now."""
    if message.status != 'failed':
        raise UserError(_l('Only a failed message can be sent again.'))
    before = {'status': message.status, 'attempts': message.attempts, 'last_error': message.last_error}
    message.status, message.attempts, message.next_attempt_at = 'queued', 0, utcnow()
    record_audit(actor, 'email.requeued', message, before=before, after={'status': 'queued'})
    db.session.flush()
    wake_sender_after_commit()
    return message


# ---------------------------------------------------------------------------- waking the sender


_WAKE = 'kura_wake_mail_sender'


def wake_sender_after_commit() -> None:
    """Ask for the sender to run as soon as this transaction has committed (not before: it would find nothing)."""
    db.session.info[_WAKE] = True


@sa.event.listens_for(db.session, 'after_commit')
def _after_commit(session) -> None:
    if session.info.pop(_WAKE, False):
        if not mail_configured():
            return
        try:
            send_outbox()
        except Exception:  # the queue being down must not fail the commit that already happened
            logger.exception('Could not wake the mail sender; the periodic run will send the mail')


@sa.event.listens_for(db.session, 'after_rollback')
def _after_rollback(session) -> None:
    session.info.pop(_WAKE, None)
