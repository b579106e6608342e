"""The floor screens over HTTP: pick batches, the packing station, the dock, mis-scan report."""
import sqlalchemy as sa

from app.extensions import db
from app.fulfilment.models import PickBatch, ScanEvent, Shipment
from tests.factories import stored_order


def station(client, name='梱包1'):
    client.post('/pack/', data={'station': name})


def scan(client, code):
    return client.post('/pack/scan', data={'code': code}, headers={'HX-Request': 'true'})


def pack_f3(client) -> Shipment:
    """At this client's station, pack F-3 (one tea) by scanning; its shipment."""
    station(client)
    scan(client, stored_order('F-3').number)
    scan(client, '4569951116179')
    return db.session.scalar(sa.select(Shipment).where(Shipment.order_id == stored_order('F-3').id))


def test_making_a_pick_batch_on_the_screen(client, login, floor):
    login('packer')
    page = client.get('/pick/').text
    assert '3 allocated orders are ready to pick.' in page
    response = client.post('/pick/', data={'carrier': '', 'channel': '', 'items': ''})
    batch = db.session.scalar(sa.select(PickBatch))
    assert response.headers['Location'] == f'/pick/{batch.id}'
    detail = client.get(f'/pick/{batch.id}').text
    assert stored_order('F-1').number in detail
    nothing = client.post('/pick/', data={}, follow_redirects=True).text
    assert 'nothing to pick' in nothing


def test_the_station_packs_by_scanning_and_stops_hard_on_a_wrong_item(client, login, floor):
    login('packer')
    client.post('/pick/', data={})
    assert 'Station name' in client.get('/pack/').text
    station(client)
    page = client.get('/pack/').text
    assert 'autofocus' in page and 'Scan the order barcode or type the order number' in page
    number = stored_order('F-1').number
    opened = scan(client, number)
    assert opened.status_code == 200
    assert opened.headers['HX-Trigger'] == 'scanOk'
    assert '髙﨑の緑茶 ①' in opened.text and 'Scan each unit' in opened.text
    ok = scan(client, '4569951116179')
    assert 'scan-result ok' in ok.text
    wrong = scan(client, '4912345000019')
    assert wrong.status_code == 422
    assert wrong.headers['HX-Trigger'] == 'scanError'
    assert 'WRONG ORDER' in wrong.text and 'data-blocked="1"' in wrong.text
    refused = scan(client, '4569951116179')   # nothing more is accepted until acknowledged
    assert refused.status_code == 422
    assert 'WRONG ORDER' in refused.text   # the original error stays on screen
    assert db.session.scalars(sa.select(ScanEvent.result).order_by(ScanEvent.id.desc())).first() == 'blocked'
    acked = client.post('/pack/ack', headers={'HX-Request': 'true'}).text
    assert 'data-blocked="0"' in acked and f'Stop cleared: go on scanning {number}.' in acked
    scan(client, '4569951116179')
    packed = scan(client, '4901234567894')
    assert f'Order {number} is packed.' in packed.text
    shipment = db.session.scalar(sa.select(Shipment))
    assert f'/shipments/{shipment.id}/label.pdf' in packed.text
    assert 'data-autoprint="label"' in packed.text
    assert stored_order('F-1').status == 'packed'


def test_a_supervisor_overrides_at_the_station_with_their_password(client, login, floor, make_user):
    from tests.conftest import PASSWORD

    login('packer')
    client.post('/pick/', data={})
    station(client)
    scan(client, stored_order('F-3').number)
    line_id = stored_order('F-3').lines[0].id
    refused = client.post('/pack/override', data={'line_id': line_id, 'email': floor['manager'].email,
                                                  'password': 'wrong password', 'reason': '破損'},
                          headers={'HX-Request': 'true'})
    assert refused.status_code == 422
    assert 'The supervisor e-mail or password is wrong.' in refused.text
    done = client.post('/pack/override', data={'line_id': line_id, 'email': floor['manager'].email,
                                               'password': PASSWORD, 'reason': 'JAN破損'},
                       headers={'HX-Request': 'true'})
    assert 'Counted by override' in done.text or 'is packed' in done.text
    assert db.session.scalar(sa.select(ScanEvent.message).where(ScanEvent.result == 'override')) == 'JAN破損'


def test_guessing_a_managers_password_at_the_station_is_stopped_after_five(client, login, floor):
    from tests.conftest import PASSWORD

    login('packer')
    client.post('/pick/', data={})
    station(client)
    scan(client, stored_order('F-3').number)
    line_id = stored_order('F-3').lines[0].id

    def override(password):
        return client.post('/pack/override', data={'line_id': line_id, 'email': floor['manager'].email,
                                                   'password': password, 'reason': '破損'},
                           headers={'HX-Request': 'true'})
    assert [override(f'guess {n}').status_code for n in range(5)] == [422] * 5
    locked = override(PASSWORD)   # the right one, too late: it is not even checked
    assert locked.status_code == 429 and 'Too many wrong passwords' in locked.text
    assert db.session.scalar(sa.select(sa.func.count(ScanEvent.id)).where(ScanEvent.result == 'override')) == 0


def test_the_dock_ships_a_parcel_by_its_label_and_refuses_an_unpacked_one(client, login, floor):
    login('packer')
    client.post('/pick/', data={})
    shipment = pack_f3(client)
    shipped = client.post('/dock/', data={'code': f'A{shipment.tracking_number}A'}, headers={'HX-Request': 'true'})
    assert shipped.status_code == 200
    assert f'{stored_order("F-3").number} shipped' in shipped.text
    assert stored_order('F-3').status == 'shipped'
    refused = client.post('/dock/', data={'code': stored_order('F-1').number}, headers={'HX-Request': 'true'})
    assert refused.status_code == 422


def test_managers_see_mis_scans_per_packer_and_day(client, login, floor):
    login('packer')
    client.post('/pick/', data={})
    station(client)
    scan(client, stored_order('F-1').number)
    scan(client, '9999999999999')
    client.post('/logout')
    login('manager')
    report = client.get('/pack/report').text
    assert 'Mis-scans per packer and day' in report
    assert '<td class="num bad">1</td>' in report


def test_a_manager_sets_the_sender_and_adds_a_tracking_range(client, login):
    from app.fulfilment import services
    from app.fulfilment.models import TrackingRange

    login('manager')
    assert client.get('/settings/shipping').status_code == 200
    response = client.post('/settings/shipping', data={
        'what': 'settings', 'settings-default_carrier': 'sagawa', 'settings-sender_name': '蔵 出荷センター',
        'settings-sender_postal_code': '０６０－０００１', 'settings-sender_prefecture': '北海道',
        'settings-sender_city': '札幌市中央区', 'settings-sender_address1': '北一条西1', 'settings-sender_address2': '',
        'settings-sender_phone': '011-123-4567', 'settings-require_label_scan': 'y',
        'settings-return_policy': '7日以内'})
    assert response.status_code == 302
    settings = services.shipping_settings()
    assert (settings.default_carrier, settings.sender_postal_code, settings.sender_phone,
            settings.require_label_scan) == ('sagawa', '0600001', '0111234567', True)
    wrong_code = client.post('/settings/shipping', data={
        'what': 'settings', 'settings-default_carrier': 'yamato', 'settings-sender_name': '蔵',
        'settings-sender_postal_code': '12345', 'settings-sender_prefecture': '北海道',
        'settings-sender_city': '札幌市中央区', 'settings-sender_address1': '北一条西1', 'settings-sender_address2': '',
        'settings-sender_phone': '011-123-4567', 'settings-return_policy': ''})
    assert 'A postal code has 7 digits' in wrong_code.text and 'value="12345"' in wrong_code.text   # typed, kept
    assert services.shipping_settings().default_carrier == 'sagawa'      # nothing saved
    bad = client.post('/settings/shipping', data={'what': 'range', 'range-carrier': 'sagawa',
                                                  'range-first': '51254751499', 'range-last': '51254751430',
                                                  'range-warn_below': '10'})
    assert 'The last number comes before the first.' in bad.text
    client.post('/settings/shipping', data={'what': 'range', 'range-carrier': 'sagawa', 'range-first': '512547514334',
                                            'range-last': '51254751499', 'range-warn_below': '10'})
    tracking_range = db.session.scalar(sa.select(TrackingRange))
    assert (tracking_range.first_body, tracking_range.remaining) == (51254751433, 67)


def test_shipping_a_whole_batch_asks_with_the_count_and_ships_nothing_if_it_changed(client, login, floor):
    login('packer')
    client.post('/pick/', data={})
    batch = db.session.scalar(sa.select(PickBatch))
    assert 'Ship every packed parcel' not in client.get(f'/pick/{batch.id}').text   # nothing packed: no button
    pack_f3(client)
    page = client.get(f'/pick/{batch.id}').text
    assert 'Ship 1 packed parcel of ' in page and 'name="count" value="1"' in page
    stale = client.post(f'/pick/{batch.id}/ship', data={'count': '2'}, follow_redirects=True).text
    assert 'The batch changed while you confirmed: 1 parcels are ready now.' in stale
    assert stored_order('F-3').status == 'packed'
    shipped = client.post(f'/pick/{batch.id}/ship', data={'count': '1'}, follow_redirects=True).text
    assert '1 parcels shipped.' in shipped
    assert stored_order('F-3').status == 'shipped'


def test_after_a_reload_the_station_still_offers_the_label_and_the_slip_of_the_parcel_just_packed(client, login,
                                                                                                  floor):
    login('packer')
    client.post('/pick/', data={})
    shipment = pack_f3(client)
    page = client.get('/pack/').text
    assert f'/shipments/{shipment.id}/label.pdf' in page and f'/orders/{stored_order("F-3").id}/slip.pdf' in page
    assert 'data-autoprint' not in page          # a reload does not print the label again
    assert 'Last packed:' in page
    scan(client, stored_order('F-1').number)      # the next order: the last parcel's buttons go
    assert f'/shipments/{shipment.id}/label.pdf' not in client.get('/pack/').text
