"""Returns for scripts: the reasons, opening a return, receiving its units.

Exit codes: 0 done, 2 refused (the message says which line or unit and why; nothing is saved).
"""
import json

import click
from flask.cli import AppGroup

from app.errors import UserError
from app.extensions import db
from app.orders.models import Order
from app.returns import services


returns_cli = AppGroup('returns', help='Returns (返品): reasons, opening, receiving.')


def _refused(exc: UserError, as_json: bool):
    db.session.rollback()
    message = str(exc)
    click.echo(json.dumps({'refused': message}, ensure_ascii=False) if as_json else f'refused: {message}', err=True)
    raise SystemExit(2)


@returns_cli.command('reasons')
@click.option('--json', 'as_json', is_flag=True)
def list_reasons(as_json):
    """The return reasons: key, fault, whether an exchange ships at once, Japanese and English labels."""
    services.ensure_default_reasons()
    db.session.commit()
    rows = services.reasons(active_only=False)
    if as_json:
        click.echo(json.dumps([{'key': r.key, 'fault': r.fault, 'ship_at_once': r.ship_at_once, 'active': r.active,
                                'ja': r.label_ja, 'en': r.label_en} for r in rows], ensure_ascii=False))
        return
    for r in rows:
        flags = ' '.join(f for f, on in (('ship-at-once', r.ship_at_once), ('inactive', not r.active)) if on)
        click.echo(f'{r.key}\t{r.fault}\t{r.label_ja}\t{r.label_en}' + (f'\t{flags}' if flags else ''))


@returns_cli.command('open')
@click.argument('order_number')
@click.option('--line', 'lines', multiple=True, required=True, help='SKU:QTY:REASON, once per product.')
@click.option('--json', 'as_json', is_flag=True)
def open_return(order_number, lines, as_json):
    """Open a return of shipped units of an order."""
    try:
        order_id = Order.id_from_number(order_number)
        order = db.session.get(Order, order_id) if order_id else None
        if order is None:
            raise UserError(f'there is no order {order_number}')
        ret = services.open_return(order, [services.parse_line_spec(spec) for spec in lines], actor=None,
                                   source='cli')
    except UserError as exc:
        _refused(exc, as_json)
    result = {'return': ret.number, 'lines': len(ret.lines)}
    db.session.commit()
    click.echo(json.dumps(result) if as_json else f'{result["return"]}: {result["lines"]} lines')


@returns_cli.command('receive')
@click.argument('return_number')
@click.option('--unit', 'units', multiple=True, required=True, help='SKU:GRADE, once per unit.')
@click.option('--location', default='', help='Where sellable units go (default: the shelf they came from).')
@click.option('--json', 'as_json', is_flag=True)
def receive(return_number, units, location, as_json):
    """Receive and grade units of a return: sellable, quarantine, scrap or supplier."""
    try:
        ret = services.get_return(return_number)
        receipt = services.receive_units(ret, [services.parse_unit_spec(spec, location) for spec in units],
                                         actor=None)
    except UserError as exc:
        _refused(exc, as_json)
    result = receipt.as_dict()
    db.session.commit()
    click.echo(json.dumps(result) if as_json else
               f'{result["return"]}: {result["received"]} of {result["expected"]} units received ({result["state"]})')


def register(app) -> None:
    app.cli.add_command(returns_cli)
