"""flask export channel-stock: a mall's stock file, for cron or the mall's FTP upload job."""
import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.channels.models import STOCK_CHANNELS
from app.channels.services import make_stock_file
from app.errors import UserError
from app.extensions import db


@click.command('channel-stock')
@click.option('--channel', type=click.Choice(STOCK_CHANNELS), required=True)
@click.option('--full', is_flag=True, help='Every listing, not only those whose quantity changed.')
@click.option('-o', '--output', type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option('--json', 'as_json', is_flag=True, help='Print {"rows": n, "changed": n}.')
@with_appcontext
def export_channel_stock(channel, full, output, as_json):
    """The next stock file for a mall: the listings whose quantity changed since its last file (--full: all).

    The file is recorded as sent (the stock-sync screen lists it) and committed before it is written out.
    """
    try:
        record = make_stock_file(channel, full=full)
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    content, rows, changed = record.content, record.rows, record.changed
    db.session.commit()
    output.write_bytes(content)
    if as_json:
        click.echo(json.dumps({'rows': rows, 'changed': changed}))
    else:
        click.echo(f'wrote {output} ({rows} rows; {changed} listings changed)')


def register(app) -> None:
    # `flask export` is app.cli's group: the command is made once, at import, and joins it here, however many
    # apps a process creates
    app.cli.commands['export'].add_command(export_channel_stock)
