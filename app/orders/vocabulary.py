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


SCAN_RESULTS = {'ok': _l('ok'), 'order': _l('order opened'), 'wrong_item': _l('wrong item'),
                'other_order': _l('item of another order'), 'too_many': _l('one too many'),
                'unknown_code': _l('unknown code'), 'not_packable': _l('not packable'),
                'acknowledged': _l('acknowledged'), 'override': _l('supervisor override'), 'label_ok': _l('label ok'),
                'label_mismatch': _l('wrong label'), 'blocked': _l('refused: error not acknowledged')}


def label_function(labels: dict):
    def label(code: str) -> str:
        return str(labels.get(code, code))
    return label


def describe_event(event) -> str:
    """One line of an order's timeline, in the reader's language."""
    before, after = event.before or {}, event.after or {}
    if event.action == 'order.status':
        return str(_l('Status: %(old)s → %(new)s', old=STATUS_LABELS.get(before.get('status'), before.get('status')),
                      new=STATUS_LABELS.get(after.get('status'), after.get('status'))))
    if event.action == 'order.hold_added':
        return str(_l('Put on hold: %(reason)s', reason=HOLD_LABELS.get(after.get('hold'), after.get('hold'))))
    if event.action == 'order.hold_released':
        return str(_l('Hold released: %(reason)s', reason=HOLD_LABELS.get(before.get('hold'), before.get('hold'))))
    if event.action == 'order.payment':
        return str(_l('Payment: %(old)s → %(new)s (%(amount)s yen on %(day)s)',
                      old=PAYMENT_STATUS_LABELS.get(before.get('payment_status'), ''),
                      new=PAYMENT_STATUS_LABELS.get(after.get('payment_status'), ''),
                      amount=f"{after.get('amount', 0):,}", day=after.get('paid_on', '')))
    if event.action == 'order.ship_to':
        changes = ', '.join(f'{before.get(k, "")} → {after[k]}' for k in after)
        return str(_l('Ship-to changed: %(changes)s', changes=changes))
    if event.action == 'order.buyer':
        changes = ', '.join(f'{before.get(k, "")} → {after[k]}' for k in after)
        return str(_l('Buyer changed: %(changes)s', changes=changes))
    if event.action == 'order.priority':
        return str(_l('Priority: %(old)s → %(new)s', old=before.get('priority'), new=after.get('priority')))
    if event.action == 'order.scan':
        return str(_l('Scan at %(station)s: %(code)s (%(result)s)', station=after.get('station'),
                      code=after.get('code'), result=SCAN_RESULTS.get(after.get('result'), after.get('result'))))
    if event.action == 'order.note':
        return str(_l('Note'))
    if event.action == 'order.combined':
        if 'into' in after:
            return str(_l('Combined into the parcel of %(number)s', number=after['into']))
        return str(_l('Carries in its parcel: %(numbers)s', numbers=', '.join(after.get('carries', []))))
    if event.action == 'order.uncombined':
        return str(_l('Taken out of the parcel of %(number)s', number=before.get('into', '')))
    if event.action == 'order.email':
        from app.notifications.templating import kind_label

        return str(_l('E-mail queued: %(kind)s to %(to)s', kind=kind_label(after.get('kind', '')),
                      to=after.get('to', '')))
    if event.action == 'order.split':
        if 'part' in after:
            return str(_l('Split: %(units)s units moved to %(number)s', units=after.get('units'),
                          number=after['part']))
        return str(_l('Split from %(number)s', number=before.get('from', '')))
    return event.action
