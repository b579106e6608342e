"""Every way an order comes into Kura goes through the orders service, so each makes the same order.

The paths: the shop's checkout (on its screens), an order file (the import, here from the
command line; the screen and the background job call the same import) and an order entered by hand
on the clerk's new-order screen.  A split's second shipment is made from an existing order, not from what a customer
ordered, and is tested with the split (test_triage.py).
"""
import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.extensions import db
from app.inventory.models import StockLevel
from app.notifications.services import MailSettings, save_mail_settings
from app.orders._writing import check_transitions
from app.orders.models import Allocation, Order, OrderHold, OrderLine
from app.orders.services import NotReserved, create_orders, plan, transition_many
from importers.base import JST
from importers.orders import parse_files
from tests.conftest import PASSWORD
from tests.factories import KURA_HEADER, kura_row, outbox, plain_orders, stored_order, table


#: what tells two orders apart whatever made them: their ids, the channel and its order id, when and from where
PATH_COLUMNS = {'id', 'channel', 'external_order_id', 'order_no_key', 'ordered_at', 'created_at', 'updated_at',
                'import_batch_id'}

CUSTOMER = {'name': '山田 花子', 'kana': 'ヤマダ ハナコ', 'email': 'hanako@example.jp', 'phone': '03-1234-5678',
            'postal_code': '100-0001', 'prefecture': '東京都', 'city': '千代田区', 'address1': '千代田1-1',
            'address2': '㈱蔵ビル ①号室', 'delivery_date': '', 'time_slot': '午前中', 'payment_method': 'cod',
            'comment': ''}


def through_the_shop(client, tea) -> Order:
    client.post('/shop/cart/T-1', data={'quantity': '2', 'add': '1'})
    assert client.post('/shop/checkout', data=CUSTOMER).headers['Location'] == '/shop/checkout/confirm'
    assert client.post('/shop/checkout/confirm').headers['Location'] == '/shop/thanks'
    db.session.expire_all()
    return db.session.scalar(sa.select(Order).where(Order.channel == 'store'))


def through_an_import(runner, tmp_path, tea, like: Order) -> Order:
    """The same customer's same order, as a shop's own order file (Kura CSV) states it."""
    ordered_at = like.ordered_at.astimezone(JST).replace(microsecond=0, tzinfo=None).isoformat()
    person = {f'{who}_{field}': CUSTOMER[field] for who in ('buyer', 'ship') for field in ('name', 'kana', 'phone')}
    row = kura_row('FILE-1', **person, ordered_at=ordered_at, buyer_email=CUSTOMER['email'],
                   ship_postal_code=CUSTOMER['postal_code'], ship_prefecture=CUSTOMER['prefecture'],
                   ship_city=CUSTOMER['city'], ship_address1=CUSTOMER['address1'],
                   ship_address2=CUSTOMER['address2'], payment_method='cod', shipping_fee=str(like.shipping_fee),
                   cod_fee=str(like.cod_fee), delivery_date='', delivery_time_slot=CUSTOMER['time_slot'],
                   gift_wrap='', noshi='', comment='', sku='T-1', jan='', item_name=tea.name, option_text='',
                   quantity='2', unit_price=str(tea.price), tax_rate=str(tea.tax_rate))
    path = tmp_path / 'orders.csv'
    path.write_bytes(table(KURA_HEADER, [row], encoding='utf-8'))
    result = runner.invoke(args=['import-orders', '--channel', 'kura', str(path)])
    assert result.exit_code == 0, result.output
    return stored_order('FILE-1')


def by_hand(app, make_user, tea, like: Order) -> Order:
    """The same customer's same order, taken by phone and entered by a clerk on the new-order screen."""
    clerk = make_user('clerk', email='clerk@example.jp')
    desk = app.test_client()
    assert desk.post('/login', data={'email': clerk.email, 'password': PASSWORD}).status_code == 302
    fields = {'source': 'phone', 'ship_name': '', 'ship_kana': '', 'ship_phone': '', 'gift_wrap': '', 'noshi': '',
              'comment': '', 'delivery_date': '', 'delivery_time_slot': CUSTOMER['time_slot'],
              'payment_method': 'cod', 'shipping_fee': str(like.shipping_fee), 'cod_fee': str(like.cod_fee),
              'line_code': ['T-1'], 'line_quantity': ['2'], 'line_price': [''], 'line_reason': ['']}
    fields |= {f'buyer_{name}': CUSTOMER[name] for name in ('name', 'kana', 'email', 'phone')}
    fields |= {f'ship_{name}': CUSTOMER[name] for name in ('postal_code', 'prefecture', 'city', 'address1',
                                                          'address2')}
    response = desk.post('/orders/new', data=fields)
    assert response.status_code == 302, response.text
    db.session.expire_all()
    return db.session.scalar(sa.select(Order).where(Order.channel == 'manual'))


def what_was_made(order: Order) -> dict:
    """Everything an order was created with, its ids and its path's own values left out."""
    def row(obj, leave_out=()):
        return {c.name: getattr(obj, c.name) for c in obj.__table__.columns if c.name not in {'id', *leave_out}}

    lines = db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id == order.id)
                               .order_by(OrderLine.line_no)).all()
    line_nos = {line.id: line.line_no for line in lines}
    holds = db.session.scalars(sa.select(OrderHold).where(OrderHold.order_id == order.id).order_by(OrderHold.id))
    allocations = db.session.scalars(sa.select(Allocation).where(Allocation.order_id == order.id)
                                     .order_by(Allocation.order_line_id))
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == 'orders',
                                                            AuditEvent.object_id == str(order.id))
                                .order_by(AuditEvent.id))
    mails = [m for m in outbox() if m.order_id == order.id]

    def text(body: str) -> str:
        # a mall's order number is told to its customer beside Kura's own, which is the order's id
        return '\n'.join(line for line in body.splitlines()
                         if order.external_order_id not in line).replace(order.number, '<number>')

    return {
        'order': row(order, PATH_COLUMNS),
        'lines': [row(line, {'order_id'}) for line in lines],
        'holds': [row(hold, {'order_id', 'created_at'}) for hold in holds],
        'allocations': [(line_nos[a.order_line_id], a.product_id, a.location_id, a.quantity) for a in allocations],
        'history': [(e.action, e.user_id, e.before, _without_message_id(e.after), e.note) for e in events],
        'mails': [(m.kind, m.to_address, m.to_name, m.locale, m.status, text(m.subject), text(m.text_body),
                   text(m.html_body)) for m in mails],
    }


def _without_message_id(after):
    return {k: v for k, v in after.items() if k != 'message'} if isinstance(after, dict) else after


def test_an_order_made_by_the_shop_by_an_import_and_by_hand_has_the_same_rows_history_and_e_mails(
        app, client, runner, tmp_path, make_product, make_user, stock):
    tea = make_product('T-1', name='髙橋園の玄米茶', price=1080, tax_rate=8, jan='')
    tea.published = True
    db.session.commit()
    stock(tea, 10)
    # the shop's own orders are always confirmed by e-mail; a mall's only when the manager says so
    save_mail_settings(MailSettings(send_mall_order_confirmation=True), actor=None)
    db.session.commit()

    shop_order = through_the_shop(client, tea)
    imported = through_an_import(runner, tmp_path, tea, like=shop_order)
    entered = by_hand(app, make_user, tea, like=shop_order)
    made_by_the_shop, made_by_the_import = what_was_made(shop_order), what_was_made(imported)
    made_by_hand = what_was_made(entered)

    assert made_by_the_shop == made_by_the_import
    # an order entered by hand differs only in saying so: how it came in, and who entered it
    clerk_id = made_by_hand['history'][0][1]
    assert made_by_hand['order'].pop('source') == 'phone'
    assert made_by_hand['history'].pop() == ('order.entered', clerk_id, None, {'source': 'phone'}, '')
    made_by_hand['history'] = [(action, None if user == clerk_id else user, *rest)
                               for action, user, *rest in made_by_hand['history']]
    made_by_the_shop['order'].pop('source')
    assert made_by_hand == made_by_the_shop
    # and it is an order worth comparing: allocated on arrival, its history saying so truthfully, one e-mail
    assert made_by_the_shop['order']['status'] == 'allocated'
    assert [a[3] for a in made_by_the_shop['allocations']] == [2]
    assert made_by_the_shop['history'] == [
        ('order.status', None, {'status': None}, {'status': 'allocated'}, 'allocation'),
        ('order.email', None, None, {'kind': 'order_confirmation', 'to': 'hanako@example.jp'}, ''),
    ]
    assert len(made_by_the_shop['mails']) == 1


# ------------------------------------------------------------------------------------- many orders at once


def test_many_orders_change_status_at_once_each_with_its_own_audit_row(make_product):
    make_product('T-1')
    plain_orders(*({'order_id': f'M-{n}', 'lines': [('T-1', 1)]} for n in range(3)))   # no stock: backordered
    orders = [stored_order(f'M-{n}') for n in range(3)]
    assert {o.status for o in orders} == {'backordered'}
    transition_many([(orders[0].id, 'backordered', 'confirmed'), (orders[1].id, 'backordered', 'new'),
                     (orders[2].id, 'backordered', 'cancelled')], actor=None, note='test')
    db.session.commit()
    assert [stored_order(f'M-{n}').status for n in range(3)] == ['confirmed', 'new', 'cancelled']
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.note == 'test').order_by(AuditEvent.id))
    assert [(e.object_id, e.before, e.after) for e in events] == [
        (str(orders[0].id), {'status': 'backordered'}, {'status': 'confirmed'}),
        (str(orders[1].id), {'status': 'backordered'}, {'status': 'new'}),
        (str(orders[2].id), {'status': 'backordered'}, {'status': 'cancelled'})]


@pytest.mark.parametrize(('changes', 'refusal'), [
    # not a move the status machine has: the whole batch is refused, whichever order asks for it
    ([(0, 'backordered', 'allocated'), (1, 'backordered', 'shipped')], 'backordered -> shipped'),
    # an order that is not in the status the change starts from
    ([(0, 'backordered', 'allocated'), (1, 'confirmed', 'allocated')], '1 of 1 orders were not confirmed'),
])
def test_a_bulk_change_of_status_the_machine_refuses_changes_nothing(make_product, changes, refusal):
    make_product('T-1')
    plain_orders(*({'order_id': f'M-{n}', 'lines': [('T-1', 1)]} for n in range(2)))
    ids = [stored_order(f'M-{n}').id for n in range(2)]
    with pytest.raises(ValueError, match=refusal):
        transition_many([(ids[index], old, new) for index, old, new in changes], actor=None, note='test')
    db.session.rollback()
    assert [stored_order(f'M-{n}').status for n in range(2)] == ['backordered', 'backordered']
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.note == 'test')) == 0


def test_every_status_an_order_is_written_with_on_arrival_is_a_move_from_new_or_confirmed():
    # an order arrives new (with holds) or confirmed; an allocation before it is written moves it on from there
    check_transitions([('confirmed', 'allocated'), ('confirmed', 'backordered')])
    with pytest.raises(ValueError, match='new -> allocated'):
        check_transitions([('new', 'allocated')])


def test_an_order_whose_every_unit_cannot_be_reserved_is_not_written_at_all(make_product, stock):
    # the shop's way: every unit now or no order (place_order() counts first, under the same locks)
    tea = make_product('T-1')
    stock(tea, 1)
    parsed = parse_files('kura', [('k.csv', table(KURA_HEADER, [kura_row('SHORT', sku='T-1', quantity='2')],
                                                   encoding='utf-8'))])
    summary = plan('kura', parsed)
    with pytest.raises(NotReserved):
        create_orders('kura', summary.planned, reserve='all')
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Allocation)) == 0
    assert db.session.scalar(sa.select(StockLevel.allocated).where(StockLevel.product_id == tea.id)) == 0
    assert outbox() == []
