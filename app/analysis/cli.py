"""`flask report`: the figures of the report screens, written to a file for a script or a spreadsheet."""
import json
from pathlib import Path

import click
from flask import Flask

from app.analysis import services
from app.errors import UserError


def register(app: Flask) -> None:
    app.cli.add_command(report)


@click.command('report')
@click.argument('subject', type=click.Choice(services.SUBJECTS))
@click.option('--from', 'date_from', type=click.DateTime(['%Y-%m-%d']), required=True, help='First day (JST).')
@click.option('--to', 'date_to', type=click.DateTime(['%Y-%m-%d']), required=True, help='Last day (JST), included.')
@click.option('--channel', default='', help='Only this channel (rakuten, amazon, ...); every channel if not given.')
@click.option('--basis', type=click.Choice(['ordered', 'shipped']), default='ordered',
              help='Count an order on the day it was ordered (default) or shipped.')
@click.option('--period', type=click.Choice(services.PERIODS), default='day', help='Sales only: rows per day, '
              'week or month.')
@click.option('--format', 'file_format', type=click.Choice(['csv', 'xlsx', 'json']), default='csv')
@click.option('--table', default=None, help='CSV only: which of the report\'s tables (default: the first).')
@click.option('--encoding', type=click.Choice(['utf-8', 'cp932']), default='utf-8',
              help='CSV: utf-8 (with BOM, for Excel) or cp932 (Shift_JIS).')
@click.option('-o', '--output', type=click.Path(dir_okay=False, path_type=Path), required=True)
def report(subject, date_from, date_to, channel, basis, period, file_format, table, encoding, output):
    """Write a report (sales, abc, floor, stock, reorder, holds) for JST days --from to --to.

    JSON has the figures the screens chart: `totals` and `rows` (the first table), `tables` and `charts`.
    Cancelled orders are left out.
    """
    try:
        filters = services.make_filters(date_from.date(), date_to.date(), basis, channel)
        result = services.REPORTS[subject](filters, period=period) if subject == 'sales' \
            else services.REPORTS[subject](filters)
        if file_format == 'json':
            content = json.dumps(result.as_json(), ensure_ascii=False, indent=1).encode()
        else:
            content = result.file(file_format, encoding=encoding, table=table).content
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    output.write_bytes(content)
    click.echo(f'wrote {output} ({len(content)} bytes)')
