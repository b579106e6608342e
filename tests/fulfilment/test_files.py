"""Files of the floor: carrier exports of a batch, tracking numbers back, mall confirmations, the daily report."""
import dataclasses
import datetime as dt
import io
import json

import pandas as pd
import sqlalchemy as sa

from app.extensions import db
from app.fulfilment import carrier_files, services
from app.fulfilment.models import PickBatch, Shipment, TrackingRange
from app.orders.models import Order
from tests.fulfilment.conftest import by_external


def pack_all(floor, *externals):
    packer = floor['packer']
    for external in externals:
        order = by_external(external)
        session = services.open_packing(order.number, station='S1', actor=packer).session
        for line in order.lines:
            for _ in range(line.quantity):
                services.scan(session, line.product.jan, actor=packer)
    db.session.commit()


def test_the_yamato_file_of_a_batch_holds_its_parcels(floor):
    batch = services.create_pick_batch(actor=None)
    db.session.commit()
    result = carrier_files.export_batch(batch, 'yamato')
    text = result.content.decode('cp932')
    rows = text.split('\r\n')
    assert len([r for r in rows if r]) == 4   # a header and three parcels
    assert by_external('F-1').number in text
    assert '060-0001' in text                 # the leading zero of the postal code kept


def test_tracking_numbers_from_the_carrier_are_set_on_packed_parcels(floor, runner, tmp_path):
    db.session.execute(sa.delete(TrackingRange))   # the carrier's software issues the numbers this time
    db.session.commit()
    services.create_pick_batch(actor=None)
    pack_all(floor, 'F-1', 'F-3')
    assert db.session.scalar(sa.select(Shipment.tracking_number).limit(1)) is None
    one, three, two = by_external('F-1').number, by_external('F-3').number, by_external('F-2').number
    data = (f'注文番号,送り状番号\r\n{one},444413758703\r\n{three},444413758704\r\n'
            f'{two},512547514334\r\nK09999999,405548424886\r\n').encode('cp932')
    path = tmp_path / 'b2.csv'
    path.write_bytes(data)
    result = runner.invoke(args=['import-tracking', '--carrier', 'yamato', str(path), '--json'])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [r['order_number'] for r in report['matched']] == [one]
    assert [r['order_number'] for r in report['bad_check_digit']] == [three]
    assert [r['order_number'] for r in report['unknown_order']] == [two, 'K09999999']  # F-2 is not packed
    assert sum(len(report[k]) for k in ('matched', 'unchanged', 'unknown_order', 'duplicate', 'bad_check_digit',
                                        'already_set')) == 4
    shipment = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == by_external('F-1').id))
    assert shipment.tracking_number == '444413758703'
    again = json.loads(runner.invoke(args=['import-tracking', '--carrier', 'yamato', str(path), '--json']).output)
    assert [r['order_number'] for r in again['unchanged']] == [one]


def test_shipping_writes_the_email_and_the_mall_confirmation_and_the_daily_report(floor, runner, tmp_path):
    from app.notifications.models import EmailMessage
    from app.notifications.services import MailSettings, save_mail_settings

    # these are Kura CSV orders, which count as mall orders: the shop tells their buyers itself
    save_mail_settings(MailSettings(send_mall_shipping_confirmation=True), actor=None)
    batch = services.create_pick_batch(actor=None)
    pack_all(floor, 'F-1', 'F-2', 'F-3')
    result = runner.invoke(args=['ship', '--batch', batch.code])
    assert result.exit_code == 0, result.output
    assert '3 parcels shipped' in result.output
    message = db.session.scalar(sa.select(EmailMessage).where(EmailMessage.kind == 'shipping_confirmation')
                                .order_by(EmailMessage.id))
    shipment = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == by_external('F-1').id))
    assert shipment.tracking_number in message.text_body
    day = shipment.shipped_at.astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    xlsx = tmp_path / 'day.xlsx'
    result = runner.invoke(args=['export', 'daily-shipments', '--date', day.isoformat(), '--format', 'xlsx',
                                 '-o', str(xlsx)])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(xlsx, sheet_name=None, dtype={'tracking_number': str})
    shipped = sheets['shipments']
    assert len(shipped) == 3
    assert set(shipped['order_number']) == {by_external(x).number for x in ('F-1', 'F-2', 'F-3')}
    assert shipped['quantity'].sum() == 5
    totals = sheets['totals']
    everything = totals[totals['by'] == 'all'].iloc[0]
    assert (everything['parcels'], everything['quantity'], everything['amount']) == \
        (3, 5, shipped['amount'].sum())
    csv_path = tmp_path / 'day.csv'
    runner.invoke(args=['export', 'daily-shipments', '--date', day.isoformat(), '--encoding', 'cp932',
                        '-o', str(csv_path)])
    frame = pd.read_csv(csv_path, encoding='cp932', dtype=str)
    assert list(frame.columns) == ['shipped_at', 'order_number', 'channel', 'channel_order_id', 'carrier',
                                   'tracking_number', 'ship_prefecture', 'items', 'quantity', 'amount',
                                   'cod_amount', 'packed_by']
    assert frame['tracking_number'].str.len().eq(12).all()
    nothing = tmp_path / 'other.csv'
    runner.invoke(args=['export', 'daily-shipments', '--date', '2001-01-01', '-o', str(nothing)])
    assert len(pd.read_csv(nothing, encoding='utf-8-sig')) == 0


def test_pick_list_and_label_pdfs_from_the_command_line(floor, runner, tmp_path):
    import pypdfium2 as pdfium
    import zxingcpp

    result = runner.invoke(args=['pick', 'create', '--json'])
    report = json.loads(result.output)
    assert (report['orders'], report['lines']) == (3, 4)
    pdf = tmp_path / 'pick.pdf'
    assert runner.invoke(args=['labels', 'picklist', report['batch'], '-o', str(pdf)]).exit_code == 0
    page = pdfium.PdfDocument(pdf.read_bytes())[0]
    codes = {r.text for r in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())}
    assert report['batch'] in codes
    pack_all(floor, 'F-1')
    label = tmp_path / 'label.pdf'
    result = runner.invoke(args=['labels', 'shipping', by_external('F-1').number, '-o', str(label)])
    assert result.exit_code == 0, result.output
    page = pdfium.PdfDocument(label.read_bytes())[0]
    codes = {r.text.strip('ABCD') for r in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())}
    assert '444413758703' in codes
    assert runner.invoke(args=['labels', 'shipping', by_external('F-2').number, '-o', str(label)]).exit_code == 1


def test_mall_confirmations_for_the_day(floor, client, login):
    batch = services.create_pick_batch(actor=None)
    pack_all(floor, 'F-1')
    services.ship_batch(db.session.get(PickBatch, batch.id), actor=None)
    db.session.commit()
    login('manager')
    shipment = db.session.scalar(sa.select(Shipment))
    day = shipment.shipped_at.astimezone(dt.timezone(dt.timedelta(hours=9))).date().isoformat()
    dashboard = client.get(f'/reports/?date={day}').text
    assert 'Shipping confirmations for the malls' in dashboard
    response = client.get(f'/reports/daily-shipments?date={day}&format=xlsx')
    assert len(pd.read_excel(io.BytesIO(response.data), sheet_name='shipments')) == 1
    rakuten = client.get(f'/reports/mall-shipping/rakuten?date={day}')
    assert rakuten.status_code == 200   # the test orders are Kura CSV orders: the file has the header only
    assert rakuten.data.decode('cp932').startswith('注文番号,送付先ID')


def test_the_customer_sees_the_carrier_and_tracking_link_once_shipped(floor, client):
    from app.fulfilment.models import Shipment as ParcelShipment

    batch = services.create_pick_batch(actor=None)
    pack_all(floor, 'F-1')
    order = by_external('F-1')
    number, email = order.number, order.buyer_email
    db.session.commit()
    before = client.post('/shop/order-status', data={'number': number, 'email': email}).text
    assert '444413758703' not in before
    services.ship_batch(db.session.get(PickBatch, batch.id), actor=None)
    db.session.commit()
    after = client.post('/shop/order-status', data={'number': number, 'email': email}).text
    assert 'ヤマト運輸' in after
    assert 'number01=444413758703' in after
    assert db.session.scalar(sa.select(ParcelShipment.shipped_at)) is not None


def test_the_order_timeline_shows_the_scans(floor, client, login):
    services.create_pick_batch(actor=None)
    pack_all(floor, 'F-3')
    login('clerk')
    page = client.get(f'/orders/{by_external("F-3").id}').text
    assert 'Scan at S1: 4569951116179 (ok)' in page


def test_a_parcel_the_carrier_file_cannot_take_is_left_out_with_the_reason(floor):
    from app.orders.models import Order

    batch = services.create_pick_batch(actor=None)
    bad = by_external('F-2')
    bad.ship_phone = '123'
    db.session.commit()
    result = carrier_files.export_batch(db.session.get(PickBatch, batch.id), 'yamato')
    assert bad.number in result.left_out
    assert f'{bad.number}: the ship-to phone number "123" must be 10 to 12 digits' in result.warnings
    assert by_external('F-1').number in result.content.decode('cp932')
    assert db.session.get(Order, bad.id) is not None


def test_a_recipient_without_a_phone_is_listed_and_never_given_the_shops_number(floor, client, login):
    batch = services.create_pick_batch(actor=None)
    services.save_shipping_settings(dataclasses.replace(services.shipping_settings(), sender_phone='0120123456'),
                                    actor=None)
    no_phone = by_external('F-2')
    no_phone.ship_phone = ''
    db.session.commit()

    result = carrier_files.export_batch(db.session.get(PickBatch, batch.id), 'yamato')

    text = result.content.decode('cp932')
    assert no_phone.number not in text
    assert by_external('F-1').number in text
    assert all(row.split(',')[8] != '0120-123-456' for row in text.split('\r\n')[1:] if row)
    assert result.left_out == [no_phone.number]
    login('manager')
    page = client.get(f'/pick/{batch.id}/carrier/yamato').text
    assert f'{no_phone.number}: the recipient has no phone number, which B2 Cloud requires' in page


def test_a_written_window_reaches_the_file_and_one_no_slot_matches_is_listed(floor, client, login):
    batch = services.create_pick_batch(actor=None)
    db.session.commit()
    first, second = by_external('F-1'), db.session.scalar(sa.select(Order).where(Order.external_order_id == 'F-2'))
    first.delivery_time_slot = '14：00～16：00'   # as Rakuten writes it, kept as written
    second.delivery_time_slot = '10:00-12:00'    # no Yamato slot
    db.session.commit()

    result = carrier_files.export_batch(db.session.get(PickBatch, batch.id), 'yamato')

    rows = {row.split(',')[0]: row.split(',') for row in result.content.decode('cp932').split('\r\n')[1:] if row}
    assert (rows[first.number][6], rows[second.number][6]) == ('1416', '')
    assert first.delivery_time_slot == '14：00～16：00'
    assert result.unmatched_windows == [
        f'{second.number}: the delivery window "10:00-12:00" matches no Yamato Transport time slot (午前中, '
        "14-16, 16-18, 18-20, 19-21): the parcel is in the file without one. Tell the carrier, or change the "
        "order's time slot and make the file again"]
    login('manager')
    page = client.get(f'/pick/{batch.id}/carrier/yamato').text
    assert 'Delivery windows no time slot matches (1)' in page
    assert f'{second.number}: the delivery window &#34;10:00-12:00&#34; matches no Yamato Transport time slot' in page


def test_an_order_can_go_with_another_carrier(floor, client, login):
    login('clerk')
    order = by_external('F-2')
    client.post(f'/orders/{order.id}/actions', data={'action': 'carrier', 'carrier': 'sagawa'})
    assert by_external('F-2').carrier == 'sagawa'
    batch = services.create_pick_batch(carrier='sagawa', actor=None)
    assert [o.external_order_id for o in services.batch_orders(batch)] == ['F-2']
