"""PDF documents: shipping labels, pick lists, packing slips (納品書) and JAN label sheets.

Each function takes plain records (labels/records.py), never ORM rows, and returns the PDF bytes:
the same input always gives the same bytes.  See docs/labels.md.
"""
from labels.fonts import FontNotFound
from labels.jan import jan_sheet
from labels.picking import pick_list
from labels.records import (
    Address,
    CustomerRequest,
    JanLabel,
    LabelLine,
    PackingSlip,
    PickItem,
    PickList,
    PickOrder,
    ShippingLabel,
    SlipLine,
)
from labels.shipping import shipping_labels
from labels.slips import packing_slips


__all__ = ['Address', 'CustomerRequest', 'FontNotFound', 'JanLabel', 'LabelLine', 'PackingSlip', 'PickItem', 'PickList',
           'PickOrder', 'ShippingLabel', 'SlipLine', 'jan_sheet', 'packing_slips', 'pick_list', 'shipping_labels']
