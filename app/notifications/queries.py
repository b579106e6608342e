"""Reading the outbox for the mail log screen."""
import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.notifications.models import STATUSES, EmailMessage
from app.orders.models import Order


LOG_SORTS = {'created': EmailMessage.created_at, 'status': EmailMessage.status, 'to': EmailMessage.to_address,
             'attempts': EmailMessage.attempts, 'next': EmailMessage.next_attempt_at,
             'sent': EmailMessage.sent_at, 'kind': EmailMessage.kind}


def _like_prefix(text: str) -> str:
    return text.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'


def message_search(q: str = '', status: str = '', order_id: int | None = None) -> sa.Select:
    """Messages to an address starting with `q`, or about the order `q` names (K00000123 or the mall's id)."""
    query = sa.select(EmailMessage).options(so.selectinload(EmailMessage.order))
    if status in STATUSES:
        query = query.where(EmailMessage.status == status)
    if order_id is not None:
        query = query.where(EmailMessage.order_id == order_id)
    if q:
        conditions = [EmailMessage.to_address.like(_like_prefix(q), escape='\\'),
                      EmailMessage.order_id.in_(sa.select(Order.id).where(Order.external_order_id == q))]
        by_number = Order.id_from_number(q)
        if by_number is not None:
            conditions.append(EmailMessage.order_id == by_number)
        query = query.where(sa.or_(*conditions))
    return query


def status_counts() -> dict[str, int]:
    return dict(db.session.execute(sa.select(EmailMessage.status, sa.func.count()).group_by(EmailMessage.status))
                .tuples().all())


def oldest_unsent_at():
    """When the oldest mail still waiting to be sent (queued, or being sent) was written; None when none waits."""
    return db.session.scalar(sa.select(sa.func.min(EmailMessage.created_at))
                             .where(EmailMessage.status.in_(('queued', 'sending'))))
