"""``flask mail send`` (one sender run, for cron and tests) and ``flask mail list`` (the outbox)."""
import json

import click
import sqlalchemy as sa

from app.extensions import db
from app.notifications import bp
from app.notifications.models import STATUSES, EmailMessage
from app.notifications.sender import send_due
from importers.base import JST


@bp.cli.command('send')
@click.option('--json', 'as_json', is_flag=True, help='Print the result as one JSON object.')
def send(as_json):
    """Deliver the due messages of the outbox once (the background consumer does this every minute)."""
    result = send_due()
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(EmailMessage)
                                .where(EmailMessage.status == 'queued'))
    db.session.rollback()
    if as_json:
        click.echo(json.dumps({**result.as_dict(), 'queued': waiting}, ensure_ascii=False))
        return
    if result.skipped:
        click.echo(f'{result.skipped} {waiting} queued.')
        return
    click.echo(f'{result.sent} sent, {result.retrying} to retry, {result.failed} failed, {waiting} queued')
    if result.released:
        click.echo(f'{result.released} left in sending by a stopped sender were queued again', err=True)
    if result.stopped:
        click.echo(f'stopped: {result.stopped}', err=True)


@bp.cli.command('list')
@click.option('--status', type=click.Choice(STATUSES), help='Only messages with this status.')
@click.option('--limit', type=int, default=50, show_default=True, help='The newest this many.')
def list_messages(status, limit):
    """The newest messages of the outbox: id, created (JST), status, attempts, recipient, subject."""
    query = sa.select(EmailMessage).order_by(EmailMessage.id.desc()).limit(limit)
    if status:
        query = query.where(EmailMessage.status == status)
    for m in db.session.scalars(query):
        click.echo(f'{m.id}\t{m.created_at.astimezone(JST):%Y-%m-%d %H:%M}\t{m.status}\t{m.attempts}\t'
                   f'{m.to_address}\t{m.subject}' + (f'\t{m.last_error}' if m.last_error else ''))
    db.session.rollback()
