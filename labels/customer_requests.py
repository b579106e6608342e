"""What the customer asked for, in the words both the pick list and the packing slip print.

One function, so the packer reads on the pick list exactly what the slip in the box says.  Each
wish is one entry ``【heading】text``: the delivery wish of the parcel, then each order's gift
wrapping, のし and comment.  In a parcel of several orders (同梱) every heading carries its order's
number (``【K00000005 のし】御祝``), so the packer knows which wish belongs to which order; an
order whose delivery wish differs from the parcel's gets its own entry, since the label can
carry only one.
"""
from collections.abc import Sequence
from datetime import date

from labels.base import japanese_date, wrap
from labels.records import CustomerRequest


#: what a wrapped entry's following lines start with, so they read as part of the entry above them
CONTINUATION = '\u3000'


def delivery_text(delivery_date: date | None, time_slot: str) -> str:
    """'2026年1月17日(土) 時間帯 14-16時', either part alone, or '' for no wish."""
    parts = [japanese_date(delivery_date)] if delivery_date else []
    if time_slot.strip():
        parts.append(f'時間帯 {time_slot.strip()}')
    return ' '.join(parts)


def request_entries(delivery_date: date | None, time_slot: str, requests: Sequence[CustomerRequest]) -> list[str]:
    """The wishes of a parcel as printed, one entry each (a comment keeps its own line breaks).

    :param delivery_date: the parcel's delivery wish (the one on its shipping label)
    :param requests: one per order in the parcel, the carrying order first
    """
    entries = []
    parcel_delivery = delivery_text(delivery_date, time_slot)
    if parcel_delivery:
        entries.append(f'【お届け指定】{parcel_delivery}')
    several = len(requests) > 1
    for request in requests:
        mark = f'{request.order_number} ' if several else ''
        own_delivery = delivery_text(request.delivery_date, request.time_slot)
        if several and own_delivery and own_delivery != parcel_delivery:
            entries.append(f'【{mark}お届け指定】{own_delivery}')
        for heading, text in (('ギフト包装', request.gift_wrap), ('のし', request.noshi),
                              ('コメント', request.comment)):
            if text.strip():
                entries.append(f'【{mark}{heading}】{text.strip()}')
    return entries


def wrapped_lines(entries: Sequence[str], size: float, max_width: float, widths) -> list[str]:
    """The entries as printed lines no wider than `max_width`; an entry's second and later lines indented."""
    indent = widths(CONTINUATION) * size
    lines = []
    for entry in entries:
        first, *rest = wrap(entry, size, max_width - indent, widths)
        lines += [first, *(CONTINUATION + line for line in rest)]
    return lines
