"""What the order codes are called on screens, in the user's language."""
from flask_babel import lazy_gettext as _l


CHANNEL_LABELS = {'store': _l('Own store'), 'rakuten': _l('Rakuten'), 'amazon': _l('Amazon'),
                  'yahoo': _l('Yahoo! Shopping'), 'shopify': _l('Shopify'), 'kura': _l('Kura CSV'),
                  'manual': _l('Entered by hand')}
#: how a manual order reached the shop, as its sub-source is shown (電話注文, FAX注文, メール注文)
SOURCE_LABELS = {'phone': _l('Phone order'), 'fax': _l('Fax order'), 'email': _l('E-mail order')}
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
                'label_mismatch': _l('wrong label'), 'label_no_box': _l('label without its box'),
                'requests_read': _l("customer's requests read"), 'set_aside': _l('box put aside, label later'),
                'blocked': _l('refused: scanned during a stop')}


#: the e-mail an order's timeline shows as queued (the notifications area writes them, by these kinds)
EMAIL_KIND_LABELS = {'order_confirmation': _l('Order confirmation'),
                     'shipping_confirmation': _l('Shipping confirmation'),
                     'oversell_alert': _l('Oversell alert (to managers)'),
                     'return_approved': _l('Return approved'), 'return_received': _l('Return received'),
                     'refund_made': _l('Refund made')}

#: the carriers as screens name them (app.fulfilment.services.CARRIER_NAMES is what labels and e-mails print)
CARRIER_LABELS = {'yamato': _l('Yamato Transport'), 'sagawa': _l('Sagawa Express'),
                  'japanpost': _l('Japan Post (Yu-Pack)'), 'clickpost': _l('Click Post')}

#: every audit action an order's timeline can show (record_audit on an order, plus the scans
#: queries.timeline adds), as a short label; describe_event adds the details the event carries
EVENT_LABELS = {
    'order.status': _l('Status changed'),
    'order.hold_added': _l('Put on hold'),
    'order.hold_released': _l('Hold released'),
    'order.payment': _l('Payment recorded'),
    'order.amount_due': _l('Amount due set'),
    'order.ship_to': _l('Ship-to changed'),
    'order.buyer': _l('Buyer changed'),
    'order.priority': _l('Priority changed'),
    'order.carrier': _l('Carrier changed'),
    'order.note': _l('Note'),
    'order.combined': _l('Combined into one parcel'),
    'order.uncombined': _l('Taken out of a combined parcel'),
    'order.split': _l('Split'),
    'order.email': _l('E-mail queued'),
    'order.redacted': _l('Personal data redacted'),
    'order.entered': _l('Entered by hand'),
    'order.duplicated': _l('Duplicated'),
    'order.price_override': _l('Price changed from the catalogue'),
    'order.line_added': _l('Line added'),
    'order.line_removed': _l('Line removed'),
    'order.line_quantity': _l('Quantity changed'),
    'order.total': _l('Total changed'),
    'order.delivery': _l('Delivery wish changed'),
    'order.payment_method': _l('Payment method changed'),
    'order.fees': _l('Fees changed'),
    'order.data_exported': _l('Personal data exported'),
    'order.scan': _l('Scan at the packing station'),
    'order.return_opened': _l('Return opened'),
    'order.return_approved': _l('Return approved'),
    'order.return_declined': _l('Return declined'),
    'order.return_received': _l('Returned units received'),
    'order.refund': _l('Refund recorded'),
    'order.exchange': _l('Exchange'),
    'order.sent_again': _l('Sent again after its parcel came back'),
    'packing.override': _l('Unit counted by supervisor override'),
    'shipment.label_reprinted': _l('Shipping label reprinted'),
    'shipment.tracking_imported': _l("Tracking number read from the carrier's file"),
}
#: notes that code (not a person) writes on an event, stored as a key and shown in the reader's language
NOTE_LABELS = {'allocation': _l('by the allocation run')}


def label_function(labels: dict):
    def label(code: str) -> str:
        return str(labels.get(code, code))
    return label


def event_label(action: str) -> str:
    """An audit action as people call it; an action without a label still reads as words, not as a key."""
    if action in EVENT_LABELS:
        return str(EVENT_LABELS[action])
    return str(_l('Other change: %(what)s', what=action.replace('.', ' ').replace('_', ' ')))


def event_note(event) -> str:
    """The note of a timeline entry: a person's text as written, a note code wrote in the reader's language."""
    note = event.note or ''
    return str(NOTE_LABELS[note]) if note in NOTE_LABELS else note


def _carrier(code) -> str:
    return str(CARRIER_LABELS.get(code, code)) if code else str(_l("the shop's default carrier"))


def _scan(after: dict) -> str:
    """A scan at a station; the station's own entries (an acknowledged error, a reset, an override, the requests
    read, a box put aside) in words: their codes (ACK, F2, ASIDE) are no scanned code."""
    station, code, result = after.get('station'), after.get('code') or '', after.get('result')
    if result == 'acknowledged' and code == 'ACK':
        return str(_l('Error acknowledged at %(station)s', station=station))
    if result == 'acknowledged' and code == 'RESET':
        return str(_l('Packing started again at %(station)s', station=station))
    if result == 'override':
        return str(_l('Unit counted by supervisor override at %(station)s', station=station))
    if result == 'requests_read':
        return str(_l("Customer's requests read at %(station)s", station=station))
    if result == 'set_aside':
        return str(_l('Box put aside at %(station)s, its label to check later', station=station))
    return str(_l('Scan at %(station)s: %(code)s (%(result)s)', station=station, code=code,
                  result=SCAN_RESULTS.get(result, result)))


def describe_event(event) -> str:
    """One line of an order's timeline, in the reader's language: the action's label with what changed."""
    before, after = event.before or {}, event.after or {}
    if event.action == 'order.status':
        # an order written allocated on arrival had no status before
        old = before.get('status')
        return str(_l('Status: %(old)s → %(new)s', old='—' if old is None else STATUS_LABELS.get(old, old),
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
    if event.action == 'order.amount_due':
        old = before.get('amount_due')
        return str(_l('Amount due: %(old)s → %(new)s yen', old='—' if old is None else f'{old:,}',
                      new=f"{after.get('amount_due', 0):,}"))
    if event.action == 'order.ship_to':
        changes = ', '.join(f'{before.get(k, "")} → {after[k]}' for k in after)
        return str(_l('Ship-to changed: %(changes)s', changes=changes))
    if event.action == 'order.buyer':
        changes = ', '.join(f'{before.get(k, "")} → {after[k]}' for k in after)
        return str(_l('Buyer changed: %(changes)s', changes=changes))
    if event.action == 'order.priority':
        return str(_l('Priority: %(old)s → %(new)s', old=before.get('priority'), new=after.get('priority')))
    if event.action == 'order.carrier':
        return str(_l('Carrier: %(old)s → %(new)s', old=_carrier(before.get('carrier')),
                      new=_carrier(after.get('carrier'))))
    if event.action == 'order.scan':
        return _scan(after)
    if event.action == 'order.combined':
        if 'into' in after:
            return str(_l('Combined into the parcel of %(number)s', number=after['into']))
        return str(_l('Carries in its parcel: %(numbers)s', numbers=', '.join(after.get('carries', []))))
    if event.action == 'order.uncombined':
        return str(_l('Taken out of the parcel of %(number)s', number=before.get('into', '')))
    if event.action == 'order.email':
        kind = after.get('kind', '')
        return str(_l('E-mail queued: %(kind)s to %(to)s', kind=EMAIL_KIND_LABELS.get(kind, kind),
                      to=after.get('to', '')))
    if event.action == 'order.entered':
        source = str(SOURCE_LABELS.get(after.get('source'), after.get('source', '')))
        if after.get('from'):
            return str(_l('Entered by hand (%(source)s) as a copy of %(number)s', source=source,
                          number=after['from']))
        return str(_l('Entered by hand (%(source)s)', source=source))
    if event.action == 'order.duplicated':
        return str(_l('Duplicated as %(number)s', number=after.get('copy', '')))
    if event.action == 'order.price_override':
        return str(_l('Price of line %(line)s (%(sku)s): %(old)s → %(new)s yen', line=before.get('line'),
                      sku=before.get('sku', ''), old=f"{before.get('unit_price', 0):,}",
                      new=f"{after.get('unit_price', 0):,}"))
    if event.action == 'order.line_added':
        return str(_l('Line %(line)s added: %(sku)s × %(quantity)s at %(price)s yen', line=after.get('line'),
                      sku=after.get('sku', ''), quantity=after.get('quantity'),
                      price=f"{after.get('unit_price', 0):,}"))
    if event.action == 'order.line_removed':
        return str(_l('Line %(line)s removed: %(sku)s × %(quantity)s', line=before.get('line'),
                      sku=before.get('sku', ''), quantity=before.get('quantity')))
    if event.action == 'order.line_quantity':
        return str(_l('Quantity of line %(line)s (%(sku)s): %(old)s → %(new)s', line=before.get('line'),
                      sku=before.get('sku', ''), old=before.get('quantity'), new=after.get('quantity')))
    if event.action == 'order.total':
        return str(_l('Total: %(old)s → %(new)s yen', old=f"{before.get('total', 0):,}",
                      new=f"{after.get('total', 0):,}"))
    if event.action == 'order.delivery':
        def wish(values):
            date, slot = values.get('delivery_date'), values.get('delivery_time_slot')
            return ' '.join(filter(None, (date, slot))) or '—'
        return str(_l('Delivery wish: %(old)s → %(new)s', old=wish(before), new=wish(after)))
    if event.action == 'order.payment_method':
        return str(_l('Payment method: %(old)s → %(new)s (%(status)s)',
                      old=PAYMENT_LABELS.get(before.get('payment_method'), before.get('payment_method')),
                      new=PAYMENT_LABELS.get(after.get('payment_method'), after.get('payment_method')),
                      status=PAYMENT_STATUS_LABELS.get(after.get('payment_status'), after.get('payment_status'))))
    if event.action == 'order.fees':
        return str(_l('Fees: shipping %(old_shipping)s → %(new_shipping)s yen, COD %(old_cod)s → %(new_cod)s yen',
                      old_shipping=f"{before.get('shipping_fee', 0):,}",
                      new_shipping=f"{after.get('shipping_fee', 0):,}",
                      old_cod=f"{before.get('cod_fee', 0):,}", new_cod=f"{after.get('cod_fee', 0):,}"))
    if event.action == 'order.split':
        if 'part' in after:
            return str(_l('Split: %(units)s units moved to %(number)s', units=after.get('units'),
                          number=after['part']))
        return str(_l('Split from %(number)s', number=before.get('from', '')))
    if event.action in ('order.return_opened', 'order.return_approved', 'order.return_declined'):
        return str(_l('%(what)s: %(number)s', what=event_label(event.action), number=after.get('return', '')))
    if event.action == 'order.return_received':
        text = _l('Partly returned') if after.get('returned') == 'partly' else _l('Fully returned')
        return str(_l('Returned units received (%(number)s): %(state)s', number=after.get('return', ''), state=text))
    if event.action == 'order.refund':
        return str(_l('Refund of %(amount)s yen (%(total)s yen in all): payment %(old)s → %(new)s',
                      amount=f"{after.get('amount', 0):,}", total=f"{after.get('refunded', 0):,}",
                      old=PAYMENT_STATUS_LABELS.get(before.get('payment_status'), ''),
                      new=PAYMENT_STATUS_LABELS.get(after.get('payment_status'), '')))
    if event.action == 'order.exchange':
        if 'original' in after:
            return str(_l('Replacement for %(number)s (return %(ret)s)', number=after['original'],
                          ret=after.get('return', '')))
        return str(_l('Exchange: replacement order %(number)s (return %(ret)s)', number=after.get('replacement', ''),
                      ret=after.get('return', '')))
    return event_label(event.action)
