"""Stocktakes (棚卸し) while the floor works: start a count, record what each location holds, recount, approve.

Nothing is frozen.  Each location is compared with the book at the moment it was counted (its
level's on hand then, which is the count's snapshot plus every movement posted there since), less
the units of orders picked but not shipped yet, which are in the book and no longer on the shelf.
So picking, receiving and shipping go on during a count and produce no variance
(docs/stocktake.md says how and why).  Approval writes one `stocktake` ledger row per corrected
level through the stock service, holds the orders whose promised units are not there, and lets
found units fill backorders.
"""
import dataclasses
import datetime as dt
import logging

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.accounts.services import record_audit
from app.analysis.queries import Filters
from app.analysis.services import classes_by_units
from app.catalog.models import Product
from app.catalog.services import find_product_by_code
from app.database import INT_MAX, utcnow
from app.errors import UserError
from app.extensions import db
from app.inventory.models import Location, MovementReason, StockLevel
from app.inventory.services import StockChange, apply_stock_changes, clean_location_code, find_location, lock_levels
from app.orders.models import Allocation, Order
from app.orders.services import BEFORE_PICKING, hold_for_lost_stock, lock_order
from app.settings.services import load_settings, save_settings
from app.stocktake.models import CountLine, CountLocation, StockCount
from importers.base import JST


logger = logging.getLogger(__name__)

#: orders whose units have left the shelf for a tote or a box but not the book: the pick list is out
PICKED_STATUSES = ('picking', 'packed')
SETTINGS_KEY = 'stocktake'
CYCLE_FIELDS = ('cycle_days', 'cycle_a_days', 'cycle_b_days', 'cycle_c_days')
#: ten years: a longer interval is no schedule
MAX_CYCLE_DAYS = 3660
#: the days of shipments that class the products A, B or C for cycle counts
CYCLE_ABC_DAYS = 90


@dataclasses.dataclass(frozen=True)
class StocktakeSettings:
    """When a variance asks for a recount by another person before approval; 0 is no threshold."""

    recount_units: int = 0
    recount_percent: int = 0
    recount_yen: int = 0
    #: cycle counts: every location is counted at least this often (days) ...
    cycle_days: int = 365
    #: ... and one holding a product of class A, B or C (by units shipped) at least this often
    cycle_a_days: int = 30
    cycle_b_days: int = 60
    cycle_c_days: int = 120


def stocktake_settings() -> StocktakeSettings:
    return load_settings(SETTINGS_KEY, StocktakeSettings)


def save_stocktake_settings(settings: StocktakeSettings, *, actor) -> StocktakeSettings:
    for field in dataclasses.fields(settings):
        value = getattr(settings, field.name)
        if field.name in CYCLE_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_CYCLE_DAYS:
                raise UserError(_l('Each interval must be a whole number of days from 1 to %(days)d.',
                                   days=MAX_CYCLE_DAYS), field=field.name)
        elif not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT_MAX:
            raise UserError(_l('Each threshold must be a whole number from 0 (none) up.'), field=field.name)
    save_settings(SETTINGS_KEY, settings, actor=actor)
    return settings


def over_threshold(variance: int, expected: int, price: int, settings: StocktakeSettings) -> bool:
    """Whether a variance is large enough to be counted again by someone else before it is approved."""
    if variance == 0:
        return False
    off = abs(variance)
    if settings.recount_units and off >= settings.recount_units:
        return True
    if settings.recount_percent and (expected <= 0 or off * 100 >= settings.recount_percent * expected):
        return True
    return bool(settings.recount_yen and off * price >= settings.recount_yen)


# ---------------------------------------------------------------------------------------------- starting


def get_count(number: str) -> StockCount:
    count_id = StockCount.id_from_number(number)
    count = db.session.get(StockCount, count_id) if count_id else None
    if count is None:
        raise UserError(_l('There is no count %(number)s.', number=number), field='count')
    return count


def lock_count(count: StockCount) -> StockCount:
    """The count's row locked for this transaction and read afresh: one approval or recording at a time."""
    return db.session.execute(sa.select(StockCount).where(StockCount.id == count.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def split_codes(text: str) -> list[str]:
    return [part.strip() for part in (text or '').replace('\n', ',').split(',') if part.strip()]


def start_count(*, prefix: str | None = None, location_codes: list[str] | None = None,
                skus: list[str] | None = None, blind: bool = True, actor: User | None) -> StockCount:
    """Start a count of every location, of locations by prefix or list, or of products wherever they are.

    The book is read once now (the snapshot); each location is compared later with the book at the
    moment it is counted.
    """
    if sum(x is not None for x in (prefix, location_codes, skus)) > 1:
        raise UserError(_l('Count locations or products, not both.'), field='scope')
    products = None
    query = sa.select(Location).where(Location.active.is_(True))
    if prefix is not None:
        prefix = clean_location_code(prefix) if prefix.strip() else ''
        if not prefix:
            raise UserError(_l('Give the start of the location codes to count (e.g. A-01).'), field='locations')
        scope, scope_text = 'locations', prefix
        query = query.where(Location.code.startswith(prefix, autoescape=True))
    elif location_codes is not None:
        codes = [clean_location_code(code) for code in location_codes]
        if not codes:
            raise UserError(_l('Name at least one location to count.'), field='locations')
        found = {loc.code: loc for loc in db.session.scalars(sa.select(Location).where(Location.code.in_(codes)))}
        missing = [code for code in codes if code not in found]
        if missing:
            raise UserError(_l('There is no location %(codes)s.', codes=', '.join(missing)), field='locations')
        scope, scope_text = 'locations', ', '.join(dict.fromkeys(codes))
        query = query.where(Location.id.in_([loc.id for loc in found.values()]))
    elif skus is not None:
        wanted = list(dict.fromkeys(sku.strip() for sku in skus if sku.strip()))
        if not wanted:
            raise UserError(_l('Name at least one SKU to count.'), field='products')
        products = {p.sku: p for p in db.session.scalars(sa.select(Product).where(Product.sku.in_(wanted)))}
        missing = [sku for sku in wanted if sku not in products]
        if missing:
            raise UserError(_l('There is no product %(skus)s.', skus=', '.join(missing)), field='products')
        scope, scope_text = 'products', ', '.join(wanted)
        query = query.where(Location.id.in_(
            sa.select(StockLevel.location_id).where(StockLevel.product_id.in_([p.id for p in products.values()]),
                                                    sa.or_(StockLevel.on_hand != 0, StockLevel.allocated != 0))))
    else:
        scope, scope_text = 'all', ''
    location_ids = db.session.scalars(query.with_only_columns(Location.id).order_by(Location.sort_key)).all()
    if not location_ids:
        raise UserError(_l('Nothing to count: no location matches.'), field='locations')
    count = StockCount(scope=scope, scope_text=scope_text, blind=blind, started_by_id=actor.id if actor else None)
    db.session.add(count)
    db.session.flush()
    db.session.execute(sa.insert(CountLocation), [{'count_id': count.id, 'location_id': loc} for loc in location_ids])
    levels = sa.select(StockLevel.location_id, StockLevel.product_id, StockLevel.on_hand).where(
        sa.or_(StockLevel.on_hand != 0, StockLevel.allocated != 0))
    if products is not None:
        levels = levels.where(StockLevel.product_id.in_([p.id for p in products.values()]))
    chosen = set(location_ids)
    rows = [{'count_id': count.id, 'location_id': loc, 'product_id': product, 'snapshot': on_hand}
            for loc, product, on_hand in db.session.execute(levels) if loc in chosen]
    for start in range(0, len(rows), 5000):
        db.session.execute(sa.insert(CountLine), rows[start:start + 5000])
    record_audit(actor, 'stocktake.started', count, after={'scope': scope, 'scope_text': scope_text, 'blind': blind,
                                                            'locations': len(location_ids)})
    db.session.flush()
    logger.info('Count %s started: %d locations, %d levels', count.number, len(location_ids), len(rows))
    return count


def count_products(count: StockCount) -> set[int] | None:
    """The products a product count is about; None when it counts whatever is at its locations."""
    if count.scope != 'products':
        return None
    return set(db.session.scalars(sa.select(Product.id).where(Product.sku.in_(split_codes(count.scope_text)))))


# ---------------------------------------------------------------------------------------------- cycle counts


@dataclasses.dataclass(frozen=True)
class DueLocation:
    """A location the cycle-count schedule says to count now."""

    location_id: int
    code: str
    #: when it was last counted (by any count); None: never
    last_counted: dt.datetime | None
    #: how often it is to be counted: the shortest of the location default and its products' classes
    interval_days: int
    #: the ABC classes of the products booked there, e.g. 'AC' ('' when it holds none)
    classes: str

    def as_dict(self) -> dict:
        return {'location': self.code, 'last_counted': self.last_counted.isoformat() if self.last_counted else None,
                'interval_days': self.interval_days, 'classes': self.classes}


def proposed_cycle_counts(now: dt.datetime | None = None) -> list[DueLocation]:
    """The active locations due for a count, oldest first (never counted first), then in walking order.

    A location is due when it was never counted or was last counted longer ago than its interval;
    one waiting in an open count is not proposed again.  Products are classed by units shipped in the
    last CYCLE_ABC_DAYS JST days (the analysis area's ABC); a product that shipped nothing is C.
    """
    now = now or utcnow()
    settings = stocktake_settings()
    today = now.astimezone(JST).date()
    classes = classes_by_units(Filters(today - dt.timedelta(days=CYCLE_ABC_DAYS - 1), today, basis='shipped'))
    interval_of = {'A': settings.cycle_a_days, 'B': settings.cycle_b_days, 'C': settings.cycle_c_days}
    held: dict[int, set[str]] = {}
    for location_id, product_id in db.session.execute(
            sa.select(StockLevel.location_id, StockLevel.product_id)
            .where(sa.or_(StockLevel.on_hand != 0, StockLevel.allocated != 0))):
        held.setdefault(location_id, set()).add(classes.get(product_id, 'C'))
    last = dict(db.session.execute(sa.select(CountLocation.location_id, sa.func.max(CountLocation.counted_at))
                                   .group_by(CountLocation.location_id)).all())
    waiting = set(db.session.scalars(
        sa.select(CountLocation.location_id).join(StockCount, CountLocation.count_id == StockCount.id)
        .where(StockCount.state == 'open', CountLocation.counted_at.is_(None))))
    due = []
    for location_id, code in db.session.execute(sa.select(Location.id, Location.code)
                                                .where(Location.active.is_(True)).order_by(Location.sort_key)):
        if location_id in waiting:
            continue
        found = held.get(location_id, set())
        interval = min([settings.cycle_days, *(interval_of[c] for c in found)])
        counted = last.get(location_id)
        if counted is None or now - counted > dt.timedelta(days=interval):
            due.append(DueLocation(location_id, code, counted, interval, ''.join(sorted(found))))
    # sorted() keeps the walking order among equals
    return sorted(due, key=lambda d: (d.last_counted is not None, d.last_counted or now))


def start_cycle_count(*, location_ids: list[int] | None = None, limit: int | None = None, blind: bool = True,
                      actor: User | None, now: dt.datetime | None = None) -> StockCount:
    """Start a count of the due locations ticked, or else of the first `limit` due ones."""
    due = proposed_cycle_counts(now)
    if location_ids:
        wanted = set(location_ids)
        chosen = [d for d in due if d.location_id in wanted]
        if len(chosen) < len(wanted):
            raise UserError(_l('Some locations ticked are no longer due for a count: look at the list again.'),
                            field='limit')
    else:
        if limit is None or isinstance(limit, bool) or not 1 <= limit <= INT_MAX:
            raise UserError(_l('Tick the locations to count, or say how many of the first due ones.'),
                            field='limit')
        chosen = due[:limit]
    if not chosen:
        raise UserError(_l('No location is due for a cycle count.'), field='limit')
    return start_count(location_codes=[d.code for d in chosen], blind=blind, actor=actor)


# ---------------------------------------------------------------------------------------------- counting


def count_location(count: StockCount, code: str) -> CountLocation | None:
    """The count's entry for a scanned or typed location code; None when the code is no location of it."""
    location = find_location(code)
    if location is None:
        return None
    return db.session.scalar(sa.select(CountLocation).where(CountLocation.count_id == count.id,
                                                            CountLocation.location_id == location.id))


def booked_lines(count: StockCount, location_id: int) -> list[CountLine]:
    return db.session.scalars(sa.select(CountLine).join(Product, CountLine.product_id == Product.id)
                              .where(CountLine.count_id == count.id, CountLine.location_id == location_id)
                              .order_by(Product.sku)).all()


def countable_product(count: StockCount, code: str) -> Product:
    """The product a scanned code means, if this count counts it (an unexpected product is counted)."""
    product = find_product_by_code(code)
    if product is None:
        raise UserError(_l('"%(code)s" is no product and no location of this count.', code=code), field='code')
    wanted = count_products(count)
    if wanted is not None and product.id not in wanted:
        raise UserError(_l('%(sku)s is not part of count %(number)s (it counts %(skus)s): leave it out.',
                           sku=product.sku, number=count.number, skus=count.scope_text), field='code')
    return product


def recount_due(count: StockCount, entry: CountLocation) -> bool:
    return db.session.scalar(sa.select(sa.func.count(CountLine.id)).where(
        CountLine.count_id == count.id, CountLine.location_id == entry.location_id,
        CountLine.needs_recount.is_(True), CountLine.recounted.is_(None))) > 0


def picked_units(location_id: int, product_ids) -> dict[int, int]:
    """Units at this location allocated to orders on a pick list and not shipped: off the shelf, still on hand."""
    rows = db.session.execute(
        sa.select(Allocation.product_id, sa.func.sum(Allocation.quantity))
        .join(Order, Allocation.order_id == Order.id)
        .where(Allocation.location_id == location_id, Allocation.product_id.in_(list(product_ids)),
               Order.status.in_(PICKED_STATUSES))
        .group_by(Allocation.product_id))
    return {product: int(units) for product, units in rows}


@dataclasses.dataclass
class Recorded:
    """What recording one location did: how many products, and whether it was the recount."""

    location: str
    products: int
    units: int
    recount: bool
    recounts_asked: int


def record_location(count: StockCount, location_code: str, quantities: dict[int, int], *,
                    actor: User | None) -> Recorded:
    """What is on the shelf of one location now, by product id; a product booked there and not given is 0.

    The book is read at this moment, under the stock rows' lock, so a shipment or receipt is either
    wholly before it or wholly after it.  A location counted again after a line asked for a recount is
    that recount, and must be made by someone else.
    """
    count = lock_count(count)
    if count.state == 'approved':
        raise UserError(_l('Count %(number)s is approved: nothing more can be counted.', number=count.number))
    entry = count_location(count, location_code)
    if entry is None:
        raise UserError(_l('Location %(code)s is not part of count %(number)s.', code=location_code,
                           number=count.number), field='location')
    for quantity in quantities.values():
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= INT_MAX:
            raise UserError(_l('A counted quantity must be a whole number from 0 up.'), field='quantity')
    wanted = count_products(count)
    if wanted is not None:
        strangers = db.session.scalars(sa.select(Product.sku).where(Product.id.in_(set(quantities) - wanted))).all()
        if strangers:
            raise UserError(_l('%(skus)s is not part of count %(number)s.', skus=', '.join(strangers),
                               number=count.number), field='quantity')
    lines = {line.product_id: line for line in booked_lines(count, entry.location_id)}
    recount = False
    if entry.counted_at is not None:
        if any(line.approved_at for line in lines.values()):
            raise UserError(_l('Location %(code)s of count %(number)s is approved already.',
                               code=entry.location.code, number=count.number), field='location')
        recount = any(line.awaiting_recount for line in lines.values())
        if recount and actor is None:
            raise UserError(_l('Location %(code)s waits for a recount, which is made by a named person.',
                               code=entry.location.code), field='location')
        if recount and entry.counted_by_id == actor.id:
            raise UserError(_l('Location %(code)s must be recounted by someone other than its first counter.',
                               code=entry.location.code), field='location')
    product_ids = set(lines) | set(quantities)
    on_hand = {lv.product_id: lv.on_hand for lv in lock_levels(product_ids) if lv.location_id == entry.location_id}
    picked = picked_units(entry.location_id, product_ids)
    prices = dict(db.session.execute(sa.select(Product.id, Product.price).where(Product.id.in_(product_ids))).all())
    settings = stocktake_settings()
    now = utcnow()
    asked = 0
    for product_id in sorted(product_ids):
        line = lines.get(product_id)
        if line is None:
            line = CountLine(count_id=count.id, location_id=entry.location_id, product_id=product_id, snapshot=0)
            db.session.add(line)
        found, book, out = quantities.get(product_id, 0), on_hand.get(product_id, 0), picked.get(product_id, 0)
        if recount:
            line.recounted, line.recount_book, line.recount_picked = found, book, out
            line.recounted_at, line.recounted_by_id = now, actor.id if actor else None
        else:
            line.counted, line.book, line.picked = found, book, out
            line.counted_at, line.counted_by_id = now, actor.id if actor else None
            line.recounted = line.recount_book = line.recount_picked = line.recounted_at = None
            line.recounted_by_id = None
            line.needs_recount = over_threshold(found - (book - out), book - out, prices.get(product_id) or 0,
                                                settings)
            asked += line.needs_recount
    if not recount:
        entry.counted_at, entry.counted_by_id = now, actor.id if actor else None
    db.session.flush()
    if count.state == 'open' and not _uncounted(count):
        count.state = 'counted'
    db.session.flush()
    return Recorded(entry.location.code, len(product_ids), sum(quantities.values()), recount, asked)


def _uncounted(count: StockCount) -> list[str]:
    return db.session.scalars(sa.select(Location.code).join(CountLocation, CountLocation.location_id == Location.id)
                              .where(CountLocation.count_id == count.id, CountLocation.counted_at.is_(None))
                              .order_by(Location.sort_key)).all()


def quantities_by_sku(pairs: list[str]) -> dict[int, int]:
    """`SKU:QTY` pairs (the CLI's and a typed count's) as {product id: quantity}; a SKU twice is added up."""
    quantities: dict[int, int] = {}
    for pair in pairs:
        sku, sep, qty = pair.rpartition(':')
        if not sep or not sku.strip() or not qty.strip().isascii() or not qty.strip().isdigit():
            raise UserError(_l('"%(pair)s" is not SKU:QUANTITY (e.g. TEA-001:12).', pair=pair), field='quantity')
        product = db.session.scalar(sa.select(Product).where(Product.sku == sku.strip()))
        if product is None:
            raise UserError(_l('There is no product %(skus)s.', skus=sku.strip()), field='quantity')
        quantities[product.id] = quantities.get(product.id, 0) + int(qty)
        if quantities[product.id] > INT_MAX:
            raise UserError(_l('A counted quantity must be a whole number from 0 up.'), field='quantity')
    return quantities


# ---------------------------------------------------------------------------------------------- approving


@dataclasses.dataclass
class Applied:
    """One approved line: what the shelf held against what the book expected, and the change written."""

    location: str
    sku: str
    counted: int
    expected: int
    variance: int

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def approve(count: StockCount, *, actor: User | None, reason: str, line_ids: list[int] | None = None) -> list[Applied]:
    """Approve the count (or some of its lines): correct each level by its variance, in the ledger.

    Each correction is relative to on hand now, so movements since the location was counted stay.
    Units that are gone but were promised to orders not yet picked take those orders' allocations
    with them: the orders go back to waiting with an out-of-stock hold the clerk sees.  Units found
    fill backorders (the stock service announces them).
    """
    reason = (reason or '').strip()
    if not reason:
        raise UserError(_l('An approval needs a reason.'), field='reason')
    count = lock_count(count)
    if count.state == 'approved':
        raise UserError(_l('Count %(number)s is approved already.', number=count.number))
    query = sa.select(CountLine).where(CountLine.count_id == count.id, CountLine.approved_at.is_(None))
    if line_ids is None:
        uncounted = _uncounted(count)
        if uncounted:
            raise UserError(_l('Count %(number)s is not finished: %(codes)s not counted yet.', number=count.number,
                               codes=', '.join(uncounted[:10]) + (' …' if len(uncounted) > 10 else '')))
    else:
        query = query.where(CountLine.id.in_(line_ids))
    lines = db.session.scalars(query.order_by(CountLine.id)).all()
    if line_ids is not None and len(lines) != len(set(line_ids)):
        raise UserError(_l('Some of these lines are not open lines of count %(number)s.', number=count.number))
    names = _names(lines)
    for line in lines:
        if line.counted is None:
            raise UserError(_l('%(sku)s at %(location)s is not counted yet.', **names[line.id]))
        if line.awaiting_recount:
            raise UserError(_l('%(sku)s at %(location)s waits for a recount by another person.', **names[line.id]))
    changes = {(line.product_id, line.location_id): line.variance for line in lines if line.variance}
    victims = _orders_losing_stock(changes)
    stock_changes = [StockChange(product, location, on_hand_delta=delta, reason=MovementReason.stocktake,
                                 reference=count.number, note=reason)
                     for (product, location), delta in sorted(changes.items())]
    if victims:
        hold_for_lost_stock(victims, stock_changes, actor=actor, note=str(_l(
            'Stocktake %(number)s found fewer units than were promised to this order.', number=count.number)))
    else:
        apply_stock_changes(stock_changes, actor=actor)
    now = utcnow()
    applied = []
    for line in lines:
        line.approved_at, line.approved_by_id, line.approval_reason = now, actor.id if actor else None, reason
        line.applied = line.variance
        applied.append(Applied(names[line.id]['location'], names[line.id]['sku'], line.final, line.expected,
                               line.variance))
    db.session.flush()
    if not _uncounted(count) and not db.session.scalar(sa.select(sa.func.count(CountLine.id)).where(
            CountLine.count_id == count.id, CountLine.approved_at.is_(None))):
        count.state, count.approved_at = 'approved', now
    record_audit(actor, 'stocktake.approved', count, after={
        'lines': len(lines), 'corrected': len(changes), 'units': sum(changes.values()),
        'orders_held': [order.number for order in victims]}, note=reason)
    db.session.flush()
    logger.info('Count %s: %d lines approved, %d levels corrected', count.number, len(lines), len(changes))
    return applied


def _names(lines: list[CountLine]) -> dict[int, dict]:
    products = dict(db.session.execute(sa.select(Product.id, Product.sku).where(
        Product.id.in_({line.product_id for line in lines}))).all())
    locations = dict(db.session.execute(sa.select(Location.id, Location.code).where(
        Location.id.in_({line.location_id for line in lines}))).all())
    return {line.id: {'sku': products[line.product_id], 'location': locations[line.location_id]} for line in lines}


def _orders_losing_stock(changes: dict[tuple[int, int], int]) -> list[Order]:
    """The orders not yet picked whose allocations must go so that allocated fits in what is left.

    Orders are locked before the stock rows (the order of every other path: cancel, hold, allocate),
    lowest priority and newest first are the ones to give way.
    """
    losses = {pair: delta for pair, delta in changes.items() if delta < 0}
    if not losses:
        return []
    pair_of = sa.tuple_(Allocation.product_id, Allocation.location_id)
    candidates = db.session.scalars(
        sa.select(Order).where(Order.status.in_(BEFORE_PICKING), Order.id.in_(
            sa.select(Allocation.order_id).where(pair_of.in_(list(losses)))))
        .order_by(Order.id)).all()
    candidates = [lock_order(order) for order in candidates]
    candidates = [order for order in candidates if order.status in BEFORE_PICKING]
    levels = {(lv.product_id, lv.location_id): lv for lv in lock_levels({p for p, _ in losses})}
    held = {}
    if candidates:
        for row in db.session.scalars(sa.select(Allocation).where(
                Allocation.order_id.in_([o.id for o in candidates]), pair_of.in_(list(losses)))):
            held.setdefault(row.order_id, {}).setdefault((row.product_id, row.location_id), 0)
            held[row.order_id][(row.product_id, row.location_id)] += row.quantity
    # give way in the reverse of allocation's order: lowest priority first, then newest
    candidates.sort(key=lambda o: (o.priority, -o.ordered_at.timestamp(), -o.id))
    victims, freed = [], {}
    for pair, delta in sorted(losses.items()):
        level = levels.get(pair)
        on_hand_after = (level.on_hand if level else 0) + delta
        if on_hand_after < 0:
            raise UserError(_l('%(sku)s at %(location)s: the count finds %(n)d fewer, but only %(on_hand)d are '
                               'on hand now. Count the location again.', n=-delta, on_hand=level.on_hand if level
                               else 0, **_name_of(pair)))
        short = (level.allocated if level else 0) - freed.get(pair, 0) - on_hand_after
        for order in candidates:
            if short <= 0:
                break
            if order in victims or pair not in held.get(order.id, {}):
                continue
            victims.append(order)
            for other, units in held[order.id].items():
                freed[other] = freed.get(other, 0) + units
            short -= held[order.id][pair]
        if short > 0:
            raise UserError(_l('%(sku)s at %(location)s: %(n)d units are on pick lists but the count finds fewer. '
                               'Count the location again once they are packed.', n=short, **_name_of(pair)))
    return victims


def _name_of(pair) -> dict:
    product, location = pair
    sku = db.session.scalar(sa.select(Product.sku).where(Product.id == product))
    code = db.session.scalar(sa.select(Location.code).where(Location.id == location))
    return {'sku': sku, 'location': code}


# ---------------------------------------------------------------------------------------------- the handheld


@dataclasses.dataclass
class Tally:
    """What a counter has scanned at the location in hand, kept between scans (in their session)."""

    count_id: int
    location: str | None = None
    units: dict[int, int] = dataclasses.field(default_factory=dict)
    #: the product scanned last: a number typed next is its quantity
    last: int | None = None

    def as_dict(self) -> dict:
        return {'count_id': self.count_id, 'location': self.location,
                'units': {str(k): v for k, v in self.units.items()}, 'last': self.last}

    @classmethod
    def from_dict(cls, data, count_id: int) -> 'Tally':
        if not isinstance(data, dict) or data.get('count_id') != count_id:
            return cls(count_id)
        return cls(count_id, data.get('location'), {int(k): int(v) for k, v in (data.get('units') or {}).items()},
                   data.get('last'))


@dataclasses.dataclass
class CountScan:
    """What one scan at the count screen did, for the counter: never what the book expects."""

    ok: bool
    message: str
    tally: Tally
    #: the location just recorded, when the scan finished one
    recorded: Recorded | None = None


#: a typed quantity after a product scan; longer digit strings are codes (JAN, numeric SKUs)
MAX_TYPED_DIGITS = 6


def count_scan(count: StockCount, tally: Tally, code: str, *, actor: User | None) -> CountScan:
    """One code scanned or typed at the count screen; what it means is decided here, from the tally alone.

    A location label of the count opens that location (recording the one in hand first); the same
    label again records it.  A product counts one unit at the location in hand, a product never
    booked there included.  A number typed after a product is how many of it there are.
    """
    code = (code or '').strip()
    if count.state == 'approved':
        return CountScan(False, str(_l('Count %(number)s is approved: nothing more can be counted.',
                                       number=count.number)), Tally(count.id))
    location = find_location(code) if code else None
    if location is not None:
        return _scan_location(count, tally, location, actor)
    if tally.location is None:
        return CountScan(False, str(_l('Scan a location label first.')), tally)
    product = find_product_by_code(code)
    if product is None and code.isascii() and code.isdigit() and len(code) <= MAX_TYPED_DIGITS:
        if tally.last is None:
            return CountScan(False, str(_l('Scan the product first, then type how many there are.')), tally)
        if int(code) > INT_MAX:
            return CountScan(False, str(_l('A counted quantity must be a whole number from 0 up.')), tally)
        tally.units[tally.last] = int(code)
        sku = db.session.scalar(sa.select(Product.sku).where(Product.id == tally.last))
        return CountScan(True, str(_l('%(sku)s: %(n)d counted.', sku=sku, n=int(code))), tally)
    try:
        product = countable_product(count, code)
    except UserError as exc:
        return CountScan(False, str(exc), tally)
    tally.units[product.id] = tally.units.get(product.id, 0) + 1
    tally.last = product.id
    return CountScan(True, str(_l('%(sku)s: %(n)d counted.', sku=product.sku, n=tally.units[product.id])), tally)


def _scan_location(count: StockCount, tally: Tally, location: Location, actor) -> CountScan:
    entry = count_location(count, location.code)
    if entry is None:
        return CountScan(False, str(_l('Location %(code)s is not part of count %(number)s.', code=location.code,
                                       number=count.number)), tally)
    recorded = None
    if tally.location is not None:
        try:
            recorded = record_location(count, tally.location, tally.units, actor=actor)
        except UserError as exc:
            return CountScan(False, str(exc), tally)
        if tally.location == location.code:
            return CountScan(True, _recorded_message(recorded), Tally(count.id), recorded)
    if entry.counted_at is not None and recount_due(count, entry) and actor is not None \
            and entry.counted_by_id == actor.id:
        return CountScan(False, str(_l('Location %(code)s must be recounted by someone other than its first counter.',
                                       code=location.code)), Tally(count.id), recorded)
    message = str(_l('%(code)s: scan each unit, then the next location.', code=location.code))
    if recorded is not None:
        message = f'{_recorded_message(recorded)} {message}'
    return CountScan(True, message, Tally(count.id, location.code), recorded)


def _recorded_message(recorded: Recorded) -> str:
    message = str(_l('%(code)s recorded: %(units)d units.', code=recorded.location, units=recorded.units))
    if recorded.recounts_asked:
        message += ' ' + str(_l('Another person must recount it.'))
    return message


def location_lines(count: StockCount, tally: Tally) -> list[dict]:
    """The products of the location in hand, for the counter: booked ones and those scanned, with the tally.

    `expected` is there only when the count is not blind.
    """
    if tally.location is None:
        return []
    location = find_location(tally.location)
    if location is None:
        return []
    booked = {line.product_id: line for line in booked_lines(count, location.id)}
    ids = set(booked) | set(tally.units)
    products = {p.id: p for p in db.session.scalars(sa.select(Product).where(Product.id.in_(ids)))} if ids else {}
    levels = {}
    if not count.blind and ids:
        levels = dict(db.session.execute(sa.select(StockLevel.product_id, StockLevel.on_hand).where(
            StockLevel.location_id == location.id, StockLevel.product_id.in_(ids))).all())
        picked = picked_units(location.id, ids)
        levels = {pid: levels.get(pid, 0) - picked.get(pid, 0) for pid in ids}
    return [{'product': products[pid], 'counted': tally.units.get(pid, 0), 'booked': pid in booked,
             'expected': None if count.blind else levels.get(pid, 0), 'last': pid == tally.last}
            for pid in sorted(ids, key=lambda pid: products[pid].sku)]
