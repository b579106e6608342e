"""Shipping confirmations for the malls: exact headers, encoding, one row per shipment or item, carrier codes."""
import datetime

import pytest

from exporters.carriers import CarrierExport
from exporters.mall_shipping import MALL_CONFIRMATIONS, MallShipment


SHIPPED = datetime.date(2026, 9, 8)


@pytest.fixture(autouse=True)
def app_context():
    """Replaces the application context of tests/conftest.py: format code needs no app and no database."""


def shipped(channel: str, external_order_id: str, **changes) -> MallShipment:
    values = {'channel': channel, 'external_order_id': external_order_id, 'order_number': 'K00000123',
              'tracking_number': '444413758703', 'carrier': 'yamato', 'shipped_on': SHIPPED, **changes}
    return MallShipment(**values)


def lines(result: CarrierExport) -> list[str]:
    text = result.content.decode('cp932')
    assert text.endswith('\r\n') and text.count('\n') == text.count('\r\n')
    return text.split('\r\n')[:-1]


# ---------------------------------------------------------------------------------------------- Rakuten

def test_rakuten_shipping_file():
    result = MALL_CONFIRMATIONS['rakuten']([
        shipped('rakuten', '333267-20260901-0000000001', order_number='K00000001', tracking_number='4444-1375-8703'),
        shipped('rakuten', '333267-20260901-0000000002', order_number='K00000002', carrier='clickpost',
                tracking_number='193715301010', destination_id='0123456789',
                shipped_on=datetime.date(2026, 9, 9)),
    ])
    assert (result.filename, result.mimetype) == ('rakuten-shipping-20260909.csv', 'text/csv')
    assert not result.content.startswith(b'\xef\xbb\xbf')
    assert lines(result) == [
        '注文番号,送付先ID,発送明細ID,お荷物伝票番号,配送会社,発送日',
        '333267-20260901-0000000001,,,444413758703,1001,2026-09-08',
        '333267-20260901-0000000002,0123456789,,193715301010,1003,2026-09-09',
    ]
    assert result.content.startswith('注文番号'.encode('cp932'))
    assert result.warnings == []


@pytest.mark.parametrize(('carrier', 'rakuten', 'yahoo', 'amazon'), [
    ('yamato', '1001', '1001', 'Yamato Transport'), ('sagawa', '1002', '1002', 'Sagawa Express'),
    ('japanpost', '1003', '1003', 'Japan Post'), ('clickpost', '1003', '1003', 'Japan Post'),
])
def test_carrier_codes(carrier, rakuten, yahoo, amazon):
    def row(channel: str, sep: str) -> list[str]:
        return lines(MALL_CONFIRMATIONS[channel]([shipped(channel, 'X-1', carrier=carrier)]))[1].split(sep)

    assert row('rakuten', ',')[4] == rakuten
    assert row('yahoo', ',')[1] == yahoo
    assert row('amazon', '\t')[4:6] == [amazon, amazon]


def test_an_unknown_carrier_is_refused():
    with pytest.raises(ValueError, match='carrier must be one of'):
        shipped('rakuten', 'R-1', carrier='fukuyama')


# ----------------------------------------------------------------------------------------------- Amazon

def test_amazon_confirmation_has_one_row_per_item_and_per_order_without_items():
    result = MALL_CONFIRMATIONS['amazon']([
        shipped('amazon', '503-3718261-3217429', items=(('41483244219702', 2), ('41483244219703', 1))),
        shipped('amazon', '250-0000000-0000000', order_number='K00000124', carrier='sagawa',
                tracking_number='512547514334'),
    ])
    assert (result.filename, result.mimetype) == ('amazon-shipping-confirmation-20260908.txt',
                                                  'text/tab-separated-values')
    assert lines(result) == [
        'order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method',
        '503-3718261-3217429\t41483244219702\t2\t2026-09-08\tYamato Transport\tYamato Transport\t444413758703\t宅急便',
        '503-3718261-3217429\t41483244219703\t1\t2026-09-08\tYamato Transport\tYamato Transport\t444413758703\t宅急便',
        '250-0000000-0000000\t\t\t2026-09-08\tSagawa Express\tSagawa Express\t512547514334\t飛脚宅配便',
    ]
    with pytest.raises(UnicodeDecodeError):
        result.content.decode('utf-8')


# ------------------------------------------------------------------------------------------------ Yahoo

def test_yahoo_ship_status_file():
    result = MALL_CONFIRMATIONS['yahoo']([
        shipped('yahoo', 'store-10000001', carrier='japanpost', tracking_number='405548424886'),
        shipped('yahoo', 'store-10000002', order_number='K00000124'),
    ])
    assert (result.filename, result.mimetype) == ('yahoo-ship-status-20260908.csv', 'text/csv')
    assert lines(result) == [
        'OrderId,ShipCompanyCode,ShipInvoiceNumber1,ShipInvoiceNumber2,ShipDate,ShipStatus',
        'store-10000001,1003,405548424886,,20260908,3',
        'store-10000002,1001,444413758703,,20260908,3',
    ]


# ---------------------------------------------------------------------------------------- left out, listed

@pytest.mark.parametrize('channel', ['rakuten', 'amazon', 'yahoo'])
def test_other_channels_and_missing_tracking_numbers_are_left_out_with_a_warning(channel):
    other = 'yahoo' if channel != 'yahoo' else 'rakuten'
    result = MALL_CONFIRMATIONS[channel]([
        shipped(channel, 'X-1', order_number='K00000001'),
        shipped(other, 'X-2', order_number='K00000002'),
        shipped(channel, 'X-3', order_number='K00000003', tracking_number=' '),
    ])
    assert len(lines(result)) == 2
    assert result.left_out == ['K00000002', 'K00000003']
    assert result.warnings == [f'K00000002: a {other} order, not {channel}: left out of the {channel} file',
                               f'K00000003: no tracking number yet: left out of the {channel} file']
