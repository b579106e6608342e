"""What the returns screens and the returns export read."""
import datetime as dt
from collections.abc import Iterator

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.accounts.models import AuditEvent, User
from app.catalog.models import Product
from app.errors import as_user_errors
from app.extensions import db
from app.orders.models import Order, OrderLine
from app.returns.models import Return, ReturnLine, ReturnReason
from exporters.base import ExportResult
from exporters.returns import ReturnLineRecord, write_returns
from importers.base import JST


def _jst_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=JST)


def return_line_records(*, date_from: dt.date | None = None,
                        date_to: dt.date | None = None) -> Iterator[ReturnLineRecord]:
    """The lines of the returns opened on JST days `date_from` to `date_to` (both included), oldest first."""
    replacement = so.aliased(Order)
    query = (sa.select(Return, ReturnLine, Order, Product.sku, OrderLine.name, ReturnReason, User.name,
                       replacement.id)
             .join(ReturnLine, ReturnLine.return_id == Return.id)
             .join(Order, Order.id == Return.order_id)
             .join(OrderLine, OrderLine.id == ReturnLine.order_line_id)
             .join(Product, Product.id == ReturnLine.product_id)
             .join(ReturnReason, ReturnReason.id == ReturnLine.reason_id)
             .outerjoin(User, User.id == Return.packed_by_id)
             .outerjoin(replacement, replacement.id == Return.replacement_order_id)
             .order_by(Return.opened_at, Return.id, ReturnLine.id))
    if date_from:
        query = query.where(Return.opened_at >= _jst_midnight(date_from))
    if date_to:
        query = query.where(Return.opened_at < _jst_midnight(date_to + dt.timedelta(days=1)))
    for ret, line, order, sku, name, reason, packer, replacement_id in db.session.execute(query).yield_per(2000):
        yield ReturnLineRecord(
            return_number=ret.number, opened_at=ret.opened_at, state=ret.state, outcome=ret.outcome,
            order_number=order.number, channel=order.channel, external_order_id=order.external_order_id, sku=sku,
            item_name=name, quantity=line.quantity, reason=reason.key, reason_label=reason.label_ja,
            fault=reason.fault, sellable=line.sellable, quarantine=line.quarantine, scrap=line.scrap,
            supplier=line.supplier, refunded=line.refunded,
            packed_by=(packer or '') if reason.key == 'wrong_item' else '',
            replacement_order=f'K{replacement_id:08d}' if replacement_id else '')


def order_returns(order: Order) -> list[Return]:
    """The returns of an order, newest first, with their lines, reasons and refunds."""
    return list(db.session.scalars(
        sa.select(Return).where(Return.order_id == order.id).order_by(Return.id.desc())
        .options(so.selectinload(Return.lines).joinedload(ReturnLine.reason),
                 so.selectinload(Return.lines).joinedload(ReturnLine.product),
                 so.selectinload(Return.refunds))))


def return_history(ret: Return) -> list[AuditEvent]:
    """What happened to a return, oldest first."""
    return list(db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == Return.__tablename__,
                                    AuditEvent.object_id == str(ret.id))
        .options(so.joinedload(AuditEvent.user)).order_by(AuditEvent.at, AuditEvent.id)))


def export_returns(*, date_from: dt.date | None = None, date_to: dt.date | None = None,
                   encoding: str = 'utf-8') -> ExportResult:
    """Returns opened on JST days `date_from` to `date_to` (both included), one row per returned line."""
    with as_user_errors():
        return write_returns(return_line_records(date_from=date_from, date_to=date_to),
                             date_from=date_from, date_to=date_to, encoding=encoding)
