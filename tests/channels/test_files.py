"""Each mall's stock file, byte for byte, against a reference written from the layout in docs/formats.md."""
import pytest

from exporters.channel_stock import CHANNEL_STOCK_FILES, ROW_LIMITS, ChannelStockRow


ROWS = [ChannelStockRow('tokoname-kyusu-kuro', 'tokoname-kyusu', 5, '倉庫'),
        ChannelStockRow('00123', '', 0, '倉庫'),
        ChannelStockRow('a,b"c', 'p', 12, '倉庫')]


def test_rakuten_is_the_sku_csv_in_cp932_with_crlf():
    result = CHANNEL_STOCK_FILES['rakuten'](ROWS)
    expected = ('商品管理番号（商品URL）,SKU管理番号,在庫数\r\n'
                'tokoname-kyusu,tokoname-kyusu-kuro,5\r\n'
                ',00123,0\r\n'
                'p,"a,b""c",12\r\n').encode('cp932')
    assert result.content == expected
    assert result.filename.endswith('.csv')


def test_yahoo_is_the_quantity_csv_with_code_sub_code_mode_and_no_overdraft():
    result = CHANNEL_STOCK_FILES['yahoo'](ROWS)
    expected = ('code,sub-code,quantity,mode,allow-overdraft\r\n'
                'tokoname-kyusu,tokoname-kyusu-kuro,5,,0\r\n'
                '00123,,0,,0\r\n'
                'p,"a,b""c",12,,0\r\n').encode('cp932')
    assert result.content == expected


def test_amazon_is_the_tab_separated_price_and_quantity_file_with_only_sku_and_quantity():
    result = CHANNEL_STOCK_FILES['amazon'](ROWS)
    expected = ('sku\tprice\tminimum-seller-allowed-price\tmaximum-seller-allowed-price\tquantity\thandling-time\t'
                'fulfillment-channel\r\n'
                'tokoname-kyusu-kuro\t\t\t\t5\t\t\r\n'
                '00123\t\t\t\t0\t\t\r\n'
                'a,b"c\t\t\t\t12\t\t\r\n').encode('cp932')
    assert result.content == expected
    assert result.filename.endswith('.txt')


def test_shopify_is_the_inventory_csv_on_hand_new_per_location_in_utf8_without_bom_with_lf():
    result = CHANNEL_STOCK_FILES['shopify'](ROWS)
    expected = ('Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,'
                'SKU,Location,On hand (new)\n'
                'tokoname-kyusu,,,,,,,,tokoname-kyusu-kuro,倉庫,5\n'
                ',,,,,,,,00123,倉庫,0\n'
                'p,,,,,,,,"a,b""c",倉庫,12\n').encode()
    assert result.content == expected
    assert not result.content.startswith(b'\xef\xbb\xbf')


@pytest.mark.parametrize('channel', sorted(CHANNEL_STOCK_FILES))
def test_the_same_rows_give_the_same_bytes(channel):
    assert CHANNEL_STOCK_FILES[channel](list(ROWS)).content == CHANNEL_STOCK_FILES[channel](list(ROWS)).content


@pytest.mark.parametrize('channel', [c for c, limit in ROW_LIMITS.items() if limit])
def test_a_file_beyond_the_malls_row_limit_is_refused_not_cut_silently(channel):
    rows = [ChannelStockRow(f'c{n}', '', 1) for n in range(ROW_LIMITS[channel] + 1)]
    with pytest.raises(ValueError, match='at most'):
        CHANNEL_STOCK_FILES[channel](rows)


def test_a_negative_quantity_is_never_written():
    with pytest.raises(ValueError, match='never negative'):
        ChannelStockRow('x', '', -1)
