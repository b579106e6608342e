"""The sender: delivers due outbox messages by SMTP, each one once, with retries and backoff.

Each message goes through three short transactions, and no transaction is open while the SMTP
server is talked to (on SQLite an open writing transaction would hold the database's write lock):

1. **Claim** (commit): pick the oldest due ``queued`` message, locked with ``FOR UPDATE SKIP
   LOCKED`` on PostgreSQL (SQLite has one writer at a time: its transactions begin with the
   write lock), and set it to ``sending`` with the claim time and a random claim token, by an
   ``UPDATE ... WHERE status = 'queued'`` that must change exactly one row.  Two senders running
   at once (two consumers, the periodic task and ``flask mail send``) never claim one message.
2. **Send**: hand the message to the SMTP server.
3. **Record** (commit): ``sent`` once the server accepted it, else back to ``queued`` with one
   more attempt, the error and ``next_attempt_at`` later by an exponential backoff (1 minute,
   doubling, at most 6 hours); ``failed`` after ``MAX_ATTEMPTS`` attempts, or at once when the
   server refuses the recipient for good (5xx).  The update only applies while the row still
   holds this run's claim token.

A message left in ``sending`` means a sender died between 1 and 3.  Whether the server got it
cannot be known, so it is not sent again at once: only after ``CLAIM_TIMEOUT`` (far longer than a
send can take) does it go back to ``queued``, counted as an attempt and with a note in
``last_error``.  The one case that sends twice is a crash (or a lost database) after the server
accepted the message and before step 3 committed; the copy carries the same Message-ID header,
which lets mail systems recognise it.  Losing the message instead would be worse: a confirmation
that never arrives is noticed by the customer, a duplicate rarely matters.
"""
import dataclasses
import datetime as dt
import logging
import secrets
import smtplib
import ssl
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime

import sqlalchemy as sa
from flask import current_app

from app.database import utcnow
from app.extensions import db
from app.notifications.models import EmailMessage
from importers.base import JST


logger = logging.getLogger(__name__)

#: after this many attempts a message is marked failed (a manager can queue it again)
MAX_ATTEMPTS = 10
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_RETRY = dt.timedelta(hours=6)
#: a message claimed longer ago than this was left behind by a sender that stopped
CLAIM_TIMEOUT = dt.timedelta(minutes=10)
#: seconds an SMTP connection may wait for the server at each step
SMTP_TIMEOUT = 30
#: messages one run sends at most (the periodic task runs again a minute later)
RUN_LIMIT = 500


def mail_configured() -> bool:
    return bool(current_app.config.get('MAIL_SERVER'))


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: 1, 2, 4, ... minutes, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


@dataclasses.dataclass
class SendResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    #: messages left in `sending` by a stopped sender, put back in the queue
    released: int = 0
    #: why nothing was sent (no SMTP server configured), else ''
    skipped: str = ''
    #: the error that stopped the run early (the server cannot be reached), else ''
    stopped: str = ''

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Claim:
    """A claimed message, with what sending it needs (read before the claim was committed)."""

    id: int
    token: str
    attempts: int
    to_address: str
    message: MimeMessage | None
    #: why the message cannot be built at all (a malformed address), else ''
    unbuildable: str


class ServerUnavailable(Exception):
    """Connecting, TLS or login failed: no message can be sent in this run."""


def build_mime(message: EmailMessage, mail_from: str) -> MimeMessage:
    """The message as MIME: UTF-8, RFC 2047 encoded headers, text and (if any) HTML alternatives."""
    mime = MimeMessage(policy=policy.SMTP)
    mime['Subject'] = message.subject
    mime['From'] = Address(display_name=message.from_name, addr_spec=mail_from)
    mime['To'] = Address(display_name=message.to_name, addr_spec=message.to_address)
    if message.reply_to:
        mime['Reply-To'] = message.reply_to
    mime['Date'] = format_datetime(message.created_at.astimezone(JST))
    mime['Message-ID'] = message.message_id
    # RFC 3834: an automatic message; vacation responders should not answer it
    mime['Auto-Submitted'] = 'auto-generated'
    # base64 whatever the line lengths: every relay passes it, 8bit needs the server's 8BITMIME
    mime.set_content(message.text_body, charset='utf-8', cte='base64')
    if message.html_body.strip():
        mime.add_alternative(message.html_body, subtype='html', charset='utf-8', cte='base64')
    return mime


def release_stale_claims(now: dt.datetime) -> int:
    """Put messages whose sender stopped mid-send back in the queue (see the module docstring)."""
    result = db.session.execute(
        sa.update(EmailMessage)
        .where(EmailMessage.status == 'sending', EmailMessage.claimed_at < now - CLAIM_TIMEOUT)
        .values(status='queued', claim_token=None, claimed_at=None, next_attempt_at=now,
                attempts=EmailMessage.attempts + 1,
                last_error='The sender stopped while sending this message; it is sent again and may arrive twice.')
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount:
        logger.warning('%d e-mail messages were left in sending by a stopped sender and are queued again',
                       result.rowcount)
    return result.rowcount


def claim_next(now: dt.datetime, mail_from: str) -> Claim | None:
    """Claim the oldest due message and commit the claim; None when nothing is due."""
    while True:
        message = db.session.scalars(
            sa.select(EmailMessage)
            .where(EmailMessage.status == 'queued', EmailMessage.next_attempt_at <= now)
            .order_by(EmailMessage.next_attempt_at, EmailMessage.id).limit(1)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)).first()
        if message is None:
            db.session.commit()
            return None
        token = secrets.token_hex(16)
        claimed = db.session.execute(
            sa.update(EmailMessage).where(EmailMessage.id == message.id, EmailMessage.status == 'queued')
            .values(status='sending', claimed_at=now, claim_token=token)
            .execution_options(synchronize_session=False)).rowcount
        if claimed != 1:  # another sender was quicker (only possible without the row lock)
            db.session.commit()
            continue
        try:
            mime, unbuildable = build_mime(message, mail_from), ''
        except (ValueError, TypeError, IndexError) as exc:
            mime, unbuildable = None, f'The message cannot be written as MIME: {exc}'
        claim = Claim(message.id, token, message.attempts, message.to_address, mime, unbuildable)
        db.session.commit()
        return claim


def _record(claim: Claim, now: dt.datetime, *, sent: bool = False, error: str = '', permanent: bool = False) -> str:
    """Store how the attempt ended, if this run still holds the claim; returns the new status."""
    attempts = claim.attempts + 1
    if sent:
        values = {'status': 'sent', 'sent_at': now, 'last_error': ''}
    elif permanent or attempts >= MAX_ATTEMPTS:
        values = {'status': 'failed', 'last_error': error}
    else:
        values = {'status': 'queued', 'last_error': error, 'next_attempt_at': now + backoff(attempts)}
    result = db.session.execute(
        sa.update(EmailMessage)
        .where(EmailMessage.id == claim.id, EmailMessage.claim_token == claim.token,
               EmailMessage.status == 'sending')
        .values(attempts=attempts, claim_token=None, claimed_at=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount != 1:
        logger.warning('E-mail %d: the claim was taken back before the result (%s) was stored', claim.id,
                       values['status'])
    return values['status']


def _connect(config) -> smtplib.SMTP:
    """An SMTP connection, with STARTTLS (or TLS from the start on port 465) and login as configured."""
    host, port = config['MAIL_SERVER'], int(config['MAIL_PORT'])
    try:
        if config['MAIL_USE_TLS'] and port == 465:
            smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        try:
            smtp.ehlo()
            if config['MAIL_USE_TLS'] and port != 465:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config['MAIL_USERNAME']:
                smtp.login(config['MAIL_USERNAME'], config['MAIL_PASSWORD'])
        except BaseException:
            smtp.close()
            raise
    except (OSError, smtplib.SMTPException) as exc:
        raise ServerUnavailable(f'{host}:{port}: {describe_error(exc)}') from exc
    return smtp


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return '; '.join(f'{address}: {code} {_text(reply)}' for address, (code, reply) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f'{exc.smtp_code} {_text(exc.smtp_error)}'
    return f'{type(exc).__name__}: {exc}'


def _text(reply) -> str:
    return reply.decode('utf-8', 'replace') if isinstance(reply, bytes) else str(reply)


def _close(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def send_due(*, limit: int = RUN_LIMIT) -> SendResult:
    """Deliver the due messages (at most `limit`); commits per message.  Does nothing without MAIL_SERVER."""
    config = current_app.config
    result = SendResult()
    if not mail_configured():
        result.skipped = 'MAIL_SERVER is not set: messages stay in the outbox.'
        return result
    if not config.get('MAIL_FROM'):
        result.skipped = 'MAIL_FROM is not set: messages stay in the outbox.'
        logger.error('MAIL_SERVER is set but MAIL_FROM is not: no e-mail is sent')
        return result
    result.released = release_stale_claims(utcnow())
    smtp = None
    try:
        while result.sent + result.retrying + result.failed < limit:
            claim = claim_next(utcnow(), config['MAIL_FROM'])
            if claim is None:
                break
            if claim.message is None:
                _count(result, _record(claim, utcnow(), error=claim.unbuildable, permanent=True))
                continue
            try:
                smtp = smtp or _connect(config)
                smtp.send_message(claim.message, from_addr=config['MAIL_FROM'], to_addrs=[claim.to_address])
            except ServerUnavailable as exc:
                # the server is down or refuses us: this message counts an attempt, the others wait for the next run
                _count(result, _record(claim, utcnow(), error=str(exc)))
                result.stopped = str(exc)
                break
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _reply in exc.recipients.values()]
                _count(result, _record(claim, utcnow(), error=describe_error(exc),
                                       permanent=all(500 <= code < 600 for code in codes)))
                smtp = _reset(smtp)
            except Exception as exc:  # noqa: BLE001  refused (4xx/5xx), the connection broke, or anything else
                # try again later, on a new connection; the server did not accept the message
                _count(result, _record(claim, utcnow(), error=describe_error(exc)))
                smtp = _reset(smtp)
            else:
                _count(result, _record(claim, utcnow(), sent=True))
    finally:
        _close(smtp)
        db.session.rollback()
    if result.sent or result.retrying or result.failed:
        logger.info('Mail sender: %d sent, %d to retry, %d failed', result.sent, result.retrying, result.failed)
    return result


def _reset(smtp: smtplib.SMTP | None) -> None:
    _close(smtp)
    return None


def _count(result: SendResult, status: str) -> None:
    if status == 'sent':
        result.sent += 1
    elif status == 'failed':
        result.failed += 1
    else:
        result.retrying += 1
