"""What the order codes are called on screens, in the user's language."""
from flask_babel import lazy_gettext as _l


CHANNEL_LABELS = {'store': _l('Own store'), 'rakuten': _l('Rakuten'), 'amazon': _l('Amazon'),
                  'yahoo': _l('Yahoo! Shopping'), 'shopify': _l('Shopify'), 'kura': _l('Kura CSV')}
STATUS_LABELS = {'new': _l('New'), 'confirmed': _l('Confirmed'), 'allocated': _l('Allocated'),
                 'backordered': _l('Backordered'), 'picking': _l('Picking'), 'packed': _l('Packed'),
                 'shipped': _l('Shipped'), 'cancelled': _l('Cancelled'), 'returned': _l('Returned')}
PAYMENT_LABELS = {'card': _l('Card'), 'cod': _l('Cash on delivery'), 'bank_transfer': _l('Bank transfer'),
                  'convenience_store': _l('Convenience store'), 'paypay': _l('PayPay'),
                  'other': _l('Points / other')}
PAYMENT_STATUS_LABELS = {'unpaid': _l('Unpaid'), 'paid': _l('Paid'), 'cod': _l('Paid on delivery'),
                         'refunded': _l('Refunded')}
HOLD_LABELS = {'payment_pending': _l('Payment pending'), 'unknown_sku': _l('Unknown SKU'),
               'address_check': _l('Address check'), 'customer_comment': _l('Customer comment'),
               'delivery_date_far': _l('Delivery date far ahead'), 'cod_over_limit': _l('COD over limit'),
               'out_of_stock': _l('Out of stock'), 'manual': _l('Manual hold')}


def label_function(labels: dict):
    def label(code: str) -> str:
        return str(labels.get(code, code))
    return label
