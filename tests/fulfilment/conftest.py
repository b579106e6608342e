"""Orders ready for the floor: allocated, unheld, in stock."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.fulfilment import services
from app.orders.models import Order
from tests.orders.test_triage import kura_orders


#: what the Kura test file's default row asks for, taken out: these orders ask nothing of the packer
NO_REQUESTS = {'gift_wrap': '', 'noshi': '', 'comment': '', 'delivery_date': '', 'delivery_time_slot': ''}


def plain_orders(*orders, channel='kura'):
    """Orders imported as kura_orders() does, without gift wrapping, のし, comment or delivery date."""
    return kura_orders(*({**NO_REQUESTS, **order} for order in orders), channel=channel)


@pytest.fixture
def floor(make_product, stock, make_user):
    """Three products with JANs, stock, a packer, a manager, a tracking range, and three allocated orders."""
    tea = make_product('T-1', name='髙橋園の玄米茶', jan='4569951116179', price=864, tax_rate=8)
    cup = make_product('W-1', name='有田焼 湯呑み', jan='4901234567894', price=2750)
    pot = make_product('W-2', name='常滑焼 急須', jan='4912345000019', price=8800)
    stock(tea, 20, 'A-01-01-1')
    stock(cup, 10, 'B-01-01-1')
    stock(pot, 5, 'B-02-01-1')
    services.add_tracking_range('yamato', '44441375870', '44441375999', warn_below=10, actor=None)
    db.session.commit()
    plain_orders({'order_id': 'F-1', 'ordered_at': '2025-10-01T10:00:00', 'lines': [('T-1', 2), ('W-1', 1)]},
                {'order_id': 'F-2', 'ordered_at': '2025-10-02T10:00:00', 'lines': [('W-2', 1)],
                 'ship_name': '佐藤 次郎', 'ship_address1': '別の住所 1-1'},
                {'order_id': 'F-3', 'ordered_at': '2025-10-03T10:00:00', 'lines': [('T-1', 1)],
                 'ship_name': '鈴木 三郎', 'ship_address1': '別の住所 2-2'})
    return {'tea': tea, 'cup': cup, 'pot': pot, 'packer': make_user('packer'), 'manager': make_user('manager')}


def by_external(external_id) -> Order:
    db.session.expire_all()
    return db.session.scalar(sa.select(Order).where(Order.external_order_id == external_id))
