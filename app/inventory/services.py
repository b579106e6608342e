"""Every change of stock goes through change_stock(): it locks, checks, writes the level and the ledger."""
import logging
import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import User
from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from app.inventory.models import Location, MovementReason, StockLevel, StockMovement, Warehouse, walking_order_key


logger = logging.getLogger(__name__)

DEFAULT_WAREHOUSE_CODE = 'MAIN'
LOCATION_CODE_RE = re.compile(r'^[A-Z0-9][A-Z0-9-]{0,39}$')


def default_warehouse() -> Warehouse:
    """The warehouse stock goes to when none is named; Kura starts with one."""
    warehouse = db.session.scalar(sa.select(Warehouse).order_by(Warehouse.id).limit(1))
    if warehouse is None:
        warehouse = Warehouse(code=DEFAULT_WAREHOUSE_CODE, name='本社倉庫')
        db.session.add(warehouse)
        db.session.flush()
    return warehouse


def clean_location_code(code: str) -> str:
    code = (code or '').strip().upper()
    if not LOCATION_CODE_RE.match(code):
        raise UserError(_l('Location code "%(code)s" must be letters, digits and hyphens (e.g. A-01-02-1), '
                           'at most 40 characters.', code=code), field='location')
    return code


def find_location(code: str, warehouse: Warehouse | None = None) -> Location | None:
    warehouse = warehouse or default_warehouse()
    return db.session.scalar(sa.select(Location).where(Location.warehouse_id == warehouse.id,
                                                       Location.code == (code or '').strip().upper()))


def get_location(code: str, warehouse: Warehouse | None = None) -> Location:
    """The location with this code, or a UserError naming the unknown code."""
    location = find_location(code, warehouse)
    if location is None:
        raise UserError(_l('There is no location "%(code)s".', code=code), field='location')
    return location


def get_or_create_location(code: str, warehouse: Warehouse | None = None) -> Location:
    code = clean_location_code(code)
    warehouse = warehouse or default_warehouse()
    location = find_location(code, warehouse)
    if location is None:
        location = Location(warehouse=warehouse, code=code, sort_key=walking_order_key(code))
        db.session.add(location)
        db.session.flush()
    return location


def _lock_level(product_id: int, location_id: int) -> StockLevel:
    """The stock level row, created if missing and locked for the rest of the transaction.

    PostgreSQL: ``SELECT ... FOR UPDATE`` makes a concurrent change wait for our commit.
    SQLite: ignores FOR UPDATE, but every writing transaction already holds the database's
    single write lock from BEGIN (see app.database.configure_engine).
    """
    values = {'product_id': product_id, 'location_id': location_id, 'on_hand': 0, 'allocated': 0}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == 'postgresql' else sqlite.insert
    db.session.execute(insert(StockLevel).values(**values).on_conflict_do_nothing(
        index_elements=['product_id', 'location_id']))
    return db.session.execute(
        sa.select(StockLevel)
        .where(StockLevel.product_id == product_id, StockLevel.location_id == location_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def change_stock(product: Product, location: Location, *, on_hand_delta: int = 0, allocated_delta: int = 0,
                 reason: str | None = None, reference: str = '', note: str = '',
                 actor: User | None = None) -> StockLevel:
    """Change on-hand and/or allocated stock of one product at one location, or refuse with a message.

    Never lets on hand go below zero or below what is allocated, nor allocated below zero,
    whatever the database constraints would do.  A change of on hand writes one ledger row.
    """
    if on_hand_delta and reason not in MovementReason.ALL:
        raise ValueError(f'a change of on-hand stock needs a ledger reason, not {reason!r}')
    level = _lock_level(product.id, location.id)
    new_on_hand = level.on_hand + on_hand_delta
    new_allocated = level.allocated + allocated_delta
    if new_on_hand < 0:
        raise UserError(_l('%(sku)s at %(location)s: cannot take %(n)d, only %(on_hand)d on hand.',
                           sku=product.sku, location=location.code, n=-on_hand_delta, on_hand=level.on_hand),
                        field='quantity')
    if new_allocated < 0:
        raise UserError(_l('%(sku)s at %(location)s: cannot release %(n)d, only %(allocated)d allocated.',
                           sku=product.sku, location=location.code, n=-allocated_delta,
                           allocated=level.allocated), field='quantity')
    if new_allocated > new_on_hand:
        raise UserError(_l('%(sku)s at %(location)s: only %(available)d available (%(on_hand)d on hand, '
                           '%(allocated)d allocated).', sku=product.sku, location=location.code,
                           available=level.available, on_hand=level.on_hand, allocated=level.allocated),
                        field='quantity')
    level.on_hand, level.allocated = new_on_hand, new_allocated
    if on_hand_delta:
        db.session.add(StockMovement(product_id=product.id, location_id=location.id, delta=on_hand_delta,
                                     on_hand_after=new_on_hand, reason=reason, reference=reference[:200],
                                     note=note, user=actor))
    db.session.flush()
    return level


def _positive_quantity(quantity) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
        raise UserError(_l('The quantity must be a whole number greater than 0.'), field='quantity')
    return quantity


def receive(product: Product, location: Location, quantity: int, *, actor: User | None,
            reference: str = '', note: str = '') -> StockLevel:
    """Goods arrived: put `quantity` units on hand at `location`."""
    quantity = _positive_quantity(quantity)
    level = change_stock(product, location, on_hand_delta=quantity, reason=MovementReason.receipt,
                         reference=reference, note=note, actor=actor)
    logger.info('Received %d x %s at %s by %r', quantity, product.sku, location.code, actor)
    return level


def adjust(product: Product, location: Location, delta: int, *, reason: str, actor: User | None) -> StockLevel:
    """Correct on-hand stock by `delta` (damaged, found, miscounted), with the reason written to the ledger."""
    if not isinstance(delta, int) or isinstance(delta, bool) or delta == 0:
        raise UserError(_l('The adjustment must be a whole number other than 0.'), field='quantity')
    reason = (reason or '').strip()
    if not reason:
        raise UserError(_l('An adjustment needs a reason.'), field='reason')
    return change_stock(product, location, on_hand_delta=delta, reason=MovementReason.adjustment,
                        note=reason, actor=actor)
