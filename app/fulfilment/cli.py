"""Floor commands for scripts and cron: pick batches, documents, carrier files, tracking numbers, shipping."""
import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.errors import UserError
from app.extensions import db
from app.fulfilment import carrier_files, documents, queries, services
from app.fulfilment.models import CARRIERS, PickBatch, TrackingRange
from app.orders.models import Order


pick_cli = AppGroup('pick', help='Pick batches.')
labels_cli = AppGroup('labels', help='Print documents to PDF files.')
tracking_cli = AppGroup('tracking', help="Carriers' tracking number ranges.")


def _batch(code: str) -> PickBatch:
    batch = db.session.scalar(sa.select(PickBatch).where(PickBatch.code == code))
    if batch is None:
        raise click.ClickException(f'no pick batch {code}')
    return batch


@pick_cli.command('create')
@click.option('--carrier', type=click.Choice(CARRIERS))
@click.option('--channel')
@click.option('--json', 'as_json', is_flag=True)
def create_batch(carrier, channel, as_json):
    """Make a pick batch of every allocated, unheld parcel (that matches the filters)."""
    batch = services.create_pick_batch(carrier=carrier, channel=channel)
    db.session.commit()
    orders = services.batch_orders(batch) if batch else []
    lines = sum(len(o.lines) for o in orders)
    result = {'batch': batch.code if batch else None, 'orders': len(orders), 'lines': lines}
    click.echo(json.dumps(result) if as_json else
               (f'{batch.code}: {len(orders)} orders, {lines} lines' if batch else 'nothing to pick'))


@labels_cli.command('picklist')
@click.argument('batch_code')
@click.option('-o', '--output', type=click.Path(dir_okay=False, path_type=Path), required=True)
def picklist(batch_code, output):
    """The pick list of a batch."""
    output.write_bytes(documents.pick_list_pdf(_batch(batch_code)))
    click.echo(f'wrote {output}')


@labels_cli.command('shipping')
@click.argument('order_number')
@click.option('-o', '--output', type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option('--layout', type=click.Choice(documents.LABEL_LAYOUTS), default='4x6')
def shipping(order_number, output, layout):
    """Reprint the shipping label of a packed order (the reprint is logged)."""
    order_id = Order.id_from_number(order_number)
    shipment = services.shipment_of(order_id) if order_id else None
    if shipment is None:
        raise click.ClickException(f'order {order_number} is not packed: it has no label')
    output.write_bytes(documents.shipping_labels_pdf([shipment], layout=layout))
    services.label_printed(shipment, actor=None, where='CLI')
    db.session.commit()
    click.echo(f'wrote {output}')


@click.command('ship')
@click.option('--batch', 'batch_code', required=True)
def ship(batch_code):
    """Ship every packed, scan-verified parcel of a batch; the others are listed with their reason."""
    shipped, refused = services.ship_batch(_batch(batch_code), actor=None)
    db.session.commit()
    for reason in refused:
        click.echo(reason, err=True)
    click.echo(f'{shipped} parcels shipped, {len(refused)} not')


@tracking_cli.command('add-range')
@click.option('--carrier', type=click.Choice(CARRIERS), required=True)
@click.argument('first')
@click.argument('last')
@click.option('--warn-below', type=int, default=500)
def add_range(carrier, first, last, warn_below):
    """Add a block of tracking numbers (11-digit bodies or full 12-digit numbers) the carrier assigned."""
    try:
        tracking_range = services.add_tracking_range(carrier, first, last, warn_below=warn_below, actor=None)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f'{carrier}: {tracking_range.remaining} numbers')


@tracking_cli.command('status')
def tracking_status():
    """How many tracking numbers are left per carrier."""
    for tracking_range in db.session.scalars(sa.select(TrackingRange).order_by(TrackingRange.carrier)):
        warn = '  LOW' if tracking_range.remaining < tracking_range.warn_below else ''
        click.echo(f'{tracking_range.carrier}\t{tracking_range.remaining} left{warn}')


@click.command('import-tracking')
@click.option('--carrier', type=click.Choice(CARRIERS), required=True)
@click.argument('file', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--json', 'as_json', is_flag=True)
def import_tracking(carrier, file, as_json):
    """Read the tracking numbers the carrier's software issued and set them on the packed parcels."""
    from importers.base import FileRefused

    try:
        tracking_file = carrier_files.read_tracking(carrier, file.read_bytes(), file.name)
    except FileRefused as exc:
        click.echo(json.dumps({'refused': {'file': exc.filename, 'message': exc.message}}, ensure_ascii=False)
                   if as_json else f'refused: {exc}', err=not as_json)
        raise SystemExit(2) from None
    result = carrier_files.import_tracking(tracking_file, actor=None)
    db.session.commit()
    report = {**result.as_dict(), 'problems': [{'line': p.line, 'field': p.field, 'value': p.value,
                                                'message': p.message} for p in tracking_file.problems]}
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        for name in result.LISTS:
            click.echo(f'{name}: {len(getattr(result, name))}')
        for problem in tracking_file.problems:
            click.echo(str(problem), err=True)


def _write(result, output: Path) -> None:
    output.write_bytes(result.content)
    for warning in [*getattr(result, 'warnings', ()), *getattr(result, 'unmatched_windows', ())]:
        click.echo(f'warning: {warning}', err=True)
    click.echo(f'wrote {output} ({len(result.content)} bytes)')


def export_carrier(carrier, batch_code, output):
    """A carrier's label file for the parcels of a batch (CP932; every cut address is a warning)."""
    _write(carrier_files.export_batch(_batch(batch_code), carrier), output)


def export_mall_shipping(channel, day, output):
    """A mall's shipping confirmation upload for the orders shipped on a day (JST)."""
    _write(queries.mall_confirmations(channel, day.date()), output)


def register(app) -> None:
    app.cli.add_command(pick_cli)
    app.cli.add_command(labels_cli)
    app.cli.add_command(tracking_cli)
    app.cli.add_command(ship)
    app.cli.add_command(import_tracking)
    export = app.cli.commands['export']
    export.command('carrier')(
        click.option('--carrier', type=click.Choice(CARRIERS), required=True)(
            click.option('--batch', 'batch_code', required=True)(
                click.option('-o', '--output', type=click.Path(dir_okay=False, path_type=Path), required=True)(
                    export_carrier))))
    export.command('mall-shipping')(
        click.option('--channel', type=click.Choice(['rakuten', 'amazon', 'yahoo']), required=True)(
            click.option('--date', 'day', type=click.DateTime(['%Y-%m-%d']), required=True)(
                click.option('-o', '--output', type=click.Path(dir_okay=False, path_type=Path), required=True)(
                    export_mall_shipping))))

