"""JAN label sheets for receiving: an A4 grid of labels, each with the EAN-13 (or EAN-8) barcode, the SKU,
a short product name and the price.

The grids fit the common A4 label sheets with no margins (3×8 = 24面 of 70×37 mm, 4×10 = 40面 of
52.5×29.7 mm).  The barcode is at 80% of nominal size (module 0.264 mm), the smallest GS1 allows,
with shortened bars so it fits the label.
"""
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from importers.codes import is_valid_jan
from labels import barcodes
from labels.base import LabelSheet, yen
from labels.records import JanLabel


GRIDS = {'3x8': (3, 8), '4x10': (4, 10)}
PADDING = 2.5 * mm


class JanSheet(LabelSheet):
    pagesize = A4
    title = 'JANラベル'

    def __init__(self, labels: Sequence[JanLabel], *, copies: int = 1, grid: str = '3x8'):
        if grid not in GRIDS:
            raise ValueError(f'grid must be one of {", ".join(GRIDS)}, not {grid!r}')
        if copies < 1:
            raise ValueError(f'copies must be at least 1, not {copies}')
        if not labels:
            raise ValueError('no JAN labels to print')
        for label in labels:
            if not is_valid_jan(label.jan):
                raise ValueError(f'{label.sku}: {label.jan!r} is not a valid JAN (13 or 8 digits with the check digit)')
        super().__init__()
        self.columns, self.rows = GRIDS[grid]
        self.cell_width, self.cell_height = A4[0] / self.columns, A4[1] / self.rows
        small = self.rows > 8
        self.bar_height = (13 if small else 19) * mm
        self.name_size = 7 if small else 8
        # each label `copies` times in a row, so one product's labels come off the sheet together
        self.labels = [label for label in labels for _ in range(copies)]
        self._bars: dict[str, barcodes.Bars] = {}

    def _build_pdf(self, canvas):
        per_page = self.columns * self.rows
        for start in range(0, len(self.labels), per_page):
            for i, label in enumerate(self.labels[start:start + per_page]):
                row, column = divmod(i, self.columns)
                x = column * self.cell_width
                y = A4[1] - (row + 1) * self.cell_height
                self._draw_label(canvas, label, x, y)
            canvas.showPage()

    def _draw_label(self, canvas, label: JanLabel, x: float, y: float) -> None:
        width = self.cell_width - 2 * PADDING
        top = y + self.cell_height - PADDING
        left = x + PADDING
        self.text(canvas, left, top - 3 * mm, label.name, self.name_size, max_width=width)
        self.text(canvas, left, top - 7 * mm, label.sku, self.name_size - 1, max_width=width * 0.55)
        self.text(canvas, left + width, top - 7.3 * mm, yen(label.price), self.name_size + 3, align='right')
        bars = self._bars.get(label.jan)
        if bars is None:
            bars = self._bars[label.jan] = barcodes.jan(label.jan, height=self.bar_height)
        bars.draw(canvas, x + (self.cell_width - bars.width) / 2, y + PADDING - 0.5 * mm, self.font)


def jan_sheet(labels: Sequence[JanLabel], *, copies: int = 1, grid: str = '3x8') -> bytes:
    """A4 sheets of JAN labels, each label `copies` times; `grid` is ``'3x8'`` (24 per page) or ``'4x10'`` (40).

    :raise ValueError: for an invalid JAN (a wrong check digit), no labels, copies < 1 or an unknown grid
    """
    return JanSheet(labels, copies=copies, grid=grid).get_pdf().getvalue()
