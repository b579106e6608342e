"""What tests build: files as the malls write them, products' JANs, and orders made the way Kura makes them.

Test modules take their builders from here (and their fixtures from the conftests), never from another test
module, so that a test file can be moved or deleted without breaking the others.
"""
import csv
import io
import itertools

import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import EmailMessage
from app.orders.importing import import_order_files
from app.orders.models import Order
from importers.codes import with_jan_check_digit


# ================================================================================================ mall files

# names and addresses carry the characters CP932 has and Shift_JIS does not
NAME = '髙﨑 ①子'
ADDRESS = '北一条西１丁目２－３ ㈱髙﨑～ビル ①号室'


def table(header: list[str], rows: list[dict[str, str]], *, encoding: str = 'cp932', delimiter: str = ',',
          bom: bool = False, quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    """A file as a mall writes it: a header row, then rows given as {column: value}, CRLF line ends.

    With quoting=csv.QUOTE_NONE every value is written exactly as given, quotes included.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator='\r\n', quoting=quoting,
                        quotechar=None if quoting == csv.QUOTE_NONE else '"')
    writer.writerow(header)
    for row in rows:
        assert set(row) <= set(header), set(row) - set(header)
        writer.writerow([row.get(name, '') for name in header])
    return (b'\xef\xbb\xbf' if bom else b'') + out.getvalue().encode(encoding)


def columns(header: str, sep: str = ',') -> list[str]:
    """A header line as formats.md quotes it, split into column names."""
    return header.split(sep)


# ---------------------------------------------------------------------------------------------- Rakuten

RAKUTEN_HEADER = columns(
    '注文番号,ステータス,サブステータスID,サブステータス,注文日時,注文日,注文時間,キャンセル期限日,注文確認日時,'
    '注文確定日時,発送指示日時,発送完了報告日時,支払方法名,クレジットカード支払い方法,クレジットカード支払い回数,'
    '配送方法,配送区分,注文種別,複数送付先フラグ,送付先一致フラグ,離島フラグ,楽天確認中フラグ,警告表示タイプ,'
    '楽天会員フラグ,購入履歴修正有無フラグ,商品合計金額,消費税合計,送料合計,代引料合計,請求金額,合計金額,'
    'ポイント利用額,クーポン利用総額,店舗発行クーポン利用額,楽天発行クーポン利用額,注文者郵便番号1,注文者郵便番号2,'
    '注文者住所都道府県,注文者住所郡市区,注文者住所それ以降の住所,注文者姓,注文者名,注文者姓カナ,注文者名カナ,'
    '注文者電話番号1,注文者電話番号2,注文者電話番号3,注文者メールアドレス,注文者性別,申込番号,申込お届け回数,'
    '送付先ID,送付先送料,送付先代引料,送付先消費税合計,送付先商品合計金額,送付先合計金額,のし,送付先郵便番号1,'
    '送付先郵便番号2,送付先住所都道府県,送付先住所郡市区,送付先住所それ以降の住所,送付先姓,送付先名,送付先姓カナ,'
    '送付先名カナ,送付先電話番号1,送付先電話番号2,送付先電話番号3,商品明細ID,商品ID,商品名,商品番号,商品管理番号,'
    '単価,個数,送料込別,税込別,代引手数料込別,項目・選択肢,ポイント倍率,納期情報,在庫タイプ,ラッピングタイトル1,'
    'ラッピング名1,ラッピング料金1,ラッピング税込別1,ラッピング種類1,ラッピングタイトル2,ラッピング名2,'
    'ラッピング料金2,ラッピング税込別2,ラッピング種類2,お届け時間帯,お届け日指定,担当者,ひとことメモ,'
    'メール差込文 (お客様へのメッセージ),ギフト配送希望,コメント,利用端末,メールキャリアコード,あす楽希望フラグ,'
    '医薬品受注フラグ,楽天スーパーDEAL商品受注フラグ,メンバーシッププログラム受注タイプ,商品税率,SKU管理番号'
)


def rakuten_row(order_id: str = '333267-20251007-0000000001', **values: str) -> dict[str, str]:
    """One item row of a 楽天ペイ order, with order columns filled as Rakuten repeats them on every row."""
    row = {
        '注文番号': order_id, '注文日時': '2025-10-07 09:50:26', '支払方法名': 'クレジットカード',
        '送料合計': '0', '代引料合計': '0', '合計金額': '3240',
        '注文者姓': '髙﨑', '注文者名': '①子', '注文者姓カナ': 'タカサキ', '注文者名カナ': 'イチコ',
        '注文者電話番号1': '03', '注文者電話番号2': '1234', '注文者電話番号3': '5678',
        '注文者メールアドレス': 'ichiko@example.jp', '送付先ID': '1000000001',
        '送付先郵便番号1': '060', '送付先郵便番号2': '0001', '送付先住所都道府県': '北海道',
        '送付先住所郡市区': '札幌市中央区', '送付先住所それ以降の住所': ADDRESS,
        '送付先姓': '髙﨑', '送付先名': '①子', '送付先姓カナ': 'タカサキ', '送付先名カナ': 'イチコ',
        '送付先電話番号1': '03', '送付先電話番号2': '1234', '送付先電話番号3': '5678',
        'のし': '御祝', 'ラッピング名1': 'ギフト包装', 'お届け時間帯': '14:00～16:00', 'お届け日指定': '2025/10/10',
        'コメント': '午前中は不在です, 夕方にお願いします',
        '商品明細ID': '100000000001', '商品ID': '10000001', '商品名': '髙﨑の緑茶 ①', '商品番号': 'tea',
        '商品管理番号': 'tea', 'SKU管理番号': '00123', '単価': '1080', '個数': '2',
        '項目・選択肢': '内容量:100g\nのし:御祝', '商品税率': '0.08',
    }
    row.update(values)
    return row


def order_row(order_id='333267-20251007-0000000001', **values):
    """A Rakuten item row without the customer's comment (a comment puts the order on hold)."""
    return rakuten_row(order_id, **{'コメント': '', **values})


# the 107-column layout (MallOrderController.php's CSV_FIELDS_RAKUTEN_PAY): no 商品税率, no SKU管理番号
RAKUTEN_107_HEADER = RAKUTEN_HEADER[:RAKUTEN_HEADER.index('商品税率')]


def rakuten_107_row(order_id: str = '333267-20251007-0000000001', **values: str) -> dict[str, str]:
    return {name: value for name, value in rakuten_row(order_id, **values).items() if name in RAKUTEN_107_HEADER}


# ---------------------------------------------------------------------------------------------- Amazon

AMAZON_A_HEADER = columns(
    'order-id\torder-item-id\tpurchase-date\tpayments-date\tbuyer-email\tbuyer-name\tbuyer-phone-number\tsku\t'
    'product-name\tquantity-purchased\tcurrency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\t'
    'gift-wrap-tax\tship-service-level\trecipient-name\tship-address-1\tship-address-2\tship-address-3\tship-city\t'
    'ship-state\tship-postal-code\tship-country\tship-phone-number\tgift-wrap-type\tgift-message-text\t'
    'item-promotion-discount\titem-promotion-id\tship-promotion-discount\tship-promotion-id\tdelivery-start-date\t'
    'delivery-end-date\tdelivery-time-zone\tdelivery-Instructions\tis-prime'
, '\t')

AMAZON_B_HEADER = columns(
    'order-id\torder-item-id\tpurchase-date\tpayments-date\treporting-date\tpromise-date\tdays-past-promise\t'
    'buyer-email\tbuyer-name\tbuyer-phone-number\tsku\tproduct-name\tquantity-purchased\tquantity-shipped\t'
    'quantity-to-ship\tship-service-level\trecipient-name\tship-address-1\tship-address-2\tship-address-3\tship-city\t'
    'ship-state\tship-postal-code\tship-country\tpayment-method\tcod-collectible-amount\talready-paid\t'
    'payment-method-fee\tscheduled-delivery-start-date\tscheduled-delivery-end-date\tpoints-granted\tis-prime'
, '\t')


def amazon_row(order_id: str = '503-3718261-3217429', **values: str) -> dict[str, str]:
    row = {
        'order-id': order_id, 'order-item-id': '41483244219702', 'purchase-date': '2025-10-07T00:50:26+00:00',
        'buyer-email': 'x@marketplace.amazon.co.jp', 'buyer-name': NAME, 'buyer-phone-number': '0312345678',
        'sku': '00123', 'product-name': '髙﨑の緑茶, 100g', 'quantity-purchased': '2', 'currency': 'JPY',
        'item-price': '2160', 'shipping-price': '300', 'recipient-name': NAME, 'ship-address-1': '北一条西1-2-3',
        'ship-address-2': '㈱髙﨑～ビル', 'ship-address-3': '①号室', 'ship-city': '札幌市中央区',
        'ship-state': '北海道', 'ship-postal-code': '060-0001', 'ship-country': 'JP',
        'ship-phone-number': '0312345678',
    }
    row.update(values)
    return row


# ---------------------------------------------------------------------------------------------- Yahoo

YAHOO_ORDERS_HEADER = [
    'OrderId', 'OrderTime', 'ShipLastName', 'ShipFirstName', 'ShipLastNameKana', 'ShipFirstNameKana', 'ShipZipCode',
    'ShipPrefecture', 'ShipCity', 'ShipAddress1', 'ShipAddress2', 'ShipPhoneNumber', 'BillLastName', 'BillFirstName',
    'BillMailAddress', 'BillPhoneNumber', 'PayMethodName', 'ShipCharge', 'PayCharge', 'Total', 'ShipRequestDate',
    'ShipRequestTime', 'BuyerComments',
]
YAHOO_ITEMS_HEADER = ['OrderId', 'LineId', 'Quantity', 'ItemId', 'SubCode', 'Title', 'ItemOptionName',
                      'ItemOptionValue', 'UnitPrice', 'LineSubTotal', 'Jan']


def yahoo_order(order_id: str = 'kura-store-10000001', **values: str) -> dict[str, str]:
    row = {
        'OrderId': order_id, 'OrderTime': '2025-10-07 09:50:26', 'ShipLastName': '髙﨑', 'ShipFirstName': '①子',
        'ShipLastNameKana': 'タカサキ', 'ShipFirstNameKana': 'イチコ', 'ShipZipCode': '060-0001',
        'ShipPrefecture': '北海道', 'ShipCity': '札幌市中央区', 'ShipAddress1': '北一条西1-2-3',
        'ShipAddress2': '㈱髙﨑～ビル ①号室', 'ShipPhoneNumber': '03-1234-5678', 'BillLastName': '髙﨑',
        'BillFirstName': '①子', 'BillMailAddress': 'ichiko@example.jp', 'BillPhoneNumber': '0312345678',
        'PayMethodName': 'PayPay残高等払い', 'ShipCharge': '0', 'PayCharge': '0', 'Total': '3240',
        'ShipRequestDate': '2025/10/10', 'ShipRequestTime': '午前中', 'BuyerComments': 'よろしく, お願いします\n2行目',
    }
    row.update(values)
    return row


def yahoo_item(order_id: str = 'kura-store-10000001', **values: str) -> dict[str, str]:
    row = {'OrderId': order_id, 'LineId': '1', 'Quantity': '2', 'ItemId': 'tea', 'SubCode': '00123',
           'Title': '髙﨑の緑茶 ①', 'ItemOptionName': '内容量', 'ItemOptionValue': '100g', 'UnitPrice': '1080',
           'Jan': '4901234567894'}
    row.update(values)
    return row


def yahoo_files(orders: list[dict], items: list[dict]) -> list[tuple[str, bytes]]:
    return [('orders.csv', table(YAHOO_ORDERS_HEADER, orders)), ('items.csv', table(YAHOO_ITEMS_HEADER, items))]


# ---------------------------------------------------------------------------------------------- Shopify

SHOPIFY_HEADER = columns(
    'Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,'
    'Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,'
    'Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,'
    'Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,'
    'Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,'
    'Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,'
    'Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,'
    'Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,'
    'Lineitem discount,Tax 1 Name,Tax 1 Value,Phone,Receipt Number'
)


def shopify_order(name: str = '#1001', **values: str) -> dict[str, str]:
    """An order's first row: order columns filled, as Shopify writes them."""
    row = {
        'Name': name, 'Email': 'ichiko@example.jp', 'Financial Status': 'pending', 'Currency': 'JPY',
        'Subtotal': '2160.00', 'Shipping': '550.00', 'Taxes': '196.00', 'Total': '2710.00',
        'Created at': '2025-10-07 09:50:26 +0200', 'Billing Name': NAME, 'Billing Phone': "'0312345678",
        'Shipping Name': NAME, 'Shipping Address1': '北一条西1-2-3', 'Shipping Address2': '㈱髙﨑～ビル ①号室',
        'Shipping City': '札幌市中央区', 'Shipping Zip': "'0600001", 'Shipping Province': 'Hokkaidō',
        'Shipping Country': 'JP', 'Shipping Phone': "'0312345678", 'Notes': '置き配で, お願いします\n玄関前',
        'Payment Method': 'Cash on Delivery (COD)',
    }
    row.update(shopify_line(name))
    row.update(values)
    return row


def shopify_line(name: str = '#1001', **values: str) -> dict[str, str]:
    """A further line item row: Shopify leaves the order columns empty."""
    row = {'Name': name, 'Lineitem quantity': '1', 'Lineitem name': '髙﨑の緑茶 ① - 100g',
           'Lineitem price': '1080.00', 'Lineitem sku': '00123'}
    row.update(values)
    return row


# ---------------------------------------------------------------------------------------------- Kura

KURA_HEADER = columns('order_id,ordered_at,buyer_name,buyer_kana,buyer_email,buyer_phone,ship_name,ship_kana,'
                      'ship_postal_code,ship_prefecture,ship_city,ship_address1,ship_address2,ship_phone,payment_method,'
                      'shipping_fee,cod_fee,delivery_date,delivery_time_slot,gift_wrap,noshi,comment,sku,jan,item_name,'
                      'option_text,quantity,unit_price,tax_rate')


def kura_row(order_id: str = 'K-1', **values: str) -> dict[str, str]:
    row = {
        'order_id': order_id, 'ordered_at': '2025-10-07T09:50:26', 'buyer_name': NAME, 'buyer_kana': 'タカサキ イチコ',
        'buyer_email': 'ichiko@example.jp', 'buyer_phone': '03-1234-5678', 'ship_name': NAME,
        'ship_kana': 'タカサキ イチコ', 'ship_postal_code': '060-0001', 'ship_prefecture': '北海道',
        'ship_city': '札幌市中央区', 'ship_address1': '北一条西1-2-3', 'ship_address2': '㈱髙﨑～ビル ①号室',
        'ship_phone': '０３－１２３４－５６７８', 'payment_method': 'cod', 'shipping_fee': '550', 'cod_fee': '330',
        'delivery_date': '2025-10-10', 'delivery_time_slot': '14-16', 'gift_wrap': 'ギフト包装', 'noshi': '御祝',
        'comment': '不在時は, 宅配ボックスへ', 'sku': '00123', 'jan': '4901234567894', 'item_name': '髙﨑の緑茶 ①',
        'option_text': '内容量:100g\nのし:御祝', 'quantity': '2', 'unit_price': '1,080', 'tax_rate': '8',
    }
    row.update(values)
    return row


# ---------------------------------------------------------------------------------------------- one of each

def sample_files() -> dict[str, list[tuple[str, bytes]]]:
    """One valid import per format."""
    return {
        'rakuten': [('rakuten.csv', table(RAKUTEN_HEADER, [rakuten_row()]))],
        'amazon': [('amazon.txt', table(AMAZON_A_HEADER, [amazon_row()], delimiter='\t'))],
        'yahoo': yahoo_files([yahoo_order()], [yahoo_item()]),
        'shopify': [('orders_export.csv', table(SHOPIFY_HEADER, [shopify_order()], encoding='utf-8'))],
        'kura': [('kura.csv', table(KURA_HEADER, [kura_row()], encoding='utf-8', bom=True))],
    }


# ================================================================================================ products

def jan_for(n: int) -> str:
    """A valid JAN (EAN-13) of its own for each `n`."""
    return with_jan_check_digit(f'4900000{n:05d}')


# ================================================================================================ orders

_files = itertools.count(1)

#: what kura_row() asks for by default, taken out: orders without these ask nothing of the packer
NO_REQUESTS = {'gift_wrap': '', 'noshi': '', 'comment': '', 'delivery_date': '', 'delivery_time_slot': ''}


def kura_orders(*orders, channel='kura'):
    """Import orders written in Kura's own CSV (committed); each order is a dict of kura columns plus 'lines'.

    'lines' is a list of (sku, quantity).  Returns the import's summary.
    """
    rows = []
    for order in orders:
        values = {k: v for k, v in order.items() if k not in ('lines', 'order_id')}
        for sku, quantity in order['lines']:
            rows.append(kura_row(order['order_id'], **{'comment': '', 'payment_method': 'card', **values, 'sku': sku,
                                                       'quantity': str(quantity)}))
    summary = import_order_files(channel, [(f'k{next(_files)}.csv', table(KURA_HEADER, rows, encoding='utf-8'))])
    db.session.commit()
    return summary


def plain_orders(*orders, channel='kura'):
    """Orders imported as kura_orders() does, without gift wrapping, のし, comment or delivery date."""
    return kura_orders(*({**NO_REQUESTS, **order} for order in orders), channel=channel)


def place_order(external_id='M-1', *, email='ichiko@example.jp', channel='kura', **values) -> Order:
    """An order made through the real import (Kura CSV), with two units of T-1, cash on delivery; returns it."""
    values = {'payment_method': 'cod', 'comment': '不在時は, 宅配ボックスへ', **values}
    kura_orders({'order_id': external_id, 'buyer_email': email, 'lines': [('T-1', 2)], **values}, channel=channel)
    return stored_order(external_id)


def stored_order(external_id) -> Order:
    """The order with this mall order id, as the database holds it now (every loaded object refreshed)."""
    db.session.expire_all()
    return db.session.scalar(sa.select(Order).where(Order.external_order_id == external_id))


def pack_and_ship(external_id, packer):
    """Pack an allocated order in a pick batch by scanning each of its units, then ship it; its Shipment."""
    from app.fulfilment import services as floor

    order = stored_order(external_id)
    session = floor.open_packing(order.number, station='梱包1', actor=packer).session
    for line in order.lines:
        for _ in range(line.quantity):
            floor.scan(session, line.product.jan, actor=packer)
    db.session.commit()
    shipment = floor.shipment_of(order.id)
    floor.ship(shipment, actor=packer)
    db.session.commit()
    return shipment


def outbox() -> list[EmailMessage]:
    """Every message in the e-mail outbox, oldest first, read in a fresh transaction."""
    # a fresh transaction, not only fresh objects: polling inside one transaction reads one snapshot (and on
    # SQLite holds the lock the sender needs to record what it sent)
    db.session.rollback()
    return db.session.scalars(sa.select(EmailMessage).order_by(EmailMessage.id)).all()
