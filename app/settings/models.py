"""Settings as named JSON values; the code holds the defaults."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


class Setting(db.Model):
    __tablename__ = 'settings'

    key: so.Mapped[str] = so.mapped_column(sa.String(80), primary_key=True)
    value: so.Mapped[object] = so.mapped_column(sa.JSON, nullable=False)
    updated_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)

    def __repr__(self):
        return f'<Setting {self.key}={self.value!r}>'
