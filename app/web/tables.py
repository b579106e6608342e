"""Dense tables: sort by a whitelisted column, page through a select, keep the query string."""
import dataclasses

import sqlalchemy as sa
from flask import current_app, request

from app.extensions import db


@dataclasses.dataclass
class TableState:
    """What a table shows: search text, sort column and direction, page; read from the query string."""

    q: str
    sort: str
    desc: bool
    page: int

    def args(self, **overrides) -> dict:
        values = {'q': self.q, 'sort': self.sort, 'dir': 'desc' if self.desc else 'asc', 'page': self.page}
        values.update(overrides)
        return {k: v for k, v in values.items() if v not in ('', None)}

    def sort_args(self, column: str) -> dict:
        """The arguments for a click on a column header: sort by it, or flip its direction."""
        desc = not self.desc if column == self.sort else False
        return self.args(sort=column, dir='desc' if desc else 'asc', page=1)


def table_state(sortable: dict, default_sort: str, default_desc: bool = False) -> TableState:
    sort = request.args.get('sort', default_sort)
    if sort not in sortable:
        sort = default_sort
    direction = request.args.get('dir')
    desc = default_desc if direction not in ('asc', 'desc') else direction == 'desc'
    page = request.args.get('page', 1, type=int) or 1
    return TableState(q=request.args.get('q', '').strip(), sort=sort, desc=desc, page=max(page, 1))


@dataclasses.dataclass
class Page:
    """One page of a table: its rows (entities, or tuples for multi-entity selects) and where it is."""

    items: list
    page: int
    per_page: int
    total: int
    #: the total was counted only up to COUNT_LIMIT: there are at least that many
    more: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def paginate(query: sa.Select, state: TableState, sortable: dict, *tie_breakers, per_page: int | None = None) -> Page:
    """Order `query` by the state's column (then `tie_breakers`, for a stable order) and cut one page.

    A select of one entity gives entities; a select of several gives row tuples.
    """
    column = sortable[state.sort]
    return page_of(query.order_by(column.desc() if state.desc else column.asc(), *tie_breakers), state.page,
                   per_page)


COUNT_LIMIT = 10_000


def page_of(query: sa.Select, page: int, per_page: int | None = None) -> Page:
    """Cut page `page` (from 1) of an already ordered select.

    Rows are counted up to COUNT_LIMIT only: counting a million orders for the pager would cost
    more than showing them, and nobody pages to the ten-thousandth row.
    """
    per_page = per_page or current_app.config['PAGE_SIZE']
    capped = query.order_by(None).limit(COUNT_LIMIT + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(capped))
    more = total > COUNT_LIMIT
    total = min(total, COUNT_LIMIT)
    page = max(1, min(page, max(1, -(-total // per_page))))
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = result.scalars().all() if len(query.column_descriptions) == 1 else result.all()
    return Page(items, page, per_page, total, more)
