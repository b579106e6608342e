"""Channel stock: listings and their quantity rule, the stock files made for the malls, oversells.

What a mall may show is worked out from Kura's free stock (inventory's ``available_by_product``) by
the listing's rule; a file holds the listings whose quantity differs from the one last sent (or all of
them), and records what it sent, so that any change of stock (allocation, receiving, a stocktake, a
return, a cancellation) shows in the next file without those areas telling this one.
"""
import dataclasses
import datetime as dt
import logging
import typing

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.services import record_audit
from app.catalog.models import Product
from app.channels.models import STOCK_CHANNELS, ChannelStockFile, Listing, Oversell
from app.channels.signals import oversold
from app.database import utcnow
from app.errors import UserError, as_user_errors
from app.extensions import db
from app.inventory.queries import available_by_product
from app.orders.models import Allocation, Order, OrderLine
from app.orders.services import add_hold, map_item_code
from app.settings.services import load_settings, save_settings
from exporters.channel_stock import CHANNEL_STOCK_FILES, ROW_LIMITS, ChannelStockRow


logger = logging.getLogger(__name__)

#: ids per statement: SQLite allows 32,766 parameters
CHUNK = 5000
#: products per available_by_product call: one IN list each, as long as SQLite allows
FREE_CHUNK = 30_000
#: order statuses whose lines still want stock
OPEN_STATUSES = ('new', 'confirmed', 'backordered', 'allocated')


@dataclasses.dataclass(frozen=True)
class ChannelStockRules:
    """A channel's quantity rule, which each listing may override; the defaults send exactly the free stock."""

    #: units kept back from the channel (予備在庫)
    safety_stock: int = 0
    #: percent of what is left that the channel may show (在庫割当率); channels' shares need not add to 100
    share_percent: int = 100
    #: the most the channel is shown (上限在庫数); None: no cap
    cap: int | None = None
    #: below this, 0 is sent (下限在庫数)
    floor: int = 0
    #: Shopify: the location name the inventory CSV names on every row
    location: str = ''


def _settings_key(channel: str) -> str:
    return f'channel_stock.{channel}'


def check_channel(channel: str) -> str:
    if channel not in STOCK_CHANNELS:
        raise UserError(_l('Unknown channel "%(channel)s": use one of %(channels)s.', channel=channel,
                           channels=', '.join(STOCK_CHANNELS)), field='channel')
    return channel


def channel_rules(channel: str) -> ChannelStockRules:
    return load_settings(_settings_key(check_channel(channel)), ChannelStockRules)


def _check_rule(safety_stock, share_percent, cap, floor) -> None:
    for name, value in (('safety_stock', safety_stock), ('cap', cap), ('floor', floor)):
        if value is not None and value < 0:
            raise UserError(_l('%(field)s must be 0 or more.', field=name), field=name)
    if share_percent is not None and not 0 <= share_percent <= 100:
        raise UserError(_l('The share must be 0 to 100 percent.'), field='share_percent')


def save_channel_rules(channel: str, rules: ChannelStockRules, *, actor) -> ChannelStockRules:
    """A manager's rule for a channel; every listing without its own rule follows it from the next file."""
    _check_rule(rules.safety_stock, rules.share_percent, rules.cap, rules.floor)
    rules = dataclasses.replace(rules, location=rules.location.strip())
    return save_settings(_settings_key(check_channel(channel)), rules, actor=actor)


def quantity_to_send(free: int, *, safety_stock: int = 0, share_percent: int = 100, cap: int | None = None,
                     floor: int = 0) -> int:
    """What a channel may show: 0 if free − safety < floor, else min(cap, ⌊(free − safety) × share⌋)."""
    rest = free - safety_stock
    if rest < floor or rest <= 0:
        return 0
    quantity = rest * share_percent // 100
    return quantity if cap is None else min(cap, quantity)


# ---------------------------------------------------------------------------------------------- listings


@dataclasses.dataclass
class ListingValues:
    """A listing as a clerk types it or a CSV row gives it; None in a rule field: the channel's."""

    channel: str
    item_code: str
    sku: str
    page_code: str = ''
    safety_stock: int | None = None
    share_percent: int | None = None
    cap: int | None = None
    floor: int | None = None
    paused: bool = False


RULE_FIELDS = ('safety_stock', 'share_percent', 'cap', 'floor')


def save_listing(values: ListingValues, *, actor) -> tuple[Listing, bool]:
    """Create the listing of `values.channel`'s item code, or change it; audited.

    :return: the listing and whether it was created
    """
    check_channel(values.channel)
    item_code = values.item_code.strip()
    if not item_code:
        raise UserError(_l('The item code is required.'), field='item_code')
    if len(item_code) > 100 or len(values.page_code.strip()) > 100:
        raise UserError(_l('A code is at most 100 characters.'), field='item_code')
    product = db.session.scalar(sa.select(Product).where(Product.sku == values.sku.strip()))
    if product is None:
        raise UserError(_l('No product has the SKU "%(sku)s".', sku=values.sku.strip()), field='sku')
    _check_rule(values.safety_stock, values.share_percent, values.cap, values.floor)
    listing = db.session.scalar(sa.select(Listing).where(Listing.channel == values.channel,
                                                         Listing.item_code == item_code))
    created = listing is None
    before = None
    if created or listing.product_id != product.id:
        # the listing's code is the mall's code for the product: its orders find the product by it
        map_item_code(values.channel, item_code, product, actor=actor)
    if created:
        listing = Listing(channel=values.channel, item_code=item_code, created_by_id=actor and actor.id)
        db.session.add(listing)
    else:
        before = _audit_values(listing)
    listing.product_id, listing.page_code, listing.paused = product.id, values.page_code.strip(), values.paused
    for name in RULE_FIELDS:
        setattr(listing, name, getattr(values, name))
    db.session.flush()
    after = _audit_values(listing)
    if before != after:
        record_audit(actor, 'listing.created' if created else 'listing.changed', listing, before=before, after=after)
    return listing, created


def _audit_values(listing: Listing) -> dict:
    return {'product_id': listing.product_id, 'page_code': listing.page_code, 'paused': listing.paused,
            **{name: getattr(listing, name) for name in RULE_FIELDS}}


def save_listings(rows: list[tuple[int, ListingValues]], *, actor) -> tuple[int, int]:
    """A listings CSV's rows, each with its file line, all or none: the first bad row is refused with its line.

    :return: (created, changed)
    """
    created = changed = 0
    for line, values in rows:
        try:
            _listing, new = save_listing(values, actor=actor)
        except UserError as exc:
            raise UserError(_l('Line %(line)d: %(message)s', line=line, message=str(exc)), field='file') from None
        created += new
        changed += not new
    return created, changed


def learn_listings(channel: str, order_ids: list[int], *, actor=None) -> int:
    """The listing of each product an imported order names on a mall, by the item code it came with, if missing.

    :return: how many listings were made
    """
    if channel not in STOCK_CHANNELS or not order_ids:
        return 0
    named = set()
    for start in range(0, len(order_ids), CHUNK):
        named.update(db.session.execute(
            sa.select(OrderLine.item_code, OrderLine.product_id).distinct()
            .where(OrderLine.order_id.in_(order_ids[start:start + CHUNK]), OrderLine.product_id.is_not(None),
                   OrderLine.item_code != '')).tuples())
    codes = sorted({code for code, _pid in named})
    known = set()
    for start in range(0, len(codes), CHUNK):
        known.update(db.session.scalars(sa.select(Listing.item_code).where(
            Listing.channel == channel, Listing.item_code.in_(codes[start:start + CHUNK]))))
    new = {}
    for code, product_id in sorted(named):
        if code not in known:
            new.setdefault(code, product_id)
    for code, product_id in new.items():
        db.session.add(Listing(channel=channel, item_code=code, product_id=product_id,
                               created_by_id=actor and actor.id))
    db.session.flush()
    if new:
        logger.info('%d %s listings learnt from imported orders', len(new), channel)
    return len(new)


# ---------------------------------------------------------------------------------------------- files


class StockLine(typing.NamedTuple):
    """One listing in the next file: what it will hold and what the mall was last sent."""

    listing_id: int
    item_code: str
    page_code: str
    sku: str
    free: int
    quantity: int
    #: None: never sent
    sent: int | None
    #: 0 forced by an open oversell of the product
    oversold: bool

    @property
    def changed(self) -> bool:
        return self.quantity != self.sent


def oversold_product_ids() -> set[int]:
    return set(db.session.scalars(sa.select(Oversell.product_id).distinct().where(Oversell.cleared_at.is_(None))))


def stock_lines(channel: str) -> list[StockLine]:
    """Every listing of the channel that is not paused, with its quantity by the rule, by item code."""
    rules = channel_rules(channel)
    listings = db.session.execute(
        sa.select(Listing.id, Listing.item_code, Listing.page_code, Listing.product_id, Listing.sent_quantity,
                  Listing.safety_stock, Listing.share_percent, Listing.cap, Listing.floor, Product.sku)
        .join(Product, Listing.product_id == Product.id)
        .where(Listing.channel == channel, Listing.paused.is_(False))
        .order_by(Listing.item_code)).all()
    product_ids = sorted({row.product_id for row in listings})
    free = {}
    for start in range(0, len(product_ids), FREE_CHUNK):
        free.update(available_by_product(product_ids[start:start + FREE_CHUNK]))
    oversold_ids = oversold_product_ids()
    lines = []
    # quantity_to_send written out, with the channel's value where the listing has none: this loop runs
    # once per listing of the mall (tests/channels/test_quantity_rule.py holds the two to the same table)
    for (listing_id, item_code, page_code, product_id, sent, safety, share, cap, floor, sku) in listings:
        units = free.get(product_id, 0)
        units = units if units > 0 else 0
        if product_id in oversold_ids:
            lines.append(StockLine(listing_id, item_code, page_code, sku, units, 0, sent, True))
            continue
        rest = units - (rules.safety_stock if safety is None else safety)
        if rest <= 0 or rest < (rules.floor if floor is None else floor):
            quantity = 0
        else:
            quantity = rest * (rules.share_percent if share is None else share) // 100
            cap = rules.cap if cap is None else cap
            if cap is not None and quantity > cap:
                quantity = cap
        lines.append(StockLine(listing_id, item_code, page_code, sku, units, quantity, sent, False))
    return lines


@dataclasses.dataclass(frozen=True)
class NextFile:
    channel: str
    full: bool
    #: the lines the file holds (cut at the mall's row limit)
    lines: list[StockLine]
    #: listings whose quantity differs from the one last sent, in or beyond this file
    changed: int


def next_file(channel: str, *, full: bool = False) -> NextFile:
    """What the next file for the channel holds, without making it (the preview, and make_stock_file's start)."""
    lines = stock_lines(check_channel(channel))
    changed = sum(1 for line in lines if line.changed)
    chosen = lines if full else [line for line in lines if line.changed]
    limit = ROW_LIMITS[channel]
    return NextFile(channel, full, chosen[:limit] if limit is not None else chosen, changed)


def _hold_still() -> None:
    """One point in time for the file: on PostgreSQL no stock changes and no other file is made until commit.

    SQLite takes its one write lock when the writing transaction begins (app.database), which does the same.
    """
    if db.session.get_bind().dialect.name == 'postgresql':
        # stock first, as an import takes it (its stock, then the listings it learns): never a deadlock
        db.session.execute(sa.text('LOCK TABLE stock_levels IN SHARE MODE'))
        db.session.execute(sa.text('LOCK TABLE listings IN SHARE ROW EXCLUSIVE MODE'))


def make_stock_file(channel: str, *, full: bool = False, actor=None, only_if_changed: bool = False
                    ) -> ChannelStockFile | None:
    """Make the channel's next stock file and record what it sent; flush, never commit.

    :param only_if_changed: make nothing (return None) when no listing's quantity changed (the schedule)
    """
    check_channel(channel)
    _hold_still()
    planned = next_file(channel, full=full)
    if only_if_changed and not planned.changed:
        return None
    rows = [ChannelStockRow(line.item_code, line.page_code, line.quantity,
                            channel_rules(channel).location if channel == 'shopify' else '')
            for line in planned.lines]
    with as_user_errors():
        try:
            result = CHANNEL_STOCK_FILES[channel](rows)
        except UnicodeEncodeError as exc:
            raise UserError(_l('A code cannot be written in this mall\'s encoding: %(value)s',
                               value=exc.object[exc.start:exc.end]), field='item_code') from None
    now = utcnow()
    stamp = now.astimezone(dt.timezone(dt.timedelta(hours=9))).strftime('%Y%m%d-%H%M%S')
    stem, dot, extension = result.filename.rpartition('.')
    record = ChannelStockFile(channel=channel, full=full, rows=len(rows), changed=planned.changed,
                              filename=f'{stem}-{stamp}{dot}{extension}', content=result.content,
                              changes=[[line.item_code, line.sku, line.sent, line.quantity]
                                       for line in planned.lines if line.changed or full],
                              made_at=now, made_by_id=actor and actor.id)
    db.session.add(record)
    # one statement, many parameter sets: a CASE of thousands of ids costs more to compile than to run
    table = Listing.__table__
    sent = [{'listing': line.listing_id, 'quantity': line.quantity} for line in planned.lines]
    if sent:
        db.session.flush()
        db.session.connection().execute(
            table.update().where(table.c.id == sa.bindparam('listing'))
            .values(sent_quantity=sa.bindparam('quantity'), sent_at=now), sent)
    db.session.flush()
    logger.info('%s stock file made: %d rows, %d changed', channel, len(rows), planned.changed)
    return record


def make_changed_files(*, actor=None) -> dict[str, int]:
    """The schedule's run: a file for each channel with a changed quantity; rows per channel made."""
    made = {}
    for channel in STOCK_CHANNELS:
        record = make_stock_file(channel, actor=actor, only_if_changed=True)
        if record is not None:
            made[channel] = record.rows
    return made


# ---------------------------------------------------------------------------------------------- oversells


def unfilled_demand(product_ids) -> dict[int, int]:
    """Units of each product that open orders want and have no stock reserved for."""
    product_ids = sorted(set(product_ids))
    wanted: dict[int, int] = dict.fromkeys(product_ids, 0)
    for start in range(0, len(product_ids), CHUNK):
        chunk = product_ids[start:start + CHUNK]
        open_lines = (sa.select(OrderLine.id, OrderLine.product_id, OrderLine.quantity)
                      .join(Order, OrderLine.order_id == Order.id)
                      .where(OrderLine.product_id.in_(chunk), Order.status.in_(OPEN_STATUSES)).subquery())
        reserved = (sa.select(Allocation.order_line_id, sa.func.sum(Allocation.quantity).label('units'))
                    .group_by(Allocation.order_line_id).subquery())
        rows = db.session.execute(
            sa.select(open_lines.c.product_id,
                      sa.func.sum(open_lines.c.quantity - sa.func.coalesce(reserved.c.units, 0)))
            .outerjoin(reserved, reserved.c.order_line_id == open_lines.c.id)
            .group_by(open_lines.c.product_id))
        wanted.update({pid: int(units or 0) for pid, units in rows})
    return wanted


def detect_oversells(channel: str, order_ids: list[int]) -> list[Oversell]:
    """Oversells the new orders reveal: a product they name that the channel showed as available (a mall's
    last file sent more than 0, or the shop's own catalogue) and that open orders now want more of than
    Kura has free. One open oversell per product and channel.
    """
    if not order_ids:
        return []
    lines = {}
    for start in range(0, len(order_ids), CHUNK):
        for product_id, order_id in db.session.execute(
                sa.select(OrderLine.product_id, sa.func.min(OrderLine.order_id))
                .where(OrderLine.order_id.in_(order_ids[start:start + CHUNK]), OrderLine.product_id.is_not(None))
                .group_by(OrderLine.product_id)):
            lines[product_id] = min(order_id, lines.get(product_id, order_id))
    if channel in STOCK_CHANNELS:
        shown = set(db.session.scalars(sa.select(Listing.product_id).distinct().where(
            Listing.channel == channel, Listing.sent_quantity > 0, Listing.product_id.in_(sorted(lines)))))
    elif channel == 'store':
        # the shop shows its own free stock directly
        shown = set(lines)
    else:
        # a clerk's order (phone, fax) was taken knowing the stock; no channel showed anything
        return []
    if not shown:
        return []
    wanted = unfilled_demand(shown)
    free = available_by_product(sorted(shown))
    already = set(db.session.scalars(sa.select(Oversell.product_id).where(
        Oversell.channel == channel, Oversell.cleared_at.is_(None), Oversell.product_id.in_(sorted(shown)))))
    found = []
    for product_id in sorted(shown - already):
        short = wanted[product_id] - max(free.get(product_id, 0), 0)
        if wanted[product_id] > 0 and short > 0:
            found.append(Oversell(product_id=product_id, channel=channel, order_id=lines[product_id], short=short))
    if found:
        db.session.add_all(found)
        db.session.flush()
        _hold_short_orders(order_ids, {o.product_id: o for o in found})
        logger.warning('%d oversells on %s', len(found), channel)
        oversold.send(channel, oversell_ids=[o.id for o in found])
    return found


def _hold_short_orders(order_ids: list[int], oversells: dict[int, Oversell]) -> None:
    """Put the new orders that wait for an oversold product in the out-of-stock queue of the order list."""
    reserved = (sa.select(Allocation.order_line_id, sa.func.sum(Allocation.quantity).label('units'))
                .group_by(Allocation.order_line_id).subquery())
    short = set()
    for start in range(0, len(order_ids), CHUNK):
        short.update(db.session.scalars(
            sa.select(OrderLine.order_id).distinct()
            .join(Order, OrderLine.order_id == Order.id)
            .outerjoin(reserved, reserved.c.order_line_id == OrderLine.id)
            .where(OrderLine.order_id.in_(order_ids[start:start + CHUNK]),
                   OrderLine.product_id.in_(sorted(oversells)), Order.status.in_(OPEN_STATUSES),
                   OrderLine.quantity > sa.func.coalesce(reserved.c.units, 0))))
    for order in db.session.scalars(sa.select(Order).where(Order.id.in_(sorted(short))).order_by(Order.id)):
        if any(hold.reason == 'out_of_stock' for hold in order.open_holds):
            continue
        products = sorted({line.product_id for line in order.lines} & set(oversells))
        note = _l('Oversold: more was ordered than Kura has (%(skus)s). The malls are sent 0 until a manager '
                  'clears the oversell.', skus=', '.join(oversells[pid].product.sku for pid in products))
        add_hold(order, 'out_of_stock', actor=None, note=str(note))


def clear_oversell(oversell: Oversell, *, actor) -> None:
    """A manager has dealt with it: the product is sent by its rule again from the next file."""
    if oversell.cleared_at is not None:
        raise UserError(_l('This oversell was already cleared.'))
    oversell.cleared_at, oversell.cleared_by_id = utcnow(), actor and actor.id
    db.session.flush()
    record_audit(actor, 'oversell.cleared', oversell, after={'product_id': oversell.product_id,
                                                            'channel': oversell.channel})


def on_order_placed(channel: str, *, order_ids, actor=None, **_extra) -> None:
    """An import or a checkout wrote orders: learn the mall's listings, then look for oversells."""
    learn_listings(channel, list(order_ids), actor=actor)
    detect_oversells(channel, list(order_ids))
