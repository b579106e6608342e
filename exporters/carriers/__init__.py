"""Carrier label files: CarrierShipments in, the file each carrier's label software imports out.

``CARRIER_EXPORTS`` names every format by Kura's carrier code; each is
``fn(shipments: Sequence[CarrierShipment]) -> CarrierExport``.  All are pure: no database, no Flask.
Every value that had to be cut or changed is a warning on the result, naming the order and the
field; nothing is shortened or replaced silently.  The modules' docstrings list each format's
columns, codes and widths, and which of them are unverified.
"""
from exporters.carriers.clickpost import export_clickpost
from exporters.carriers.japanpost import export_japanpost
from exporters.carriers.records import TIME_SLOTS, CarrierExport, CarrierShipment
from exporters.carriers.sagawa import export_sagawa
from exporters.carriers.yamato import export_yamato


__all__ = ['CARRIER_EXPORTS', 'TIME_SLOTS', 'CarrierExport', 'CarrierShipment']

CARRIER_EXPORTS = {
    'yamato': export_yamato,
    'sagawa': export_sagawa,
    'japanpost': export_japanpost,
    'clickpost': export_clickpost,
}
