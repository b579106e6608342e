"""Erasing customers' personal data when it is no longer needed, and answering a person who asks what Kura holds.

What is personal: the buyer's and recipient's name, kana, street address (the lines below the city),
phone and e-mail, and what customers and clerks wrote about the order (its comment, the noshi
name).  What stays, for the reports and the 7-year accounting records: the prefecture, city and
postal code (which alone name an area, not a person), amounts, products, dates and statuses.

Redaction is set-based and idempotent: it runs on many orders at once with a handful of
statements, and an order already redacted is left alone.  It reaches the order's row, its
history (the audit events' before, after and note, in which every personal value is replaced),
its e-mails (recipient and bodies), the problems its import recorded, and any uploaded file still
kept that holds it.  Services flush, the caller commits.
"""
import dataclasses
import datetime as dt
import json
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import AuditEvent, PersonalDataAccess, User
from app.accounts.services import clean_email, record_audit
from app.database import in_ids, utcnow
from app.errors import UserError
from app.extensions import db
from app.jobs.models import UploadedFile
from app.notifications.models import EmailMessage
from app.orders.models import CHANNELS, ImportBatch, Order, OrderLine
from app.settings.services import privacy_settings
from importers.orders.normalize import phone as normalise_phone


#: the columns of an order that name or reach a person, erased by redaction
PERSONAL_COLUMNS = ('buyer_name', 'buyer_kana', 'buyer_email', 'buyer_phone', 'ship_name', 'ship_kana',
                    'ship_address1', 'ship_address2', 'ship_phone', 'customer_comment', 'noshi')
#: the order list's search keys made of them: erased too, or a name stays findable after it is gone
ERASED_SEARCH_KEYS = ('buyer_name_key', 'buyer_kana_key', 'ship_name_key', 'ship_kana_key', 'address_key')
#: what stands in a text (an audit note, an e-mail's subject) where a personal value was
REDACTED = '[redacted]'
#: how many orders one round of the nightly task redacts before it commits
CHUNK = 1000
#: values shorter than this are not searched for in texts, where they would match what is not theirs: a
#: Japanese name may have two characters, while a short ASCII value ('301', a room) names nobody
_SHORTEST = {'ascii': 4, 'other': 2}


def due_for_redaction(now: dt.datetime, *, limit: int = CHUNK) -> list[int]:
    """Ids of orders shipped or cancelled longer ago than their channel's retention days, not yet redacted.

    The day an order was shipped or cancelled is its last change (``updated_at``): a later edit,
    rare on a finished order, only postpones its redaction.
    """
    settings = privacy_settings()
    by_channel = [sa.and_(Order.channel == channel, Order.updated_at <= now - dt.timedelta(days=days))
                  for channel in CHANNELS if (days := settings.retention_days(channel)) > 0]
    if not by_channel:
        return []
    return list(db.session.scalars(
        sa.select(Order.id).where(Order.status.in_(('shipped', 'cancelled')), Order.redacted_at.is_(None),
                                  sa.or_(*by_channel)).order_by(Order.id).limit(limit)))


def redact_orders(order_ids: list[int], *, actor: User | None, why: str, now: dt.datetime | None = None) -> int:
    """Erase the personal data of these orders everywhere Kura keeps it; returns how many were redacted.

    :param why: the audit note of each order's ``order.redacted`` event (no personal data in it)
    """
    now = now or utcnow()
    dialect = db.session.get_bind().dialect
    rows = db.session.execute(
        sa.select(Order.id, Order.external_order_id, Order.import_batch_id,
                  *(getattr(Order, c) for c in PERSONAL_COLUMNS))
        .where(in_ids(Order.id, order_ids, dialect), Order.redacted_at.is_(None))).mappings().all()
    if not rows:
        return 0
    ids = [row['id'] for row in rows]
    values = _personal_values(rows)
    scrub = _scrubber(values)
    _redact_mail(ids, scrub, now, dialect)
    _redact_history(ids, scrub, dialect)
    _redact_import_problems(rows, scrub)
    _delete_uploads_holding(rows, values)
    db.session.execute(sa.update(Order).where(in_ids(Order.id, ids, dialect)).values(
        **dict.fromkeys(PERSONAL_COLUMNS + ERASED_SEARCH_KEYS, ''), redacted_at=now, updated_at=Order.updated_at)
        .execution_options(synchronize_session=False))
    db.session.execute(sa.insert(AuditEvent), [
        {'at': now, 'user_id': actor and actor.id, 'action': 'order.redacted', 'object_type': 'orders',
         'object_id': str(order_id), 'before': None, 'after': None, 'note': why} for order_id in ids])
    db.session.flush()
    return len(ids)


def _personal_values(rows) -> set[str]:
    """Every personal value of these orders as it may be written elsewhere: whole, and a phone with its separators."""
    values = set()
    for row in rows:
        for column in PERSONAL_COLUMNS:
            value = (row[column] or '').strip()
            # names are often written without the space, or with the other width of it
            values |= {value, re.sub(r'[\s\u3000]+', '', value)}
    return {v for v in values if len(v) >= _SHORTEST['ascii' if v.isascii() else 'other']}


def _scrubber(values: set[str]):
    """A function replacing every personal value (and a phone written with separators) in a text."""
    phones = {v for v in values if v.isdigit()}
    patterns = [re.escape(v) for v in sorted(values - phones, key=len, reverse=True)]
    # 03-1234-5678, 03 1234 5678, ０３－… : any one separator between the digits
    patterns += [r'\D?'.join(phone) for phone in sorted(phones, key=len, reverse=True)]
    if not patterns:
        return lambda text: text
    pattern = re.compile('|'.join(patterns))

    def scrub(value):
        if isinstance(value, str):
            return pattern.sub(REDACTED, value)
        if isinstance(value, dict):
            return {k: ('' if k in PERSONAL_COLUMNS and v else scrub(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value
    return scrub


def _redact_mail(order_ids, scrub, now, dialect) -> None:
    """Recipients and bodies of the orders' e-mails; one not yet sent never will be."""
    messages = db.session.execute(
        sa.select(EmailMessage.id, EmailMessage.subject, EmailMessage.last_error, EmailMessage.status)
        .where(in_ids(EmailMessage.order_id, order_ids, dialect))).all()
    if not messages:
        return
    body = f'{REDACTED} {now:%Y-%m-%d}'
    db.session.execute(sa.update(EmailMessage), [
        {'id': m.id, 'to_address': '', 'to_name': '', 'subject': scrub(m.subject), 'text_body': body, 'html_body': '',
         'last_error': scrub(m.last_error),
         'status': 'failed' if m.status in ('queued', 'sending') else m.status} for m in messages])


def _redact_history(order_ids, scrub, dialect) -> None:
    """The audit events of the orders and of their e-mails: personal values in before, after and note replaced."""
    message_ids = [str(i) for i in db.session.scalars(
        sa.select(EmailMessage.id).where(in_ids(EmailMessage.order_id, order_ids, dialect)))]
    keys = [str(i) for i in order_ids]
    events = db.session.execute(sa.select(AuditEvent.id, AuditEvent.before, AuditEvent.after, AuditEvent.note).where(
        sa.or_(sa.and_(AuditEvent.object_type == 'orders', in_ids(AuditEvent.object_id, keys, dialect)),
               sa.and_(AuditEvent.object_type == 'email_messages', in_ids(AuditEvent.object_id, message_ids, dialect)))
    )).all()
    changed = []
    for event in events:
        new = {'before': scrub(event.before), 'after': scrub(event.after), 'note': scrub(event.note)}
        if new != {'before': event.before, 'after': event.after, 'note': event.note}:
            changed.append({'id': event.id, **new})
    if changed:
        db.session.execute(sa.update(AuditEvent), changed)


def _redact_import_problems(rows, scrub) -> None:
    """What the orders' imports reported about their rows (a problem quotes the value it is about)."""
    batch_ids = {row['import_batch_id'] for row in rows if row['import_batch_id']}
    if not batch_ids:
        return
    changed = []
    for batch_id, problems in db.session.execute(
            sa.select(ImportBatch.id, ImportBatch.problems).where(ImportBatch.id.in_(batch_ids))):
        scrubbed = scrub(problems)
        if scrubbed != problems:
            changed.append({'id': batch_id, 'problems': scrubbed})
    if changed:
        db.session.execute(sa.update(ImportBatch), changed)


def _delete_uploads_holding(rows, values: set[str]) -> None:
    """Delete the uploaded files still kept (a failed import's, for a retry) that hold one of these orders."""
    needles = {row['external_order_id'] for row in rows if len(row['external_order_id']) >= 6} | values
    uploads = db.session.execute(sa.select(UploadedFile.id, UploadedFile.content)).all()
    holding = [upload.id for upload in uploads if _holds(_text_of(upload.content), needles)]
    if holding:
        db.session.execute(sa.delete(UploadedFile).where(UploadedFile.id.in_(holding)))


def _holds(text: str, needles: set[str]) -> bool:
    return any(needle in text for needle in needles)


def _text_of(content: bytes) -> str:
    for encoding in ('utf-8-sig', 'cp932', 'utf-16'):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode('latin-1')


def redact_due(now: dt.datetime | None = None) -> int:
    """One chunk of the nightly redaction: orders past their channel's retention; returns how many (0: none left).

    The caller commits after each chunk and calls again until it returns 0, so a first run on years
    of orders holds the write lock a chunk at a time.
    """
    now = now or utcnow()
    ids = due_for_redaction(now)
    return redact_orders(ids, actor=None, why='retention', now=now) if ids else 0


def prune_access_log(now: dt.datetime | None = None) -> int:
    """Delete the access log rows older than the privacy settings keep them; returns how many."""
    now = now or utcnow()
    days = privacy_settings().access_log_days
    result = db.session.execute(sa.delete(PersonalDataAccess)
                                .where(PersonalDataAccess.at < now - dt.timedelta(days=days)))
    return result.rowcount or 0


# ---------------------------------------------------------------------------------------------- data subjects


@dataclasses.dataclass
class Subject:
    """A person as a data-subject request names them, and what Kura holds about them."""

    email: str
    phone: str
    orders: list[Order]
    messages: list[EmailMessage]

    @property
    def found(self) -> bool:
        return bool(self.orders or self.messages)


def find_subject(email: str = '', phone: str = '') -> Subject:
    """The orders and e-mails of the person with this e-mail address or phone number (either, or both).

    The address is matched as typed and in lower case, the phone as digits (03-1234-5678 is
    0312345678), as orders store them.

    :raise UserError: neither given, or an address that is not one
    """
    email = (email or '').strip()
    digits = normalise_phone(phone or '')
    if not email and not digits:
        raise UserError(_l('Type an e-mail address or a phone number.'), field='email')
    if email:
        email = clean_email(email, field='email')
    if phone and phone.strip() and len(digits) < 6:
        raise UserError(_l('"%(phone)s" is not a phone number.', phone=phone.strip()), field='phone')
    addresses = sorted({email, email.lower()}) if email else []
    conditions = []
    if addresses:
        conditions.append(Order.buyer_email.in_(addresses))
    if digits:
        conditions += [Order.buyer_phone == digits, Order.ship_phone == digits]
    orders = db.session.scalars(sa.select(Order).where(sa.or_(*conditions)).order_by(Order.ordered_at, Order.id)).all()
    message_conditions = [EmailMessage.order_id.in_([o.id for o in orders])] if orders else []
    if addresses:
        message_conditions.append(EmailMessage.to_address.in_(addresses))
    messages = db.session.scalars(sa.select(EmailMessage).where(sa.or_(*message_conditions))
                                  .order_by(EmailMessage.id)).all() if message_conditions else []
    return Subject(email=email, phone=digits, orders=list(orders), messages=list(messages))


def export_subject(subject: Subject, *, actor: User) -> bytes:
    """Everything Kura holds about the person, as JSON (UTF-8); the export is audited on each order."""
    order_ids = [o.id for o in subject.orders]
    lines = db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id.in_(order_ids))
                               .order_by(OrderLine.order_id, OrderLine.line_no)).all() if order_ids else []
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.object_type == 'orders', AuditEvent.object_id.in_([str(i) for i in order_ids]))
        .order_by(AuditEvent.id)).all() if order_ids else []
    data = {
        'exported_at': utcnow().isoformat(),
        'query': {'email': subject.email, 'phone': subject.phone},
        'orders': [{
            **{attr.key: _plain(getattr(order, attr.key)) for attr in sa.inspect(Order).column_attrs},
            'number': order.number,
            'lines': [{'line_no': line.line_no, 'item_code': line.item_code, 'name': line.name,
                       'option_text': line.option_text, 'quantity': line.quantity, 'unit_price': line.unit_price,
                       'tax_rate': line.tax_rate} for line in lines if line.order_id == order.id],
        } for order in subject.orders],
        'emails': [{'id': m.id, 'kind': m.kind, 'to_address': m.to_address, 'to_name': m.to_name,
                    'subject': m.subject, 'text_body': m.text_body, 'status': m.status,
                    'created_at': _plain(m.created_at), 'sent_at': _plain(m.sent_at), 'order_id': m.order_id}
                   for m in subject.messages],
        'history': [{'at': _plain(e.at), 'order_id': int(e.object_id), 'action': e.action, 'before': e.before,
                     'after': e.after, 'note': e.note} for e in events],
    }
    _audit_request(actor, 'order.data_exported', subject)
    return json.dumps(data, ensure_ascii=False, indent=2).encode('utf-8')


#: an order in one of these is done with: its address is no longer needed to ship it
FINISHED = ('shipped', 'cancelled', 'returned')


def redact_subject(subject: Subject, *, actor: User) -> tuple[int, list[Order]]:
    """Erase the person's personal data at their request: their finished orders, as retention would, and e-mails
    to them that belong to no order.

    :return: how many orders were redacted, and the open orders left as they are (their parcel still needs the
        address: cancel or ship them, then erase again)
    """
    finished = [o.id for o in subject.orders if o.status in FINISHED]
    still_open = [o for o in subject.orders if o.status not in FINISHED]
    count = redact_orders(finished, actor=actor, why='data-subject request') if finished else 0
    loose = [m.id for m in subject.messages if m.order_id is None]
    if loose:
        db.session.execute(sa.update(EmailMessage), [
            {'id': i, 'to_address': '', 'to_name': '', 'text_body': REDACTED, 'html_body': ''} for i in loose])
    record_audit(actor, 'privacy.request', actor, note=f'redacted: {count} orders, {len(loose)} other e-mails, '
                                                      f'{len(still_open)} open orders left')
    db.session.flush()
    return count, still_open


def _audit_request(actor: User, action: str, subject: Subject) -> None:
    now = utcnow()
    if subject.orders:
        db.session.execute(sa.insert(AuditEvent), [
            {'at': now, 'user_id': actor.id, 'action': action, 'object_type': 'orders', 'object_id': str(o.id),
             'before': None, 'after': None, 'note': 'data-subject request'} for o in subject.orders])
    record_audit(actor, 'privacy.request', actor,
                 note=f'exported: {len(subject.orders)} orders, {len(subject.messages)} e-mails')
    db.session.flush()


def _plain(value):
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
