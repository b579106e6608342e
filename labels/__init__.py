"""PDF documents: shipping labels, pick lists, packing slips (納品書), JAN label sheets, shelf and product labels.

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
    LocationLabel,
    PackingSlip,
    PickItem,
    PickList,
    PickOrder,
    ProductLabel,
    ShippingLabel,
    SlipLine,
)
from labels.shelf import location_labels, product_labels
from labels.shipping import shipping_labels
from labels.slips import packing_slips


__all__ = ['Address', 'CustomerRequest', 'FontNotFound', 'JanLabel', 'LabelLine', 'LocationLabel', 'PackingSlip',
           'PickItem', 'PickList', 'PickOrder', 'ProductLabel', 'ShippingLabel', 'SlipLine', 'jan_sheet',
           'location_labels', 'packing_slips', 'pick_list', 'product_labels', 'shipping_labels']
