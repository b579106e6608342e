"""Command-line interface: thin wrappers around importers, exporters and services.

Each command commits once, at the end, when it succeeded.  Exit codes: 0 done, 1 the file was
read but had problems (nothing saved), 2 the file or the arguments were refused.
"""
import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from app.accounts.models import User
from app.accounts.services import create_user as create
from app.analysis import cli as analysis_cli
from app.channels import cli as channels_cli
from app.demo import seed
from app.errors import UserError
from app.extensions import db
from app.files import EXPORTERS, IMPORTERS
from app.fulfilment import cli as fulfilment_cli
from app.inventory import cli as inventory_cli
from app.operations import cli as operations_cli
from app.orders.allocation import allocate as allocate_all
from app.orders.importing import import_order_files
from app.returns import cli as returns_cli
from app.stocktake import cli as stocktake_cli
from importers.base import FileRefused


users_cli = AppGroup('users', help='Staff accounts.')
export_cli = AppGroup('export', help='Write a CSV export to a file.')


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(export_cli)
    app.cli.add_command(import_products)
    app.cli.add_command(import_stock)
    app.cli.add_command(import_orders)
    app.cli.add_command(allocate)
    app.cli.add_command(seed_demo)
    analysis_cli.register(app)
    fulfilment_cli.register(app)
    channels_cli.register(app)
    inventory_cli.register(app)
    operations_cli.register(app)
    stocktake_cli.register(app)
    returns_cli.register(app)


def _read_password(email: str) -> str:
    if sys.stdin.isatty():
        return click.prompt(f'Password for {email}', hide_input=True, confirmation_prompt=True)
    password = sys.stdin.readline().rstrip('\r\n')
    if not password:
        raise click.UsageError('no password on standard input')
    return password


@users_cli.command('create')
@click.argument('email')
@click.option('--role', type=click.Choice(['admin', 'manager', 'clerk', 'packer']), required=True)
@click.option('--name', default='', help='Display name (defaults to the e-mail address).')
@click.option('--locale', type=click.Choice(['ja', 'en']), default='ja')
def create_user(email, role, name, locale):
    """Create a staff account; the password is asked on the terminal or read from stdin."""
    password = _read_password(email)
    try:
        user = create(email, name, password, role, locale=locale)
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f'created {user.email} ({user.role})')


@users_cli.command('list')
def list_users():
    """List staff accounts."""
    for user in db.session.scalars(sa.select(User).order_by(User.email)):
        click.echo(f'{user.email}\t{user.role}\t{"active" if user.active else "inactive"}\t{user.name}')


def _run_import(kind: str, path: Path, as_json: bool) -> None:
    try:
        result = IMPORTERS[kind](path.read_bytes(), path.name)
    except FileRefused as exc:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({'file': path.name, 'refused': exc.message}, ensure_ascii=False))
        else:
            click.echo(f'refused: {exc}', err=True)
        sys.exit(2)
    if result.ok:
        db.session.commit()
    else:
        db.session.rollback()
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        if result.ok:
            click.echo(f'{path.name}: {result.created} created, {result.updated} updated, '
                       f'{result.unchanged} unchanged')
        else:
            click.echo(f'{path.name}: {len(result.problems)} problems, nothing was saved', err=True)
    if not result.ok:
        sys.exit(1)


_file_argument = click.argument('file', type=click.Path(exists=True, dir_okay=False, path_type=Path))


@click.command('import-products')
@_file_argument
@click.option('--json', 'as_json', is_flag=True, help='Print the result as one JSON object.')
def import_products(file, as_json):
    """Create or update products from a CSV (sku,name,jan,price,tax_rate,weight_g,active)."""
    _run_import('products', file, as_json)


@click.command('import-stock')
@_file_argument
@click.option('--json', 'as_json', is_flag=True, help='Print the result as one JSON object.')
def import_stock(file, as_json):
    """Receive stock from a CSV (sku,location,quantity); new locations are created."""
    _run_import('stock', file, as_json)


@click.command('import-orders')
@click.option('--channel', type=click.Choice(['auto', 'rakuten', 'amazon', 'yahoo', 'shopify', 'kura']),
              default='auto', show_default=True, help='The file format; auto recognises it from the header.')
@click.argument('files', nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--dry-run', is_flag=True, help='Read and check everything, write nothing.')
@click.option('--json', 'as_json', is_flag=True, help='Print the result as one JSON object.')
def import_orders(channel, files, dry_run, as_json):
    """Import order files from a mall (Yahoo: the orders and the items file together).

    Exit 0 when the files were processed, even with rejected orders; 2 when a file was refused.
    """
    try:
        summary = import_order_files(channel, [(f.name, f.read_bytes()) for f in files], dry_run=dry_run)
    except FileRefused as exc:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({'refused': {'file': exc.filename, 'message': exc.message}}, ensure_ascii=False))
        else:
            click.echo(f'refused: {exc}', err=True)
        sys.exit(2)
    if dry_run:
        db.session.rollback()
        summary.orders_created = len(summary.planned)
        summary.lines_created = sum(len(p.record.lines) for p in summary.planned)
    else:
        db.session.commit()
    if as_json:
        result = summary.as_dict()
        if dry_run:
            result['dry_run'] = True
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    for problem in summary.problems:
        click.echo(str(problem), err=True)
    verb = 'would create' if dry_run else 'created'
    click.echo(f'{", ".join(f.name for f in files)} ({summary.channel}): {verb} {summary.orders_created} orders '
               f'with {summary.lines_created} lines; {summary.duplicates} duplicates, {summary.on_hold} on hold, '
               f'{summary.rejected} rejected')


def _export(kind: str, output: Path, encoding: str, **filters) -> None:
    try:
        result = EXPORTERS[kind](encoding=encoding, **filters)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    output.write_bytes(result.content)
    click.echo(f'wrote {output} ({len(result.content)} bytes)')


_output_option = click.option('-o', '--output', type=click.Path(dir_okay=False, path_type=Path), required=True)
_encoding_option = click.option('--encoding', type=click.Choice(['utf-8', 'cp932']), default='utf-8',
                                help='utf-8 (with BOM, for Excel) or cp932 (Shift_JIS).')


@export_cli.command('products')
@_output_option
@_encoding_option
def export_products(output, encoding):
    """All products, in the product import's own layout."""
    _export('products', output, encoding)


@export_cli.command('stock')
@_output_option
@_encoding_option
def export_stock(output, encoding):
    """Stock per product and location: sku,location,on_hand,allocated,available."""
    _export('stock', output, encoding)


@export_cli.command('daily-shipments')
@click.option('--date', 'day', type=click.DateTime(['%Y-%m-%d']), required=True, help='The day (JST).')
@click.option('--format', 'file_format', type=click.Choice(['csv', 'xlsx']), default='csv')
@_output_option
@_encoding_option
def export_daily_shipments(day, file_format, output, encoding):
    """The parcels shipped on a day: CSV, or XLSX with totals by carrier and channel."""
    _export('daily-shipments', output, encoding, day=day.date(), format=file_format)


@export_cli.command('orders')
@click.option('--from', 'date_from', type=click.DateTime(['%Y-%m-%d']), help='First order day (JST).')
@click.option('--to', 'date_to', type=click.DateTime(['%Y-%m-%d']), help='Last order day (JST), included.')
@_output_option
@_encoding_option
def export_orders(date_from, date_to, output, encoding):
    """Orders, one row per line, ordered between --from and --to (JST days)."""
    _export('orders', output, encoding, date_from=date_from and date_from.date(),
            date_to=date_to and date_to.date())


@export_cli.command('returns')
@click.option('--from', 'date_from', type=click.DateTime(['%Y-%m-%d']), required=True,
              help='First day a return was opened (JST).')
@click.option('--to', 'date_to', type=click.DateTime(['%Y-%m-%d']), required=True, help='Last day (JST), included.')
@_output_option
@_encoding_option
def export_returns(date_from, date_to, output, encoding):
    """Returns opened between --from and --to (JST days), one row per returned line."""
    _export('returns', output, encoding, date_from=date_from.date(), date_to=date_to.date())


@click.command('allocate')
@click.option('--json', 'as_json', is_flag=True, help='Print the result as one JSON object.')
def allocate(as_json):
    """Allocate stock to every eligible order, oldest first (priority before age)."""
    result = allocate_all()
    db.session.commit()
    if as_json:
        click.echo(json.dumps(result.as_dict()))
    else:
        click.echo(f'{result.allocated_orders} orders allocated, {result.backordered_orders} backordered, '
                   f'{result.waiting_on_hold} waiting on a hold')


@click.command('seed-demo')
@click.option('--if-empty', is_flag=True, help='Only when the database has no users yet (first run).')
def seed_demo(if_empty):
    """Load the demo shop (products, locations, stock, one user per role); safe to run twice."""
    if if_empty and db.session.scalar(sa.select(User.id).limit(1)) is not None:
        click.echo('the database already has users: demo data not loaded')
        return
    summary = seed()
    db.session.commit()
    click.echo(summary)
