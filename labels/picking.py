"""Pick lists, A4 portrait: the total-picking pages, then the sorting pages.

Every page has the header: the batch code as text and as Code128, when the list was made, and
"page/pages".  The total-picking table lists each SKU once with its total quantity, in the order
given (the walking order; this module never re-sorts).  The sorting pages give each order a block:
its number as text and Code128 for the packer's scanner, the ship-to name, what the customer asked
for (delivery wish, gift wrapping, のし, comments: labels/customer_requests.py) on shaded rows with a
black bar so that no packer reads past them, and its items with location and quantity.  A comment is
printed whole, however long.  A block is never split unless it is taller than a page; then it
continues on the next page under a repeated header (with the barcode).

The pages are laid out first (:func:`plan_pages`, plain data) and drawn after, so "page/pages" is
known while drawing.
"""
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from exporters.carriers.addressing import addressee
from labels import barcodes
from labels.base import LabelSheet, font_widths, in_japan
from labels.customer_requests import request_entries, wrapped_lines
from labels.records import PickItem, PickList, PickOrder


PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 10 * mm
HEADER = 24 * mm
CONTENT_TOP = PAGE_HEIGHT - MARGIN - HEADER
CONTENT_BOTTOM = MARGIN + 4 * mm
SECTION_TITLE = 9 * mm
TABLE_HEAD = 6 * mm
TOTAL_ROW = 6.2 * mm
ORDER_HEAD = 15 * mm
ORDER_ROW = 5.6 * mm
NOTE_ROW = 5 * mm
NOTE_SIZE = 9
#: where a note's text starts (after the bar), and the width it is wrapped to (a closing mark may hang past it)
NOTE_INDENT = 4 * mm + 2.6 * mm
NOTE_WIDTH = PAGE_WIDTH - 2 * MARGIN - NOTE_INDENT - 4 * mm
ORDER_GAP = 3 * mm
SUMMARY = 8 * mm


@dataclass(frozen=True)
class Placed:
    """One thing on a page: `kind` says what, `y` is its top edge."""

    kind: str  # summary, totals-title, totals-head, total, sorting-title, order-head, order-note, order-item
    y: float
    item: PickItem | None = None
    order: PickOrder | None = None
    continued: bool = False
    index: int = 0
    text: str = ''  # an order-note's line


def note_lines(order: PickOrder) -> list[str]:
    """The printed lines of what the customer asked for with this parcel, wrapped to the block's width."""
    return wrapped_lines(request_entries(order.delivery_date, order.time_slot, order.requests), NOTE_SIZE,
                         NOTE_WIDTH, font_widths())


def plan_pages(pick: PickList) -> list[list[Placed]]:
    """Lay the list out on pages: the total-picking table first, then the sorting blocks from a fresh page."""
    pages: list[list[Placed]] = [[]]
    y = CONTENT_TOP

    def new_page():
        nonlocal y
        pages.append([])
        y = CONTENT_TOP

    def place(kind, height, **kw):
        nonlocal y
        pages[-1].append(Placed(kind, y, **kw))
        y -= height

    place('summary', SUMMARY)
    place('totals-title', SECTION_TITLE)
    place('totals-head', TABLE_HEAD)
    for index, item in enumerate(pick.totals, start=1):
        if y - TOTAL_ROW < CONTENT_BOTTOM:
            new_page()
            place('totals-head', TABLE_HEAD)
        place('total', TOTAL_ROW, item=item, index=index)

    if pick.orders:
        new_page()
        place('sorting-title', SECTION_TITLE)
    full_page = CONTENT_TOP - CONTENT_BOTTOM
    for index, order in enumerate(pick.orders, start=1):
        # the wishes come first, right under the order's number: read before anything goes in the box
        rows = ([('order-note', NOTE_ROW, {'text': line}) for line in note_lines(order)]
                + [('order-item', ORDER_ROW, {'item': item}) for item in order.items])
        height = ORDER_HEAD + sum(row_height for _, row_height, _ in rows)
        first_row = rows[0][1] if rows else ORDER_ROW
        if y - height < CONTENT_BOTTOM and (height <= full_page or y - ORDER_HEAD - first_row < CONTENT_BOTTOM):
            new_page()  # keep the block whole; or, one taller than a page, start it at the top of one
        place('order-head', ORDER_HEAD, order=order, index=index)
        for kind, row_height, values in rows:
            if y - row_height < CONTENT_BOTTOM:
                new_page()
                place('order-head', ORDER_HEAD, order=order, index=index, continued=True)
            place(kind, row_height, order=order, **values)
        y -= ORDER_GAP
    return pages


class PickListSheet(LabelSheet):
    pagesize = A4
    title = 'ピッキングリスト'

    def __init__(self, pick: PickList):
        super().__init__()
        self.pick = pick
        self.batch_bars = barcodes.code128(pick.batch_code, height=11 * mm)
        left, right = MARGIN, PAGE_WIDTH - MARGIN
        self.left, self.right = left, right
        # total-picking columns: check box, location, SKU, JAN, name, quantity
        self.total_cols = (left, left + 7 * mm, left + 33 * mm, left + 68 * mm, left + 98 * mm, right - 16 * mm)
        # sorting columns: check box, location, SKU, name, quantity
        self.order_cols = (left + 4 * mm, left + 11 * mm, left + 37 * mm, left + 72 * mm, right - 16 * mm)

    def _build_pdf(self, canvas):
        pages = plan_pages(self.pick)
        draw = {
            'summary': self._draw_summary, 'totals-title': self._draw_totals_title,
            'totals-head': self._draw_totals_head, 'total': self._draw_total,
            'sorting-title': self._draw_sorting_title, 'order-head': self._draw_order_head,
            'order-note': self._draw_order_note, 'order-item': self._draw_order_item,
        }
        for number, page in enumerate(pages, start=1):
            self._draw_header(canvas, number, len(pages))
            for placed in page:
                draw[placed.kind](canvas, placed)
            canvas.showPage()

    def _draw_header(self, canvas, number: int, count: int) -> None:
        pick, left, right = self.pick, self.left, self.right
        top = PAGE_HEIGHT - MARGIN
        self.text(canvas, left, top - 6 * mm, self.title, 15)
        self.text(canvas, left, top - 13 * mm, f'バッチ {pick.batch_code}', 11, max_width=70 * mm, min_size=7)
        self.text(canvas, left, top - 18.5 * mm, f'作成 {in_japan(pick.created_at):%Y-%m-%d %H:%M}', 8)
        self.text(canvas, right, top - 6 * mm, f'{number}/{count}', 14, align='right')
        self.batch_bars.draw(canvas, right - 22 * mm - self.batch_bars.width, top - 20 * mm)
        canvas.setLineWidth(1)
        canvas.line(left, top - 22 * mm, right, top - 22 * mm)
        # the batch again at the foot, for a page that has come loose
        self.text(canvas, right, MARGIN, f'{pick.batch_code}  {number}/{count}', 7, align='right')

    def _draw_summary(self, canvas, placed: Placed) -> None:
        pick = self.pick
        lines = sum(len(order.items) for order in pick.orders)
        pieces = sum(item.quantity for item in pick.totals)
        self.text(canvas, self.left, placed.y - 5 * mm,
                  f'注文 {len(pick.orders):,}件   明細 {lines:,}行   品目 {len(pick.totals):,}   合計 {pieces:,}点', 10)

    def _draw_totals_title(self, canvas, placed: Placed) -> None:
        self.text(canvas, self.left, placed.y - 6 * mm, 'トータルピッキング (ロケーション順)', 12)

    def _draw_totals_head(self, canvas, placed: Placed) -> None:
        y = placed.y
        canvas.setFillGray(0.88)
        canvas.rect(self.left, y - TABLE_HEAD, self.right - self.left, TABLE_HEAD, stroke=0, fill=1)
        canvas.setFillGray(0)
        c = self.total_cols
        base = y - TABLE_HEAD + 1.9 * mm
        for x, heading in zip(c[1:5], ('ロケーション', 'SKU', 'JAN', '商品名'), strict=True):
            self.text(canvas, x, base, heading, 8)
        self.text(canvas, self.right - 1.5 * mm, base, '数量', 8, align='right')

    def _draw_total(self, canvas, placed: Placed) -> None:
        item, y, c = placed.item, placed.y, self.total_cols
        base = y - TOTAL_ROW + 1.9 * mm
        canvas.setLineWidth(0.5)
        canvas.rect(c[0] + 1.5 * mm, base - 0.4 * mm, 3.4 * mm, 3.4 * mm, stroke=1, fill=0)
        self.text(canvas, c[1], base, item.location, 10, max_width=c[2] - c[1] - 1 * mm)
        self.text(canvas, c[2], base, item.sku, 8.5, max_width=c[3] - c[2] - 1 * mm)
        self.text(canvas, c[3], base, item.jan, 8.5, max_width=c[4] - c[3] - 1 * mm)
        self.text(canvas, c[4], base, item.name, 9, max_width=c[5] - c[4] - 1 * mm)
        self.text(canvas, self.right - 1.5 * mm, base, f'{item.quantity:,}', 11, align='right')
        canvas.setLineWidth(0.25)
        canvas.line(self.left, y - TOTAL_ROW, self.right, y - TOTAL_ROW)

    def _draw_sorting_title(self, canvas, placed: Placed) -> None:
        self.text(canvas, self.left, placed.y - 6 * mm, '仕分け (注文ごと)', 12)

    def _draw_order_head(self, canvas, placed: Placed) -> None:
        order, y = placed.order, placed.y
        left, right = self.left, self.right
        canvas.setLineWidth(1.4)
        canvas.line(left, y, right, y)
        bars = barcodes.code128(order.order_number, height=10 * mm)
        bars.draw(canvas, right - bars.width, y - 12 * mm)
        text_width = right - bars.width - left - 2 * mm
        continued = ' (続き)' if placed.continued else ''
        self.text(canvas, left, y - 6.2 * mm, f'{placed.index}. {order.order_number}{continued}', 13,
                  max_width=text_width, min_size=8)
        pieces = sum(item.quantity for item in order.items)
        to = addressee(order.ship_name)
        self.text(canvas, left, y - 11.8 * mm, f'{to}    {len(order.items)}品目 / {pieces}点', 9, max_width=text_width)

    def _draw_order_note(self, canvas, placed: Placed) -> None:
        y, left = placed.y, self.order_cols[0]
        canvas.setFillGray(0.88)
        canvas.rect(left, y - NOTE_ROW, self.right - left, NOTE_ROW, stroke=0, fill=1)
        canvas.setFillGray(0)
        canvas.rect(left, y - NOTE_ROW, 1.4 * mm, NOTE_ROW, stroke=0, fill=1)
        # already wrapped to NOTE_WIDTH, which leaves room for a closing mark hung past it: never clipped
        self.text(canvas, self.left + NOTE_INDENT, y - NOTE_ROW + 1.6 * mm, placed.text, NOTE_SIZE)

    def _draw_order_item(self, canvas, placed: Placed) -> None:
        item, y, c = placed.item, placed.y, self.order_cols
        base = y - ORDER_ROW + 1.7 * mm
        canvas.setLineWidth(0.5)
        canvas.rect(c[0], base - 0.4 * mm, 3.2 * mm, 3.2 * mm, stroke=1, fill=0)
        self.text(canvas, c[1], base, item.location, 9, max_width=c[2] - c[1] - 1 * mm)
        self.text(canvas, c[2], base, item.sku, 8.5, max_width=c[3] - c[2] - 1 * mm)
        self.text(canvas, c[3], base, item.name, 9, max_width=c[4] - c[3] - 1 * mm)
        self.text(canvas, self.right - 1.5 * mm, base, f'×{item.quantity:,}', 10.5, align='right')
        canvas.setLineWidth(0.2)
        canvas.line(c[0], y - ORDER_ROW, self.right, y - ORDER_ROW)


def pick_list(pick: PickList) -> bytes:
    """The pick list of a batch as one A4 PDF: total picking, then a sorting block per order."""
    return PickListSheet(pick).get_pdf().getvalue()
