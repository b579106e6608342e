"""Files of the floor: carrier exports of a batch, tracking numbers back, mall confirmations, the daily report."""
import dataclasses
import io
import json

import pandas as pd
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.fulfilment import carrier_files, services
from app.fulfilment.models import PickBatch, Shipment, TrackingRange
from app.orders.models import Order
from importers.base import JST
from tests.factories import RAKUTEN_107_HEADER, rakuten_107_row, stored_order, table


def pack_all(floor, *externals):
    packer = floor['packer']
    for external in externals:
        order = stored_order(external)
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
    assert stored_order('F-1').number in text
    assert '060-0001' in text                 # the leading zero of the postal code kept


def test_tracking_numbers_from_the_carrier_are_set_on_packed_parcels(floor, runner, tmp_path):
    db.session.execute(sa.delete(TrackingRange))   # the carrier's software issues the numbers this time
    db.session.commit()
    services.create_pick_batch(actor=None)
    pack_all(floor, 'F-1', 'F-3')
    assert db.session.scalar(sa.select(Shipment.tracking_number).limit(1)) is None
    one, three, two = stored_order('F-1').number, stored_order('F-3').number, stored_order('F-2').number
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
    shipment = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == stored_order('F-1').id))
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
    shipment = db.session.scalar(sa.select(Shipment).where(Shipment.order_id == stored_order('F-1').id))
    assert shipment.tracking_number in message.text_body
    day = shipment.shipped_at.astimezone(JST).date()
    xlsx = tmp_path / 'day.xlsx'
    result = runner.invoke(args=['export', 'daily-shipments', '--date', day.isoformat(), '--format', 'xlsx',
                                 '-o', str(xlsx)])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(xlsx, sheet_name=None, header=1, dtype={'Tracking number': str})
    shipped = sheets['Shipments']
    assert len(shipped) == 3
    assert set(shipped['Order number']) == {stored_order(x).number for x in ('F-1', 'F-2', 'F-3')}
    assert shipped['Units'].sum() == 5
    totals = sheets['Totals']
    everything = totals[totals['Totalled by'] == 'All parcels'].iloc[0]
    assert (everything['Parcels'], everything['Units'], everything['Amount']) == \
        (3, 5, shipped['Amount'].sum())
    csv_path = tmp_path / 'day.csv'
    runner.invoke(args=['export', 'daily-shipments', '--date', day.isoformat(), '--encoding', 'cp932',
                        '-o', str(csv_path)])
    frame = pd.read_csv(csv_path, encoding='cp932', dtype=str)
    assert list(frame.columns) == ['Shipped at', 'Order number', 'Channel', "Channel's order ID", 'Carrier',
                                   'Tracking number', 'Prefecture', 'Lines', 'Units', 'Amount',
                                   'Cash on delivery', 'Packed by']
    assert frame['Tracking number'].str.len().eq(12).all()
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
    result = runner.invoke(args=['labels', 'shipping', stored_order('F-1').number, '-o', str(label)])
    assert result.exit_code == 0, result.output
    page = pdfium.PdfDocument(label.read_bytes())[0]
    codes = {r.text.strip('ABCD') for r in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil())}
    assert '444413758703' in codes
    assert runner.invoke(args=['labels', 'shipping', stored_order('F-2').number, '-o', str(label)]).exit_code == 1


def test_a_refused_label_request_prints_and_counts_nothing(floor, client, login):
    """Only a label actually made counts: the first is the print, the next ones reprints in the history."""
    from app.accounts.models import AuditEvent

    services.create_pick_batch(actor=None)
    pack_all(floor, 'F-1')
    db.session.commit()
    shipment = db.session.scalar(sa.select(Shipment))
    login('packer')

    def state():
        db.session.expire_all()
        return shipment.label_prints, db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == 'shipment.label_reprinted'))

    assert client.get(f'/shipments/{shipment.id}/label.pdf?layout=bogus').status_code == 400
    assert state() == (0, 0)
    assert client.get(f'/shipments/{shipment.id}/label.pdf').status_code == 200
    assert state() == (1, 0)
    assert client.get(f'/shipments/{shipment.id}/label.pdf?layout=a4-2up').status_code == 200
    assert state() == (2, 1)


def test_the_application_names_the_label_layouts_of_labels():
    from app.fulfilment.documents import LABEL_LAYOUTS
    from labels.shipping import LAYOUTS

    assert LABEL_LAYOUTS == LAYOUTS


def test_mall_confirmations_for_the_day(floor, client, login):
    batch = services.create_pick_batch(actor=None)
    pack_all(floor, 'F-1')
    services.ship_batch(db.session.get(PickBatch, batch.id), actor=None)
    db.session.commit()
    login('manager')
    shipment = db.session.scalar(sa.select(Shipment))
    day = shipment.shipped_at.astimezone(JST).date().isoformat()
    dashboard = client.get(f'/reports/?date={day}').text
    assert 'Shipping confirmations for the malls' in dashboard
    response = client.get(f'/reports/daily-shipments?date={day}&format=xlsx')
    assert len(pd.read_excel(io.BytesIO(response.data), sheet_name='Shipments', header=1)) == 1
    rakuten = client.get(f'/reports/mall-shipping/rakuten?date={day}')
    assert rakuten.status_code == 200   # the test orders are Kura CSV orders: the file has the header only
    assert rakuten.data.decode('cp932').startswith('注文番号,送付先ID')


def test_the_customer_sees_the_carrier_and_tracking_link_once_shipped(floor, client):
    from app.fulfilment.models import Shipment as ParcelShipment

    batch = services.create_pick_batch(actor=None)
    pack_all(floor, 'F-1')
    order = stored_order('F-1')
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
    page = client.get(f'/orders/{stored_order("F-3").id}').text
    assert 'Scan at S1: 4569951116179 (ok)' in page


def test_a_parcel_the_carrier_file_cannot_take_is_left_out_with_the_reason(floor):
    from app.orders.models import Order

    batch = services.create_pick_batch(actor=None)
    bad = stored_order('F-2')
    bad.ship_phone = '123'
    db.session.commit()
    result = carrier_files.export_batch(db.session.get(PickBatch, batch.id), 'yamato')
    assert bad.number in result.left_out
    assert f'{bad.number}: the ship-to phone number "123" must be 10 to 12 digits' in result.warnings
    assert stored_order('F-1').number in result.content.decode('cp932')
    assert db.session.get(Order, bad.id) is not None


def test_a_recipient_without_a_phone_is_listed_and_never_given_the_shops_number(floor, client, login):
    batch = services.create_pick_batch(actor=None)
    services.save_shipping_settings(dataclasses.replace(services.shipping_settings(), sender_phone='0120123456'),
                                    actor=None)
    no_phone = stored_order('F-2')
    no_phone.ship_phone = ''
    db.session.commit()

    result = carrier_files.export_batch(db.session.get(PickBatch, batch.id), 'yamato')

    text = result.content.decode('cp932')
    assert no_phone.number not in text
    assert stored_order('F-1').number in text
    assert all(row.split(',')[8] != '0120-123-456' for row in text.split('\r\n')[1:] if row)
    assert result.left_out == [no_phone.number]
    login('manager')
    page = client.get(f'/pick/{batch.id}/carrier/yamato').text
    assert f'{no_phone.number}: the recipient has no phone number, which B2 Cloud requires' in page


def test_a_written_window_reaches_the_file_and_one_no_slot_matches_is_listed(floor, client, login):
    batch = services.create_pick_batch(actor=None)
    db.session.commit()
    first, second = stored_order('F-1'), db.session.scalar(sa.select(Order).where(Order.external_order_id == 'F-2'))
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


def test_a_value_a_spreadsheet_would_run_is_warned_about_on_the_carrier_file_screen(floor, client, login):
    batch = services.create_pick_batch(actor=None)
    order = stored_order('F-2')
    order.lines[0].name = '=HYPERLINK("http://evil.example/","詳細")'
    db.session.commit()
    login('manager')
    page = client.get(f'/pick/{batch.id}/carrier/yamato').text
    assert f'{order.number}: column 28 &#34;=HYPERLINK(' in page and 'begins like a spreadsheet formula' in page
    download = client.get(f'/pick/{batch.id}/carrier/yamato?download=1').data.decode('cp932')
    assert '=HYPERLINK("http://evil.example/' in download.replace('""', '"')


def test_an_order_can_go_with_another_carrier(floor, client, login):
    login('clerk')
    order = stored_order('F-2')
    client.post(f'/orders/{order.id}/actions', data={'action': 'carrier', 'carrier': 'sagawa'})
    assert stored_order('F-2').carrier == 'sagawa'
    batch = services.create_pick_batch(carrier='sagawa', actor=None)
    assert [o.external_order_id for o in services.batch_orders(batch)] == ['F-2']


# ---------------------------------------------------------------------------------------------- cash on delivery

def cod_orders(*orders, header=None):
    """Rakuten cash-on-delivery orders in the 107-column layout (no tax rate per line), imported and allocated.

    :param orders: (order id, item code, quantity, unit price, 合計金額, 請求金額, buyer's family name)
    """
    from app.orders.importing import import_order_files

    header = header or RAKUTEN_107_HEADER
    rows = []
    for order_id, code, quantity, price, total, billed, name in orders:
        row = rakuten_107_row(order_id, **{
            '支払方法名': '代金引換', '送料合計': '0', '代引料合計': '330', '合計金額': total, '請求金額': billed,
            'ポイント利用額': '', 'クーポン利用総額': '', '商品管理番号': code, '商品番号': code, '単価': price,
            '個数': quantity, '税込別': '1', 'コメント': '', '項目・選択肢': '', 'お届け日指定': '', 'のし': '',
            'ラッピング名1': '', '注文者姓': name, '送付先姓': name})
        rows.append({column: value for column, value in row.items() if column in header})
    summary = import_order_files('rakuten', [('rakuten.csv', table(header, rows))])
    db.session.commit()
    assert summary.orders_created == len(orders) and not summary.problems
    return [stored_order(order[0]) for order in orders]


def carrier_rows(batch, carrier) -> tuple[dict[str, list[str]], object]:
    """The rows of a batch's carrier file by Kura's order number, and the export itself."""
    import csv

    result = carrier_files.export_batch(db.session.get(PickBatch, batch.id), carrier)
    number = COD_COLUMNS[carrier][0]
    rows = list(csv.reader(io.StringIO(result.content.decode('cp932'), newline='')))[1:]
    return {row[number]: row for row in rows}, result


#: where each carrier file has Kura's order number, the amount to collect and the tax in it
COD_COLUMNS = {'yamato': (0, 33, 34),     # 1 お客様管理番号, 34 コレクト代金引換額, 35 コレクト内消費税額等
               'sagawa': (9, 47, 48)}     # 10 お客様管理番号, 48 代引金額, 49 消費税


@pytest.mark.parametrize('carrier', ['yamato', 'sagawa'])
def test_cod_collects_the_amount_due_with_its_tax_at_the_goods_rates(floor, carrier):
    """Tea at 8 % (the product's rate: the file has none): 262 yen of tax, not the 314 of 10 % on everything."""
    from app.orders.services import set_carrier

    tea_order, cup_order = cod_orders(
        ('R-1', 'T-1', '3', '1044', '3462', '3462', '田中'),     # 3 x 1,044 tea + 330 COD fee
        ('R-2', 'W-1', '1', '2750', '3080', '2880', '山本'))     # 200 points used: 2,880 is owed
    assert [line.tax_rate for line in tea_order.lines] == [8]
    for order in (tea_order, cup_order):
        set_carrier(order, carrier, actor=None)
    db.session.commit()
    batch = services.create_pick_batch(channel='rakuten', actor=None)
    db.session.commit()

    rows, _ = carrier_rows(batch, carrier)
    _, amount, tax = COD_COLUMNS[carrier]
    # 3,132 x 8/108 = 232 and 330 x 10/110 = 30; at 10 % throughout it would be 3,462 x 10/110 = 314
    assert [rows[tea_order.number][i] for i in (amount, tax)] == ['3462', '262']
    # 2,880 of the 3,080 (all at 10 %): 2,880 x 10/110 = 261
    assert [rows[cup_order.number][i] for i in (amount, tax)] == ['2880', '261']
    if carrier == 'yamato':
        assert rows[tea_order.number][1] == '2'    # 送り状種別 コレクト


def test_the_packing_slip_taxes_each_rate_and_shows_the_points_under_a_billed_total(floor):
    from app.fulfilment import documents
    from labels.slips import adjustment, tax_by_rate

    tea_order, cup_order = cod_orders(('R-1', 'T-1', '3', '1044', '3462', '3462', '田中'),
                                      ('R-2', 'W-1', '1', '2750', '3080', '2880', '山本'))
    tea_slip, cup_slip = documents.packing_slips_data([tea_order, cup_order], prices='with')
    assert [(t.rate, t.amount, t.tax) for t in tax_by_rate(tea_slip)] == [(10, 330, 30), (8, 3132, 232)]
    assert (cup_slip.total, adjustment(cup_slip)) == (2880, -200)    # ポイント・値引き等


def test_a_combined_parcel_collects_the_sum_of_its_orders_amounts_due(floor):
    from app.orders.services import combine

    first, second = cod_orders(('R-1', 'T-1', '1', '864', '1194', '1094', '田中'),
                               ('R-2', 'W-1', '1', '2750', '3080', '3080', '田中'))
    carrier = combine([first, second], actor=None)
    db.session.commit()
    batch = services.create_pick_batch(channel='rakuten', actor=None)
    db.session.commit()
    yamato, _ = carrier_rows(batch, 'yamato')
    assert list(yamato) == [carrier.number]
    assert yamato[carrier.number][33] == str(1094 + 3080)


def test_a_cod_parcel_whose_amount_due_is_unknown_is_refused_until_a_clerk_enters_it(floor, client, login):
    """A file without 請求金額, points or coupons cannot say what is owed: no guess goes to the courier."""
    header = [name for name in RAKUTEN_107_HEADER if name not in ('請求金額', 'ポイント利用額', 'クーポン利用総額')]
    unknown, = cod_orders(('R-9', 'W-1', '1', '2750', '3080', '', '田中'), header=header)
    assert (unknown.total, unknown.amount_due) == (3080, None)
    known, = cod_orders(('R-1', 'W-1', '1', '2750', '3080', '3080', '山本'))
    batch = services.create_pick_batch(channel='rakuten', actor=None)
    db.session.commit()

    yamato, result = carrier_rows(batch, 'yamato')
    assert list(yamato) == [known.number]       # the rest of the file is made
    assert result.left_out == [unknown.number]
    message, = [w for w in result.warnings if w.startswith(unknown.number)]
    assert 'what the customer owes is not known' in message
    login('manager')
    page = client.get(f'/pick/{batch.id}/carrier/yamato').text
    # listed with the parcels left out, not among the values changed to fit
    left_out = page.split('flash flash-error', 1)[1].split('</div>', 1)[0]
    assert unknown.number in left_out and 'what the customer owes is not known' in left_out
    order_page = client.get(f'/orders/{unknown.id}').text
    assert 'not known' in order_page and 'no carrier file is made for this parcel' in order_page

    response = client.post(f'/orders/{unknown.id}/amount-due', data={'amount_due': '2880'})
    assert response.status_code == 302
    assert stored_order('R-9').amount_due == 2880
    yamato, result = carrier_rows(batch, 'yamato')
    assert yamato[unknown.number][33] == '2880'
    assert result.left_out == []
