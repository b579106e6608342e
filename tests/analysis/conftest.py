"""The week of orders the analysis tests share; test_figures.py works its figures out by hand."""
import datetime as dt

import pytest

from app.accounts.services import record_audit
from app.extensions import db
from app.fulfilment.models import PackingSession, ScanEvent, Shipment
from app.orders.models import Order, OrderHold, OrderLine
from importers.base import JST


def jst(day, hour, minute=0):
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=JST)


@pytest.fixture
def week(make_product, stock, make_user):
    a = make_product('A-1', price=1000, tax_rate=10)
    b = make_product('B-1', price=500, tax_rate=8)
    c = make_product('C-1', price=80, tax_rate=10)
    a.cost, a.lead_time_days, b.cost = 400, 4, 200
    stock(a, 5, 'A-01-01-1')
    stock(b, 4, 'A-01-02-1')
    stock(c, 3, 'A-01-03-1')
    packer = make_user('packer', name='梱包 花子')

    def order(ref, channel, at, lines, *, prefecture='東京都', status='shipped'):
        o = Order(channel=channel, external_order_id=ref, ordered_at=at, status=status, payment_method='card',
                  ship_name='山田 太郎', ship_postal_code='1000001', ship_prefecture=prefecture,
                  total=sum(q * p.price for p, q in lines))
        o.lines = [OrderLine(line_no=i, product_id=p.id, name=p.name, quantity=q, unit_price=p.price,
                             tax_rate=p.tax_rate) for i, (p, q) in enumerate(lines, start=1)]
        db.session.add(o)
        db.session.flush()
        return o

    def ship(o, at):
        db.session.add(Shipment(order_id=o.id, carrier='yamato', packed_at=at - dt.timedelta(minutes=30),
                                packed_by_id=packer.id, shipped_at=at))

    o1 = order('O1', 'rakuten', jst(2, 0, 1), [(a, 2), (b, 1)])
    o2 = order('O2', 'amazon', jst(2, 23, 59), [(a, 1)], prefecture='大阪府')
    o3 = order('O3', 'rakuten', jst(3, 10), [(c, 5)])
    order('O4', 'rakuten', jst(1, 23, 59), [(a, 1)], status='new')
    order('O5', 'rakuten', jst(4, 9), [(a, 10)], status='cancelled')
    order('O6', 'store', jst(9, 0, 1), [(b, 1)], status='new')
    ship(o1, jst(2, 15, 1))
    ship(o2, jst(3, 11, 59))
    ship(o3, jst(4, 10))
    record_audit(None, 'order.status', o3, before={'status': 'confirmed'}, after={'status': 'backordered'})
    # one hour of packing in two sessions
    for start in (jst(2, 14), jst(3, 11)):
        db.session.add(PackingSession(order_id=o1.id, station='P1', user_id=packer.id, started_at=start,
                                      finished_at=start + dt.timedelta(minutes=30), status='packed'))
    for result in ('wrong_item', 'unknown_code', 'ok'):
        db.session.add(ScanEvent(at=jst(3, 11), station='P1', code='X', result=result, user_id=packer.id))
    db.session.add(OrderHold(order_id=o3.id, reason='out_of_stock', created_at=jst(3, 10),
                             released_at=jst(3, 16)))
    db.session.add(OrderHold(order_id=o2.id, reason='address_check', created_at=jst(2, 23, 59)))
    db.session.commit()
    return {'a': a, 'b': b, 'c': c}
