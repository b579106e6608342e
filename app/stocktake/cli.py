"""Stocktake commands for scripts: start a count, record a location, approve (docs/operations.md#stocktakes)."""
import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.accounts.models import User
from app.errors import UserError
from app.extensions import db
from app.stocktake import documents, services
from app.stocktake.models import CountLocation


stocktake_cli = AppGroup('stocktake', help='Stocktakes (棚卸し): counts without stopping the floor.')


def register(app) -> None:
    app.cli.add_command(stocktake_cli)


def _done(result: dict, text: str, as_json: bool) -> None:
    db.session.commit()
    click.echo(json.dumps(result, ensure_ascii=False) if as_json else text)


def _refused(exc: UserError):
    db.session.rollback()
    return click.ClickException(str(exc))


def _user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise UserError(f'no user {email}')
    return user


@stocktake_cli.command('start')
@click.option('--locations', 'locations', metavar='PREFIX|CODE,CODE...',
              help='The locations whose code starts with PREFIX, or a comma-separated list of codes.')
@click.option('--products', metavar='SKU,SKU...', help='These products, at every location that holds them.')
@click.option('--blind/--no-blind', default=True, show_default=True,
              help='Whether the counter sees what the book expects.')
@click.option('--json', 'as_json', is_flag=True)
def start(locations, products, blind, as_json):
    """Start a count (of every location when neither --locations nor --products is given)."""
    try:
        count = services.start_count(
            prefix=locations if locations is not None and ',' not in locations else None,
            location_codes=services.split_codes(locations) if locations is not None and ',' in locations else None,
            skus=services.split_codes(products) if products is not None else None, blind=blind, actor=None)
    except UserError as exc:
        raise _refused(exc) from None
    n = db.session.scalar(sa.select(sa.func.count(CountLocation.id)).where(CountLocation.count_id == count.id))
    _done({'count': count.number, 'locations': n}, f'{count.number}: {n} locations', as_json)


@stocktake_cli.command('record')
@click.argument('count_number', metavar='COUNT')
@click.option('--location', required=True, help='The location counted.')
@click.argument('pairs', nargs=-1, metavar='SKU:QTY...')
@click.option('--user', 'email', help='Who counted (a recount must name someone other than the first counter).')
@click.option('--json', 'as_json', is_flag=True)
def record(count_number, location, pairs, email, as_json):
    """What one location holds; a product booked there and not named is counted as 0 (an empty shelf: no pairs)."""
    try:
        actor = _user(email) if email else None
        count = services.get_count(count_number)
        recorded = services.record_location(count, location, services.quantities_by_sku(list(pairs)), actor=actor)
    except UserError as exc:
        raise _refused(exc) from None
    result = {'count': count.number, 'location': recorded.location, 'products': recorded.products,
              'units': recorded.units, 'recount': recorded.recount, 'recounts_asked': recorded.recounts_asked,
              'state': count.state}
    _done(result, f'{count.number} {recorded.location}: {recorded.units} units of {recorded.products} products'
          + (' (recount)' if recorded.recount else '')
          + (f', {recorded.recounts_asked} to be recounted by another person' if recorded.recounts_asked else ''),
          as_json)


@stocktake_cli.command('approve')
@click.argument('count_number', metavar='COUNT')
@click.option('--reason', default='stocktake approved from the command line', show_default=True)
@click.option('--json', 'as_json', is_flag=True)
def approve(count_number, reason, as_json):
    """Approve a counted count: one `stocktake` ledger row per level whose count differs from the book."""
    try:
        count = services.get_count(count_number)
        applied = services.approve(count, actor=None, reason=reason)
    except UserError as exc:
        raise _refused(exc) from None
    variances = [a.as_dict() for a in applied if a.variance]
    lines = '\n'.join(f"{v['location']}\t{v['sku']}\t{v['variance']:+d}" for v in variances)
    text = f'{count.number}: {len(applied)} lines approved, {len(variances)} corrected'
    _done({'count': count.number, 'lines': len(applied), 'variances': variances},
          text + ('\n' + lines if lines else ''), as_json)


@stocktake_cli.command('sheet')
@click.argument('count_number', metavar='COUNT')
@click.option('-o', '--output', type=click.Path(dir_okay=False, path_type=Path), required=True)
def sheet(count_number, output):
    """The count sheet as PDF: locations in walking order with barcodes; no quantities on a blind count's."""
    try:
        count = services.get_count(count_number)
    except UserError as exc:
        raise _refused(exc) from None
    output.write_bytes(documents.count_sheet_pdf(count))
    click.echo(f'wrote {output}')


@stocktake_cli.command('propose')
@click.option('--limit', type=click.IntRange(min=1), help='Only the first N due locations.')
@click.option('--start', is_flag=True, help='Start a count of them (blind).')
@click.option('--json', 'as_json', is_flag=True)
def propose(limit, start, as_json):
    """The locations the cycle-count schedule says to count now, oldest first; --start counts them."""
    due = services.proposed_cycle_counts()
    chosen = due[:limit] if limit else due
    result = {'due': len(due), 'locations': [d.as_dict() for d in chosen]}
    lines = [f"{d.code}\t{d.last_counted.isoformat() if d.last_counted else 'never'}\t{d.interval_days}\t{d.classes}"
             for d in chosen]
    text = f'{len(due)} locations due' + ''.join('\n' + line for line in lines)
    if start:
        try:
            count = services.start_cycle_count(limit=limit or max(len(due), 1), actor=None)
        except UserError as exc:
            raise _refused(exc) from None
        result['count'] = count.number
        text += f'\n{count.number} started: {len(chosen)} locations'
        _done(result, text, as_json)
    else:
        click.echo(json.dumps(result, ensure_ascii=False) if as_json else text)
