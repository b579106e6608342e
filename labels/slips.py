"""Packing slips (納品書), A4 or A5 portrait, one or more pages per order.

Prices are tax included, so the tax is stated per rate as the part of each rate's total that is tax
(適格請求書 style: one rounding per rate per document, rounded down):
``tax = amount * rate // (100 + rate)``.  The shipping and cash-on-delivery fees are standard-rate
(10%) charges; rate 0 is for lines outside the tax (非課税).  Lines at the reduced rate (8%) carry a
※ mark, explained under the table.

When the total is not the lines plus the fees (points or a mall coupon paid part of it), the
difference is shown as its own row above the total and the tax stays as the lines and fees carry
it.  A shop's own discount that lowers the tax belongs in the lines, as a line with a negative price
at the rate it reduces.

The price-free slip (金額なし納品書, ``PackingSlip.show_prices`` False) goes in a present: its title
says 納品書 (金額なし), the table has SKU, name and quantity only, and there is no subtotal, fee, tax
or total anywhere on it.  When the record names who sends the present (``gift_from``), the slip is
addressed to the recipient and its greeting says from whom the parcel comes.  Which slip a parcel
gets is the application's rule (``app.fulfilment.documents.slip_without_prices``), not this module's.

Under the table, before the note (備考), what the customer asked for (delivery wish, gift wrapping,
のし, each order's comment: labels/customer_requests.py), on every slip, with or without prices.
"""
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm

from exporters.carriers.addressing import addressee, honorific
from labels.base import LabelSheet, in_japan, japanese_date, postal, yen
from labels.customer_requests import request_entries, wrapped_lines
from labels.records import PackingSlip, SlipLine
from labels.shipping import address_lines


STANDARD_RATE, REDUCED_RATE, EXEMPT = 10, 8, 0
RATES = (STANDARD_RATE, REDUCED_RATE, EXEMPT)
REDUCED_MARK = '※'
SIZES = {'a4': A4, 'a5': A5}
ADJUSTMENT = 'ポイント・値引き等'
PRICE_FREE_TITLE = '納品書 (金額なし)'
#: the price-free table's columns, as fractions of its width: SKU, name, quantity
PRICE_FREE_COLUMNS = (0.17, 0.71, 0.12)


@dataclass(frozen=True)
class RateTotal:
    rate: int
    amount: int  # tax included
    tax: int


def line_amount(line: SlipLine) -> int:
    return line.quantity * line.unit_price


def subtotal(slip: PackingSlip) -> int:
    return sum(line_amount(line) for line in slip.lines)


def adjustment(slip: PackingSlip) -> int:
    """What the total differs from the lines plus the fees by (negative: points or coupons used)."""
    return slip.total - (subtotal(slip) + slip.shipping_fee + slip.cod_fee)


def tax_by_rate(slip: PackingSlip) -> list[RateTotal]:
    """The tax-included total and the tax in it for each rate present: 10%, 8%, then 0% (非課税)."""
    amounts = dict.fromkeys(RATES, 0)
    for line in slip.lines:
        amounts[line.tax_rate] += line_amount(line)
    amounts[STANDARD_RATE] += slip.shipping_fee + slip.cod_fee
    present = {line.tax_rate for line in slip.lines}
    return [RateTotal(rate, amount, amount * rate // (100 + rate)) for rate, amount in amounts.items()
            if amount or rate in present]


def check_slip(slip: PackingSlip) -> None:
    """:raise ValueError: for a tax rate other than 10, 8 or 0."""
    for line in slip.lines:
        if line.tax_rate not in RATES:
            raise ValueError(f'order {slip.order_number}, {line.sku}: the tax rate is 10, 8 or 0, not {line.tax_rate}')


@dataclass(frozen=True)
class _Geometry:
    """Sizes of one paper size (A5 is A4 scaled down, with a smaller type)."""

    margin: float
    body: float  # font size
    title: float
    row: float  # table row height
    header: float  # height of the first page's header (addresses, order)
    columns: tuple[float, ...]  # fractions of the table width: SKU, name, qty, unit price, amount, mark


GEOMETRY = {
    'a4': _Geometry(12 * mm, 9, 20, 6.5 * mm, 66 * mm, (0.17, 0.47, 0.08, 0.13, 0.13, 0.02)),
    'a5': _Geometry(8 * mm, 7.5, 16, 5.4 * mm, 58 * mm, (0.17, 0.44, 0.08, 0.14, 0.14, 0.03)),
}
CONTINUED_HEADER = 16 * mm
MAX_NOTE_LINES = 8
#: the customer's wishes are printed whole on the pick list; the slip, which must keep its summary on one
#: page, cuts them after this many lines (with '…')
MAX_REQUEST_LINES = 14
FOOTER = 8 * mm


def summary_rows(slip: PackingSlip) -> int:
    """Table rows the totals (right) and the tax by rate (left) take side by side; none without prices."""
    if not slip.show_prices:
        return 0
    totals = 3 + (slip.cod_fee != 0) + (adjustment(slip) != 0)  # subtotal, shipping, [COD fee], [adjustment], total
    taxes = len(tax_by_rate(slip)) + any(line.tax_rate == REDUCED_RATE for line in slip.lines)  # [+ the ※ note]
    return max(totals, taxes)


def box_height(g: _Geometry, lines: int) -> float:
    """A titled box of `lines` lines under the table (the wishes, the note), with the gap above it."""
    return 4 * mm + g.body * 1.4 + lines * g.body * 1.35 + 3 * mm if lines else 0


def summary_height(slip: PackingSlip, g: _Geometry, note_lines: int, request_lines: int = 0) -> float:
    """Room the totals, the tax by rate, the customer's wishes and the note need under the table."""
    rows = summary_rows(slip)
    return (3 * mm + rows * g.row if rows else 0) + box_height(g, request_lines) + box_height(g, note_lines)


def paginate(count: int, first: int, following: int, last_needs: int) -> list[range]:
    """Row ranges per page: `first` rows fit on page 1, `following` on the others; the last page keeps room
    for `last_needs` rows' worth of summary (else the summary gets a page of its own, with no rows)."""
    pages, start, capacity = [], 0, first
    while True:
        end = min(count, start + capacity)
        pages.append(range(start, end))
        if end == count:
            if end - start + last_needs > capacity:
                pages.append(range(count, count))
            return pages
        start, capacity = end, following


def slip_title(slip: PackingSlip) -> str:
    return '納品書' if slip.show_prices else PRICE_FREE_TITLE


class PackingSlips(LabelSheet):
    title = '納品書'

    def __init__(self, slips: Sequence[PackingSlip], *, size: str = 'a4'):
        if size not in SIZES:
            raise ValueError(f'size must be one of {", ".join(SIZES)}, not {size!r}')
        if not slips:
            raise ValueError('no packing slips to print')
        for slip in slips:
            check_slip(slip)
        super().__init__()
        self.slips = slips
        self.size = size
        self.pagesize = SIZES[size]
        self.g = GEOMETRY[size]

    def _build_pdf(self, canvas):
        for slip in self.slips:
            self._draw_slip(canvas, slip)

    def _draw_slip(self, canvas, slip: PackingSlip) -> None:
        g = self.g
        page_width, page_height = self.pagesize
        left, right = g.margin, page_width - g.margin
        note_lines = self.wrap(slip.note, g.body, right - left - 4 * mm)[:MAX_NOTE_LINES] if slip.note else []
        request_lines = self._request_lines(slip, right - left - 4 * mm)
        table_top = page_height - g.margin - g.header
        bottom = g.margin + FOOTER
        first = int((table_top - bottom) // g.row) - 1  # the header row
        following = int((page_height - g.margin - CONTINUED_HEADER - bottom) // g.row) - 1
        last_needs = int(summary_height(slip, g, len(note_lines), len(request_lines)) // g.row) + 1
        pages = paginate(len(slip.lines), first, following, last_needs)
        for number, rows in enumerate(pages, start=1):
            if number == 1:
                self._draw_header(canvas, slip, left, right, page_height - g.margin)
                top = table_top
            else:
                top = page_height - g.margin
                self.text(canvas, left, top - 6 * mm, f'{slip_title(slip)} (続き)', 12)
                self.text(canvas, right, top - 6 * mm, f'ご注文番号 {slip.order_number}', g.body, align='right')
                top -= CONTINUED_HEADER
            if rows:
                top = self._draw_table(canvas, slip, slip.lines[rows.start:rows.stop], left, right, top)
            if number == len(pages):
                self._draw_summary(canvas, slip, request_lines, note_lines, left, right, top)
            if len(pages) > 1:
                self.text(canvas, page_width / 2, g.margin, f'{number}/{len(pages)}', g.body, align='center')
                self.text(canvas, right, g.margin, slip.order_number, g.body - 1, align='right')
            canvas.showPage()

    def _request_lines(self, slip: PackingSlip, width: float) -> list[str]:
        """The wishes as printed lines, cut after MAX_REQUEST_LINES."""
        size = self.g.body
        lines = wrapped_lines(request_entries(slip.delivery_date, slip.time_slot, slip.requests), size, width,
                              self._widths)
        if len(lines) > MAX_REQUEST_LINES:
            lines = lines[:MAX_REQUEST_LINES - 1] + [self.clip(lines[MAX_REQUEST_LINES - 1] + '…', size, width)]
        return lines

    def _draw_header(self, canvas, slip: PackingSlip, left, right, top) -> None:
        g = self.g
        body = g.body
        width = right - left
        self.text(canvas, (left + right) / 2, top - 7 * mm, slip_title(slip), g.title, align='center')

        # left: the addressee (the buyer; the recipient of a present), then where the parcel goes
        column = width * 0.54
        y = top - 17 * mm
        present = not slip.show_prices and slip.gift_from
        to = addressee(slip.ship_to.name if present else slip.buyer_name)
        self.text(canvas, left, y, to, body + 4, max_width=column, min_size=body)
        canvas.setLineWidth(0.6)
        canvas.line(left, y - 1.6 * mm, left + column, y - 1.6 * mm)
        y -= 7 * mm
        self.text(canvas, left, y, 'お届け先', body - 1.5)
        y -= body * 1.4
        ship_to = slip.ship_to
        lines = [postal(ship_to.postal_code), *address_lines(ship_to), addressee(ship_to.name)]
        if ship_to.phone:
            lines.append(f'TEL {ship_to.phone}')
        for line in lines[:6]:
            self.text(canvas, left, y, line, body - 0.5, max_width=column)
            y -= body * 1.35

        # right: the order, then the shop
        x = left + width * 0.60
        column = right - x
        y = top - 17 * mm
        self.text(canvas, x, y, f'ご注文番号  {slip.order_number}', body, max_width=column)
        y -= body * 1.45
        self.text(canvas, x, y, f'ご注文日  {japanese_date(in_japan(slip.ordered_at))}', body, max_width=column)
        y -= body * 1.45 + 3 * mm
        self.text(canvas, x, y, slip.shop_name, body + 2, max_width=column, min_size=body - 1)
        y -= body * 1.55
        shop = slip.shop_address
        lines = [' '.join([postal(shop.postal_code), shop.prefecture + shop.city]).strip(),
                 f'{shop.address1} {shop.address2}'.strip()]
        if shop.phone:
            lines.append(f'TEL {shop.phone}')
        if slip.registration_number:
            lines.append(f'登録番号 {slip.registration_number}')
        for line in lines:
            if line:
                self.text(canvas, x, y, line, body - 1, max_width=column)
                y -= body * 1.35

        if present:
            # a person's name takes 様; a company's (or one that already has its honorific) takes none before より
            giver = f'{slip.gift_from} 様' if honorific(slip.gift_from) == '様' else slip.gift_from
            greeting = f'{giver}よりのお届け物です。下記の品をお届けいたします。'
        else:
            greeting = 'このたびはお買い上げいただき、誠にありがとうございます。下記のとおり納品いたします。'
        self.text(canvas, left, top - g.header + 3 * mm, greeting, body - 0.5, max_width=width)

    def _columns(self, left, right, fractions):
        """The x positions of the column edges."""
        edges, x = [left], left
        for fraction in fractions:
            x += (right - left) * fraction
            edges.append(x)
        edges[-1] = right
        return edges

    def _draw_table(self, canvas, slip: PackingSlip, lines: Sequence[SlipLine], left, right, top) -> float:
        g = self.g
        row, body = g.row, g.body
        prices = slip.show_prices
        edges = self._columns(left, right, g.columns if prices else PRICE_FREE_COLUMNS)
        pad = 1.2 * mm
        baseline = (row - body * 0.7) / 2  # text centred in the row

        canvas.setFillGray(0.88)
        canvas.rect(left, top - row, right - left, row, stroke=0, fill=1)
        canvas.setFillGray(0)
        headings = (('SKU', 'left'), ('商品名', 'left'), ('数量', 'right'))
        if prices:
            headings += (('単価', 'right'), ('金額', 'right'))
        for i, (heading, align) in enumerate(headings):
            x = edges[i] + pad if align == 'left' else edges[i + 1] - pad
            self.text(canvas, x, top - row + baseline, heading, body - 0.5, align=align)
        y = top - row
        canvas.setLineWidth(0.3)
        for line in lines:
            y -= row
            text_y = y + baseline
            self.text(canvas, edges[0] + pad, text_y, line.sku, body - 1, max_width=edges[1] - edges[0] - 2 * pad)
            self.text(canvas, edges[1] + pad, text_y, line.name, body, max_width=edges[2] - edges[1] - 2 * pad)
            self.text(canvas, edges[3] - pad, text_y, f'{line.quantity:,}', body, align='right')
            if prices:
                self.text(canvas, edges[4] - pad, text_y, yen(line.unit_price), body, align='right')
                self.text(canvas, edges[5] - pad, text_y, yen(line_amount(line)), body, align='right')
                if line.tax_rate == REDUCED_RATE:
                    self.text(canvas, edges[5] + 0.3 * mm, text_y, REDUCED_MARK, body - 1)
            canvas.line(left, y, right, y)
        canvas.setLineWidth(0.6)
        canvas.rect(left, y, right - left, top - y, stroke=1, fill=0)
        return y

    def _draw_summary(self, canvas, slip: PackingSlip, request_lines: list[str], note_lines: list[str], left, right,
                      top) -> None:
        y = self._draw_totals(canvas, slip, left, right, top) if slip.show_prices else top
        y = self._draw_box(canvas, 'ご指定・ご要望', request_lines, left, right, y)
        self._draw_box(canvas, '備考', note_lines, left, right, y)

    def _draw_totals(self, canvas, slip: PackingSlip, left, right, top) -> float:
        """Subtotal, fees and total on the right, the tax by rate on the left; returns the lower edge of both."""
        g = self.g
        row, body = g.row, g.body
        baseline = (row - body * 0.7) / 2
        y = top - 3 * mm

        # right: subtotal, fees, total
        label_x = left + (right - left) * 0.62
        rows = [('小計', yen(subtotal(slip))), ('送料', yen(slip.shipping_fee))]
        if slip.cod_fee:
            rows.append(('代引手数料', yen(slip.cod_fee)))
        if adjustment(slip):
            rows.append((ADJUSTMENT, yen(adjustment(slip))))
        canvas.setLineWidth(0.3)
        for label, amount in rows:
            self.text(canvas, label_x + 1.5 * mm, y - row + baseline, label, body)
            self.text(canvas, right - 1.5 * mm, y - row + baseline, amount, body, align='right')
            y -= row
            canvas.line(label_x, y, right, y)
        canvas.setFillGray(0.88)
        canvas.rect(label_x, y - row, right - label_x, row, stroke=0, fill=1)
        canvas.setFillGray(0)
        self.text(canvas, label_x + 1.5 * mm, y - row + baseline, '合計 (税込)', body + 1)
        self.text(canvas, right - 1.5 * mm, y - row + baseline, yen(slip.total), body + 2, align='right')
        y -= row
        canvas.setLineWidth(0.6)
        canvas.rect(label_x, y, right - label_x, top - 3 * mm - y, stroke=1, fill=0)

        # left: tax by rate, and what ※ means
        ty = top - 3 * mm - row + baseline
        for total in tax_by_rate(slip):
            if total.rate == EXEMPT:
                line = f'非課税  {yen(total.amount)}'
            else:
                mark = f' {REDUCED_MARK}' if total.rate == REDUCED_RATE else ''
                line = f'{total.rate}%対象{mark}  {yen(total.amount)}  内消費税 {yen(total.tax)}'
            self.text(canvas, left, ty, line, body, max_width=label_x - left - 3 * mm)
            ty -= row
        if any(line.tax_rate == REDUCED_RATE for line in slip.lines):
            self.text(canvas, left, ty, f'{REDUCED_MARK}は軽減税率(8%)対象商品です。', body - 1,
                      max_width=label_x - left - 3 * mm)
        # the tax column can run a row longer than the totals (three rates and the ※ line)
        return top - 3 * mm - summary_rows(slip) * row

    def _draw_box(self, canvas, title: str, lines: list[str], left, right, top) -> float:
        """A titled box of text lines under what is above it; returns its lower edge (`top` when empty)."""
        if not lines:
            return top
        body = self.g.body
        y = top - 4 * mm
        self.text(canvas, left, y - body, title, body - 1)
        y -= body * 1.4
        height = len(lines) * body * 1.35 + 3 * mm
        canvas.setLineWidth(0.3)
        canvas.rect(left, y - height, right - left, height, stroke=1, fill=0)
        ly = y - body - 1 * mm
        for line in lines:
            self.text(canvas, left + 2 * mm, ly, line, body)
            ly -= body * 1.35
        return y - height


def packing_slips(slips: Sequence[PackingSlip], *, size: str = 'a4') -> bytes:
    """One PDF of packing slips (納品書), each order on its own page(s); `size` is ``'a4'`` or ``'a5'``.

    :raise ValueError: for an unknown size, no slips or a tax rate other than 10, 8 or 0
    """
    return PackingSlips(slips, size=size).get_pdf().getvalue()
