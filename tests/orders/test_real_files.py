"""A real-layout mall file imported end to end: the catalogue's tax rates, tax-excluded prices, and what the
courier collects and when it delivers, on the Yamato and Sagawa files (issue #20; files in tests/data/)."""
import pathlib

from app.extensions import db
from app.fulfilment import carrier_files, services
from app.orders.importing import import_order_files
from app.settings.services import save_settings
from tests.factories import stored_order


DATA = pathlib.Path(__file__).resolve().parent.parent / 'data'


def test_the_older_rakuten_layout_takes_rates_from_the_catalogue_and_collects_the_billed_amount(make_product,
                                                                                                  stock):
    catalogue = {'sencha-toku-100': 8, 'chazutsu-buriki-200': 10, 'kyusu-shudei-350': 10, 'yunomi-2p': 10,
                 'kyusu-kokudei-300': 10, 'ureshino-100': 8}
    for sku, rate in catalogue.items():
        stock(make_product(sku, tax_rate=rate), 20)
    services.add_tracking_range('yamato', '44441375870', '44441375999', actor=None)
    name = 'rakuten-rpay-107col.csv'
    import_order_files('auto', [(name, (DATA / name).read_bytes())])
    db.session.commit()

    cod, excluded = stored_order('333267-20240415-0000000201'), stored_order('333267-20240416-0000000202')
    assert [(line.item_code, line.tax_rate) for line in cod.lines] == [('sencha-toku-100', 8),
                                                                       ('chazutsu-buriki-200', 10)]
    # 税込別 0: the 急須's 5,000 yen before tax is 5,500 with it
    assert [(line.item_code, line.unit_price) for line in excluded.lines] == [('kyusu-shudei-350', 5500),
                                                                              ('yunomi-2p', 3300)]
    assert (cod.total, cod.amount_due) == (5830, 5330)
    # the slip taxes the tea at 8 %, not 10 %: 2 x 1,620 yen holds 240 yen of tax
    from app.fulfilment.documents import packing_slips_data
    from labels.slips import tax_by_rate

    slip, = packing_slips_data([cod])
    assert [(r.rate, r.amount, r.tax) for r in tax_by_rate(slip) if r.rate == 8] == [(8, 3240, 240)]

    batch = services.create_pick_batch(actor=None)
    db.session.commit()
    assert cod.id in [o.id for o in services.batch_orders(batch)]
    # the courier collects 請求金額 (not 合計金額) and brings it in the window written １４：００～１６：００
    for carrier, slot in (('yamato', '1416'), ('sagawa', '14')):
        save_settings('shipping', services.ShippingSettings(default_carrier=carrier), actor=None)
        text = carrier_files.export_batch(batch, carrier).content.decode('cp932')
        cells = next(line for line in text.splitlines() if cod.number in line).replace('"', '').split(',')
        assert '5330' in cells and slot in cells and '5830' not in cells, (carrier, cells)
