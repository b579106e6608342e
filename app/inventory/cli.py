"""Stock commands for scripts: moving units between locations."""
import json

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from app.inventory import services


stock_cli = AppGroup('stock', help='Stock at locations.')


def register(app: Flask) -> None:
    app.cli.add_command(stock_cli)


@stock_cli.command('move')
@click.argument('sku')
@click.argument('quantity', type=click.IntRange(min=1))
@click.argument('from_code', metavar='FROM')
@click.argument('to_code', metavar='TO')
@click.option('--note', default='', help='Why, written to the ledger.')
@click.option('--json', 'as_json', is_flag=True, help='Print the result as one JSON object.')
def move(sku, quantity, from_code, to_code, note, as_json):
    """Move QUANTITY units of SKU from location FROM to TO (created when new); allocations follow."""
    try:
        product = db.session.scalar(sa.select(Product).where(Product.sku == sku))
        if product is None:
            raise UserError(f'no product with SKU {sku}')
        done = services.move_stock(product, services.get_location(from_code), services.get_or_create_location(to_code),
                                   quantity, actor=None, note=note)
    except UserError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    if as_json:
        click.echo(json.dumps({'sku': done.sku, 'from': done.from_code, 'to': done.to_code,
                               'quantity': done.quantity, 'allocated': done.allocated}, ensure_ascii=False))
    else:
        click.echo(f'moved {done.quantity} x {done.sku} from {done.from_code} to {done.to_code} '
                   f'({done.allocated} allocated units followed)')
