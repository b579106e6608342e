"""What a carrier export takes (one CarrierShipment per parcel label) and what it returns."""
import dataclasses
import datetime
from collections.abc import Sequence

from flask_babel import lazy_gettext as _l

from exporters.base import ExportResult


#: Kura's delivery time slots (app.settings.services.ShopSettings.time_slots); '' = no preference.
#: Every carrier here has these five; exporters.carriers.slots reads any other way a window is written.
TIME_SLOTS = ('', '午前中', '14-16', '16-18', '18-20', '19-21')
#: CarrierShipment.service: '' = the carrier's standard parcel (宅急便, 飛脚宅配便, ゆうパック, クリックポスト);
#: 'compact' = Yamato 宅急便コンパクト (送り状種別 8, or 9 コンパクトコレクト with COD)
SERVICES = ('', 'compact')
#: the values a clerk can correct (on the order, or in the shipping settings), as a refusal names them
FIELD_NAMES = {
    'ship_to_postal': _l('the ship-to postal code'),
    'sender_postal': _l('the sender postal code (shipping settings)'),
    'ship_to_phone': _l('the ship-to phone number'),
    'sender_phone': _l('the sender phone number (shipping settings)'),
}


@dataclasses.dataclass(frozen=True)
class CarrierShipment:
    """One parcel to label, as plain values: the order's ship-to, the shop as sender, what is in it.

    Text is as the order has it (full-width or not, any length): each export cuts it to its carrier's
    widths and reports every cut.  Postal codes are 7 ASCII digits and phones ASCII digits only, as
    importers.orders.normalize makes them; a value that is not raises ValueError here, before any file
    is written.  The postal code and phone refusals are read by clerks (the carrier-file screen lists
    them), so they are in the current language; the others can only be Kura's own mistakes.
    """

    #: Kura's order number (K00000123): written as お客様管理番号 so the carrier's issued data brings it back
    order_number: str
    ship_date: datetime.date
    ship_to_postal: str
    ship_to_prefecture: str
    ship_to_city: str
    ship_to_address1: str
    ship_to_address2: str
    ship_to_name: str
    #: the recipient's own phone, '' when the order has none (never the shop's: see with_recipient_phone())
    ship_to_phone: str
    sender_postal: str
    sender_prefecture: str
    sender_city: str
    sender_address1: str
    sender_address2: str
    sender_name: str
    sender_phone: str
    #: 品名 / 内容品: a short summary of the contents
    item_name: str
    pieces: int = 1
    delivery_date: datetime.date | None = None
    #: the delivery window as the order has it ('14-16', '14:00～16:00', '午前中', ''): each export reads it
    #: into its carrier's code (exporters.carriers.slots) and lists a window no slot of the carrier matches
    time_slot: str = ''
    #: yen to collect on delivery, tax included; 0 = not cash on delivery
    cod_amount: int = 0
    #: the consumption tax inside cod_amount (Yamato column 35, Sagawa 消費税, ゆうプリR 代引消費税金額)
    cod_tax: int = 0
    #: '' when the carrier's software issues the number (the usual case)
    tracking_number: str = ''
    #: one of SERVICES
    service: str = ''
    #: the shop's customer code with the carrier: Yamato ご請求先顧客コード (10-12 digits), Sagawa お客様コード
    customer_code: str = ''
    #: Yamato 運賃管理番号 (2 digits, e.g. 01)
    freight_code: str = ''
    #: ゆうプリR 送り状種別 as registered in the shop's ゆうプリR; '' leaves ゆうプリR's default
    label_type: str = ''

    def __post_init__(self):
        for field in ('ship_to_postal', 'sender_postal'):
            value = getattr(self, field)
            if not (len(value) == 7 and value.isascii() and value.isdigit()):
                raise ValueError(str(_l('%(order)s: %(field)s "%(value)s" must be 7 digits',
                                        order=self.order_number, field=FIELD_NAMES[field], value=value)))
        for field in ('ship_to_phone', 'sender_phone'):
            value = getattr(self, field)
            if field == 'ship_to_phone' and not value:
                continue  # a recipient without a phone: each carrier that needs one leaves the parcel out, listed
            if not (10 <= len(value) <= 12 and value.isascii() and value.isdigit()):
                raise ValueError(str(_l('%(order)s: %(field)s "%(value)s" must be 10 to 12 digits',
                                        order=self.order_number, field=FIELD_NAMES[field], value=value)))
        if self.service not in SERVICES:
            raise ValueError(f'{self.order_number}: service must be one of {SERVICES}, not {self.service!r}')
        if self.pieces < 1:
            raise ValueError(f'{self.order_number}: pieces must be 1 or more, not {self.pieces}')
        if self.cod_amount < 0 or not 0 <= self.cod_tax <= max(self.cod_amount, 0):
            raise ValueError(f'{self.order_number}: cod_amount ({self.cod_amount}) and cod_tax ({self.cod_tax}) '
                             'must be 0 or more, the tax no more than the amount')
        if not self.order_number.isascii() or not self.order_number.isalnum():
            raise ValueError(f'{self.order_number!r}: the order number must be ASCII letters and digits')

    @property
    def is_cod(self) -> bool:
        return self.cod_amount > 0


@dataclasses.dataclass(frozen=True)
class CarrierExport(ExportResult):
    """A carrier (or mall) file, with one warning per value that had to be cut or changed.

    An ExportResult, so views and the CLI can send it like any other export.
    """

    #: '<order number>: <field> ...' naming what was cut, replaced or left out
    warnings: list[str] = dataclasses.field(default_factory=list)
    #: order numbers of the shipments the file does not contain (each also has a warning)
    left_out: list[str] = dataclasses.field(default_factory=list)
    #: '<order number>: the delivery window "<as written>" matches no ... time slot ...', one per parcel that
    #: is in the file without the window its order asks for (exporters.carriers.slots)
    unmatched_windows: list[str] = dataclasses.field(default_factory=list)


def with_recipient_phone(shipments: Sequence[CarrierShipment], carrier: str, warnings: list[str],
                         left_out: list[str]) -> list[CarrierShipment]:
    """The shipments whose recipient has a phone, for a carrier whose file requires one.

    Each other shipment is left out and named in a warning: writing the shop's own number in the
    recipient's field (as Kura once did) sends the driver's call to the shop, and an empty field makes
    the carrier's software refuse the row only after the file has been uploaded.
    """
    kept = []
    for shipment in shipments:
        if shipment.ship_to_phone:
            kept.append(shipment)
            continue
        warnings.append(str(_l('%(order)s: the recipient has no phone number, which %(carrier)s requires: left out '
                               'of the file. Add the phone on the order (Ship to, Edit the address) and make the '
                               'file again', order=shipment.order_number, carrier=carrier)))
        left_out.append(shipment.order_number)
    return kept
