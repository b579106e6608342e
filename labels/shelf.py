"""Shelf labels (棚ラベル) and product labels as A4 label sheets: one label per cell, no margins.

The grids fit the common A4 label sheets: 2×6 = 12面 of 105×49.5 mm (shelf edges), 3×8 = 24面 of
70×37 mm, 4×10 = 40面 of 52.5×29.7 mm (bins, small units).  A location label carries its code as large
text and a Code128 barcode with a 0.33 mm module, readable from a handheld at arm's length; a product
label carries the SKU as Code128 and, when the product has one, the JAN as EAN-13 (80% size).
"""
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from importers.codes import is_valid_jan
from labels import barcodes
from labels.base import LabelSheet
from labels.records import LocationLabel, ProductLabel


GRIDS = {'2x6': (2, 6), '3x8': (3, 8), '4x10': (4, 10)}
PADDING = 3 * mm


def _printable(value: str) -> bool:
    return bool(value) and all(' ' <= c <= '~' for c in value)


class _GridSheet(LabelSheet):
    """Labels laid out on an A4 sheet of `grid` cells, left to right, top to bottom; each label `copies` times."""

    pagesize = A4

    def __init__(self, labels: Sequence, *, copies: int, grid: str):
        if grid not in GRIDS:
            raise ValueError(f'grid must be one of {", ".join(GRIDS)}, not {grid!r}')
        if copies < 1:
            raise ValueError(f'copies must be at least 1, not {copies}')
        if not labels:
            raise ValueError('no labels to print')
        super().__init__()
        self.columns, self.rows = GRIDS[grid]
        self.cell_width, self.cell_height = A4[0] / self.columns, A4[1] / self.rows
        self.labels = [label for label in labels for _ in range(copies)]

    def _build_pdf(self, canvas):
        per_page = self.columns * self.rows
        for start in range(0, len(self.labels), per_page):
            for i, label in enumerate(self.labels[start:start + per_page]):
                row, column = divmod(i, self.columns)
                self._draw_label(canvas, label, column * self.cell_width, A4[1] - (row + 1) * self.cell_height)
            canvas.showPage()

    def _draw_label(self, canvas, label, x: float, y: float) -> None:
        raise NotImplementedError


class LocationSheet(_GridSheet):
    title = '棚ラベル'

    def __init__(self, labels: Sequence[LocationLabel], *, copies: int = 1, grid: str = '2x6'):
        for label in labels:
            if not _printable(label.code):
                raise ValueError(f'a location code is printable ASCII, not {label.code!r}')
        super().__init__(labels, copies=copies, grid=grid)
        # thinner bars than a quarter millimetre do not scan reliably off a label printer: refuse, not shrink
        for label in labels:
            if barcodes.code128(label.code, height=mm, module=0.25 * mm).width > self.cell_width:
                raise ValueError(f'{label.code} is too long for a {grid} label: choose wider labels (2x6)')

    def _draw_label(self, canvas, label: LocationLabel, x: float, y: float) -> None:
        width = self.cell_width - 2 * PADDING
        small = self.rows > 6
        code_size = 16 if self.rows > 8 else (22 if small else 30)
        top = y + self.cell_height - PADDING
        self.text(canvas, x + self.cell_width / 2, top - code_size * 0.8, label.code, code_size, max_width=width,
                  align='center', min_size=10)
        if label.note:
            self.text(canvas, x + PADDING, y + PADDING, label.note, 7, max_width=width)
        height = self.cell_height - 2 * PADDING - code_size - (9 if label.note else 2)
        bars = barcodes.code128(label.code, height=max(height, 6 * mm), module=0.33 * mm if not small else 0.25 * mm)
        if bars.width > self.cell_width:
            bars = barcodes.code128(label.code, height=max(height, 6 * mm), module=0.25 * mm)
        bars.draw(canvas, x + (self.cell_width - bars.width) / 2, y + PADDING + (9 if label.note else 2), self.font)


class ProductSheet(_GridSheet):
    title = '商品ラベル'

    def __init__(self, labels: Sequence[ProductLabel], *, copies: int = 1, grid: str = '3x8'):
        for label in labels:
            if not _printable(label.sku):
                raise ValueError(f'a SKU on a label is printable ASCII, not {label.sku!r}')
            if label.jan and not is_valid_jan(label.jan):
                raise ValueError(f'{label.sku}: {label.jan!r} is not a valid JAN (13 or 8 digits with the check digit)')
        if grid == '2x6':
            raise ValueError('product labels come in 3x8 or 4x10')
        super().__init__(labels, copies=copies, grid=grid)
        for label in labels:
            if barcodes.code128(label.sku, height=mm, module=0.25 * mm).width > self.cell_width:
                raise ValueError(f'{label.sku} is too long for a {grid} label: choose 3x8')

    def _draw_label(self, canvas, label: ProductLabel, x: float, y: float) -> None:
        small = self.rows > 8
        width = self.cell_width - 2 * PADDING
        top = y + self.cell_height - PADDING
        size = 6.5 if small else 8
        self.text(canvas, x + PADDING, top - size, label.name, size, max_width=width)
        self.text(canvas, x + PADDING, top - 2 * size - 2, label.sku, size + 1, max_width=width)
        body = self.cell_height - 2 * PADDING - 2 * size - 5
        sku_height = body * 0.42 if label.jan else body
        sku = barcodes.code128(label.sku, height=sku_height, module=0.25 * mm)
        sku.draw(canvas, x + (self.cell_width - sku.width) / 2, y + PADDING, self.font)
        if label.jan:
            jan = barcodes.jan(label.jan, height=body - sku_height - 3, font_size=6 if small else 7)
            jan.draw(canvas, x + (self.cell_width - jan.width) / 2, y + PADDING + sku_height + 3, self.font)


def location_labels(labels: Sequence[LocationLabel], *, copies: int = 1, grid: str = '2x6') -> bytes:
    """A4 sheets of shelf labels; `grid` is ``'2x6'`` (12 per page), ``'3x8'`` (24) or ``'4x10'`` (40).

    :raise ValueError: for a code that is not printable ASCII or too long for the grid's labels, no labels,
        copies < 1 or an unknown grid
    """
    return LocationSheet(labels, copies=copies, grid=grid).get_pdf().getvalue()


def product_labels(labels: Sequence[ProductLabel], *, copies: int = 1, grid: str = '3x8') -> bytes:
    """A4 sheets of product labels; `grid` is ``'3x8'`` (24 per page) or ``'4x10'`` (40).

    :raise ValueError: for a SKU that is not printable ASCII or too long for the labels, an invalid JAN, no
        labels, copies < 1 or another grid
    """
    return ProductSheet(labels, copies=copies, grid=grid).get_pdf().getvalue()
