"""Shipping labels (送り状): one 4×6 inch label per page, or two to an A4 sheet.

Top to bottom: carrier and service, the tracking number (large digits and a barcode), the ship-to
block (〒, address, name with 様 or 御中, phone), delivery date and time slot, the cash-on-delivery amount when
there is one, the item summary, the sender and the order number with its Code128.

The tracking barcode is NW-7 (Codabar) ``A{12 digits}A`` for the carriers whose numbers are
12 digits with a mod-7 check digit (Yamato, Sagawa, Japan Post; docs/formats.md §7), and Code128
for any other number (our own ids, other carriers).
"""
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import inch, mm

from exporters.carriers.addressing import address_line, addressee
from importers.codes import code_text, formatted_tracking, is_tracking_number
from labels import barcodes
from labels.base import LabelSheet, japanese_date, postal, yen
from labels.records import CARRIERS, LabelLine, ShippingLabel


LABEL_WIDTH, LABEL_HEIGHT = 4 * inch, 6 * inch
LAYOUTS = ('4x6', 'a4-2up')
#: carriers whose tracking numbers are printed as NW-7 A…A (12 digits, the last = first 11 mod 7)
CODABAR_CARRIERS = frozenset({'yamato', 'sagawa', 'japanpost'})
MARGIN = 4 * mm
ITEM_LEADING = 3.6 * mm


def tracking_symbology(label: ShippingLabel) -> str:
    """'codabar' or 'code128' (or '' when the label has no tracking number yet)."""
    if not label.tracking_number:
        return ''
    return 'codabar' if label.carrier in CODABAR_CARRIERS else 'code128'


def tracking_value(label: ShippingLabel) -> str:
    """The tracking number as encoded in the barcode: a carrier number without its hyphens, anything else as given."""
    if tracking_symbology(label) == 'codabar':
        return code_text(label.tracking_number)
    return label.tracking_number


def check_label(label: ShippingLabel) -> None:
    """Refuse a label that would print wrong, before any page is drawn.

    :raise ValueError: naming the order
    """
    where = f'order {label.order_number}'
    if label.carrier not in CARRIERS:
        raise ValueError(f'{where}: carrier must be one of {", ".join(CARRIERS)}, not {label.carrier!r}')
    if label.carrier in CODABAR_CARRIERS and label.tracking_number and not is_tracking_number(label.tracking_number):
        raise ValueError(f'{where}: {label.tracking_number!r} is not a {label.carrier} tracking number '
                         f'(12 digits, the last = the first 11 mod 7)')
    if not all(' ' <= c <= '~' for c in label.tracking_number):
        raise ValueError(f'{where}: a tracking number is printable ASCII, not {label.tracking_number!r}')
    if label.cod_amount is not None and label.cod_amount < 0:
        raise ValueError(f'{where}: a cash-on-delivery amount cannot be negative ({label.cod_amount})')


def item_summary(items: Sequence[LabelLine], max_lines: int) -> list[str]:
    """At most `max_lines` lines: 'name ×qty' for the first items, then '他N点' for the N lines left out."""
    lines = [f'{item.name} ×{item.quantity}' for item in items]
    if len(lines) <= max_lines:
        return lines
    shown = max(max_lines - 1, 0)
    return lines[:shown] + [f'他{len(lines) - shown}点']


def address_lines(address) -> list[str]:
    """The address as printed: prefecture, city and street on one line, the building on the next."""
    return [line for line in (address_line(address.prefecture, address.city, address.address1), address.address2)
            if line]


class ShippingLabels(LabelSheet):
    title = '送り状'

    def __init__(self, labels: Sequence[ShippingLabel], *, layout: str = '4x6'):
        if layout not in LAYOUTS:
            raise ValueError(f'layout must be one of {", ".join(LAYOUTS)}, not {layout!r}')
        if not labels:
            raise ValueError('no shipping labels to print')
        for label in labels:
            check_label(label)
        super().__init__()
        self.labels = labels
        self.layout = layout
        self.pagesize = (LABEL_WIDTH, LABEL_HEIGHT) if layout == '4x6' else landscape(A4)

    def _build_pdf(self, canvas):
        if self.layout == '4x6':
            for label in self.labels:
                self._draw_label(canvas, label)
                canvas.showPage()
            return
        # A4 landscape: its two A5 halves are the two halves of an "A4 2面" label sheet; each label at
        # full size (the barcodes keep their module widths), centred in its half
        page_width, page_height = self.pagesize
        half = page_width / 2
        x0, y0 = (half - LABEL_WIDTH) / 2, (page_height - LABEL_HEIGHT) / 2
        for start in range(0, len(self.labels), 2):
            canvas.setLineWidth(0.3)
            canvas.setDash(3, 3)
            canvas.line(half, 5 * mm, half, page_height - 5 * mm)
            canvas.setDash()
            for i, label in enumerate(self.labels[start:start + 2]):
                canvas.saveState()
                canvas.translate(i * half + x0, y0)
                canvas.rect(0, 0, LABEL_WIDTH, LABEL_HEIGHT, stroke=1, fill=0)
                self._draw_label(canvas, label)
                canvas.restoreState()
            canvas.showPage()

    def _draw_label(self, canvas, label: ShippingLabel) -> None:
        """One label with its bottom-left corner at the origin."""
        left, right = MARGIN, LABEL_WIDTH - MARGIN
        width = right - left
        top = LABEL_HEIGHT - MARGIN
        canvas.setLineWidth(0.6)

        # carrier and service; ship date
        self.text(canvas, left, top - 4.8 * mm, f'{label.carrier_name} {label.service}'.strip(), 13,
                  max_width=width - 28 * mm, min_size=9)
        self.text(canvas, right, top - 4.3 * mm, f'出荷日 {label.ship_date:%Y/%m/%d}', 8, align='right')
        top -= 7 * mm
        canvas.line(left, top, right, top)

        # tracking number: digits 4-4-4, then the barcode
        top = self._draw_tracking(canvas, label, left, right, top)
        canvas.line(left, top, right, top)

        # ship-to
        top = self._draw_ship_to(canvas, label, left, width, top, height=42 * mm)
        canvas.line(left, top, right, top)

        # delivery date and time slot
        self.text(canvas, left, top - 3 * mm, 'お届け指定日', 7)
        self.text(canvas, left, top - 8.6 * mm,
                  japanese_date(label.delivery_date) if label.delivery_date else '指定なし', 11)
        slot_x = left + width * 0.58
        self.text(canvas, slot_x, top - 3 * mm, '時間帯', 7)
        self.text(canvas, slot_x, top - 8.6 * mm, label.time_slot or '指定なし', 11, max_width=right - slot_x,
                  min_size=7)
        top -= 11 * mm
        canvas.line(left, top, right, top)

        # cash on delivery: white on black, the whole width
        if label.cod_amount is None or label.cod_amount > 0:
            canvas.rect(left, top - 10 * mm, width, 9 * mm, stroke=0, fill=1)
            canvas.setFillGray(1)
            amount = '金額未確定' if label.cod_amount is None else yen(label.cod_amount)
            self.text(canvas, left + width / 2, top - 7.6 * mm, f'代金引換 {amount}', 17, align='center')
            canvas.setFillGray(0)
            top -= 11 * mm

        # order number and its Code128 at the bottom, the sender above it; the items take what is left
        bottom = MARGIN
        self._draw_order(canvas, label, left, right, bottom)
        sender_top = bottom + 13 * mm + 14 * mm
        canvas.line(left, bottom + 13 * mm, right, bottom + 13 * mm)
        self._draw_sender(canvas, label, left, width, sender_top)
        canvas.line(left, sender_top, right, sender_top)

        quantity = sum(item.quantity for item in label.items)
        self.text(canvas, left, top - 3 * mm, f'品名 (計{quantity}点)', 7)
        max_lines = int((top - 7.8 * mm - sender_top) // ITEM_LEADING) + 1
        y = top - 6.6 * mm
        for line in item_summary(label.items, max_lines):
            self.text(canvas, left + 2 * mm, y, line, 8, max_width=width - 2 * mm)
            y -= ITEM_LEADING

    def _draw_tracking(self, canvas, label, left, right, top) -> float:
        self.text(canvas, left, top - 3 * mm, 'お問合せ伝票番号', 7)
        symbology = tracking_symbology(label)
        if not symbology:
            self.text(canvas, (left + right) / 2, top - 10.5 * mm, '(未採番)', 14, align='center')
            return top - 26 * mm
        value = tracking_value(label)
        shown = formatted_tracking(value) if symbology == 'codabar' else value
        self.text(canvas, (left + right) / 2, top - 10.5 * mm, shown, 22, align='center', max_width=right - left,
                  min_size=12)
        if symbology == 'codabar':
            bars = barcodes.codabar(value, height=13 * mm)
        else:
            bars = self._code128_fitting(value, right - left, height=13 * mm, module=0.33 * mm)
        bars.draw(canvas, (left + right - bars.width) / 2, top - 25.5 * mm)
        return top - 26 * mm

    def _draw_ship_to(self, canvas, label, left, width, top, *, height) -> float:
        ship_to = label.ship_to
        bottom = top - height
        self.text(canvas, left, top - 3 * mm, 'お届け先', 7)
        self.text(canvas, left, top - 9.5 * mm, postal(ship_to.postal_code), 16)
        # the address gets the room between the postal code and the name, at the largest size that fits
        first, last = top - 14 * mm, bottom + 17 * mm
        for size in (11, 10, 9, 8):
            lines = [line for part in address_lines(ship_to) for line in self.wrap(part, size, width)]
            leading = size * 1.25
            if (len(lines) - 1) * leading <= first - last:
                break
        max_lines = int((first - last) // leading) + 1
        if len(lines) > max_lines:
            lines = lines[:max_lines - 1] + [self.clip(''.join(lines[max_lines - 1:]), size, width)]
        y = first
        for line in lines:
            self.text(canvas, left, y, line, size)
            y -= leading
        self.text(canvas, left, bottom + 8.5 * mm, addressee(ship_to.name), 18, max_width=width, min_size=10)
        if ship_to.phone:
            self.text(canvas, left, bottom + 2.5 * mm, f'TEL {ship_to.phone}', 10)
        return bottom

    def _draw_sender(self, canvas, label, left, width, top) -> None:
        sender = label.sender
        self.text(canvas, left, top - 3 * mm, 'ご依頼主', 7)
        address = ' '.join([postal(sender.postal_code), *address_lines(sender)]).strip()
        lines = self.wrap(address, 7.5, width)
        if len(lines) > 2:
            lines = [lines[0], self.clip(''.join(lines[1:]), 7.5, width)]
        y = top - 6.2 * mm
        for line in lines:
            self.text(canvas, left, y, line, 7.5)
            y -= 3.1 * mm
        phone = f'  TEL {sender.phone}' if sender.phone else ''
        self.text(canvas, left, top - 12.6 * mm, f'{sender.name}{phone}', 8.5, max_width=width)

    def _draw_order(self, canvas, label, left, right, bottom) -> None:
        self.text(canvas, left, bottom + 9.2 * mm, 'ご注文番号', 7)
        self.text(canvas, left, bottom + 3.5 * mm, label.order_number, 11, max_width=34 * mm, min_size=7)
        bars = self._code128_fitting(label.order_number, right - left - 36 * mm, height=10 * mm)
        bars.draw(canvas, right - bars.width, bottom + 1 * mm)

    @staticmethod
    def _code128_fitting(value, max_width, *, height, module=0.25 * mm, min_module=0.19 * mm):
        """Code128 at `module`, narrower (down to `min_module`) when it would not fit `max_width`."""
        bars = barcodes.code128(value, height=height, module=module)
        if bars.width > max_width:
            bars = barcodes.code128(value, height=height, module=max(min_module, module * max_width / bars.width))
        return bars


def shipping_labels(labels: Sequence[ShippingLabel], *, layout: str = '4x6') -> bytes:
    """One PDF of shipping labels: a 4×6 inch page per label (``'4x6'``) or two per A4 page (``'a4-2up'``).

    A label without a tracking number (not issued yet) says 未採番 and has no tracking barcode.

    :raise ValueError: for an unknown layout, no labels, or a label that would print wrong
        (an unknown carrier, a carrier tracking number failing its check digit)
    """
    return ShippingLabels(labels, layout=layout).get_pdf().getvalue()
