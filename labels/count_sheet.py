"""Count sheets (棚卸し表), A4 portrait: a stocktake counted on paper and entered afterwards.

The locations come in the order given (walking order; this module never re-sorts), each as a block:
its code as text and as Code128 (the count screen takes it as a scan), then one row per product
booked there (SKU, name, JAN; the book's quantity only when the count is not blind) with an empty box
to write the count in, then empty rows for products found there that the book does not know.  A block
is never split across pages.  Every page has the count number as text and Code128, and "page/pages".
"""
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from labels import barcodes
from labels.base import LabelSheet


PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 12 * mm
HEADER = 22 * mm
TOP = PAGE_HEIGHT - MARGIN - HEADER
BOTTOM = MARGIN + 6 * mm
BLOCK_HEAD = 17 * mm
ROW = 7 * mm
#: empty rows under each location, for what is found there and not booked
SPARE_ROWS = 2
GAP = 4 * mm


@dataclass(frozen=True)
class CountSheetLine:
    sku: str
    name: str
    jan: str = ''
    #: the book's quantity; None on a blind count's sheet
    expected: int | None = None


@dataclass(frozen=True)
class CountSheetLocation:
    code: str
    lines: tuple[CountSheetLine, ...] = ()


@dataclass(frozen=True)
class CountSheet:
    number: str
    #: what the count covers, as the screen says it
    scope: str
    started: str
    blind: bool
    locations: tuple[CountSheetLocation, ...]


def block_height(location: CountSheetLocation) -> float:
    return BLOCK_HEAD + (len(location.lines) + SPARE_ROWS) * ROW + GAP


def plan_pages(sheet: CountSheet) -> list[list[CountSheetLocation]]:
    """The locations of each page: whole blocks, in the order given."""
    pages, page, y = [], [], TOP
    for location in sheet.locations:
        height = block_height(location)
        if page and y - height < BOTTOM:
            pages.append(page)
            page, y = [], TOP
        page.append(location)
        y -= height
    pages.append(page)
    return pages


class CountSheetDocument(LabelSheet):
    pagesize = A4
    title = '棚卸し表'

    def __init__(self, sheet: CountSheet):
        if not sheet.locations:
            raise ValueError('a count sheet needs at least one location')
        if sheet.blind and any(line.expected is not None for loc in sheet.locations for line in loc.lines):
            raise ValueError("a blind count's sheet must not carry the book's quantities")
        super().__init__()
        self.sheet = sheet
        self.number_bars = barcodes.code128(sheet.number, height=10 * mm)

    def _build_pdf(self, canvas):
        pages = plan_pages(self.sheet)
        for index, locations in enumerate(pages, start=1):
            self._header(canvas, index, len(pages))
            y = TOP
            for location in locations:
                y = self._block(canvas, location, y)
            canvas.showPage()

    def _header(self, canvas, page: int, pages: int) -> None:
        top = PAGE_HEIGHT - MARGIN
        self.text(canvas, MARGIN, top - 7 * mm, f'棚卸し表 {self.sheet.number}', 14)
        self.text(canvas, MARGIN, top - 13 * mm, f'{self.sheet.scope}  開始 {self.sheet.started}'
                  + ('  ブラインド' if self.sheet.blind else ''), 9, max_width=100 * mm)
        self.text(canvas, MARGIN, top - 18 * mm, '担当者：＿＿＿＿＿＿＿＿  日時：＿＿＿＿＿＿＿＿', 9)
        self.number_bars.draw(canvas, PAGE_WIDTH - MARGIN - self.number_bars.width, top - 12 * mm)
        self.text(canvas, PAGE_WIDTH - MARGIN, top - 17 * mm, f'{page}/{pages}', 9, align='right')
        canvas.line(MARGIN, top - HEADER + 2 * mm, PAGE_WIDTH - MARGIN, top - HEADER + 2 * mm)

    def _block(self, canvas, location: CountSheetLocation, y: float) -> float:
        width = PAGE_WIDTH - 2 * MARGIN
        bars = barcodes.code128(location.code, height=10 * mm)
        self.text(canvas, MARGIN, y - 7 * mm, location.code, 14)
        bars.draw(canvas, MARGIN + 60 * mm, y - 12 * mm)
        self.text(canvas, MARGIN, y - 14 * mm, 'SKU', 8)
        self.text(canvas, MARGIN + 40 * mm, y - 14 * mm, '商品名', 8)
        self.text(canvas, MARGIN + 118 * mm, y - 14 * mm, 'JAN', 8)
        if not self.sheet.blind:
            self.text(canvas, MARGIN + width - 24 * mm, y - 14 * mm, '帳簿', 8, align='right')
        self.text(canvas, MARGIN + width - 10 * mm, y - 14 * mm, '数量', 8, align='center')
        y -= BLOCK_HEAD
        for line in location.lines:
            self.text(canvas, MARGIN, y - 5 * mm, line.sku, 9, max_width=38 * mm)
            self.text(canvas, MARGIN + 40 * mm, y - 5 * mm, line.name, 9, max_width=76 * mm)
            self.text(canvas, MARGIN + 118 * mm, y - 5 * mm, line.jan, 8, max_width=30 * mm)
            if line.expected is not None:
                self.text(canvas, MARGIN + width - 24 * mm, y - 5 * mm, str(line.expected), 9, align='right')
            canvas.rect(MARGIN + width - 20 * mm, y - 6.5 * mm, 20 * mm, 6 * mm, stroke=1, fill=0)
            y -= ROW
        for _ in range(SPARE_ROWS):
            canvas.line(MARGIN, y - 6.5 * mm, MARGIN + width - 22 * mm, y - 6.5 * mm)
            canvas.rect(MARGIN + width - 20 * mm, y - 6.5 * mm, 20 * mm, 6 * mm, stroke=1, fill=0)
            y -= ROW
        return y - GAP


def count_sheet(sheet: CountSheet) -> bytes:
    """The count sheet of a stocktake as PDF bytes.

    :raise ValueError: without locations, or a blind sheet carrying quantities
    """
    return CountSheetDocument(sheet).get_pdf().getvalue()
