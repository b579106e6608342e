"""Background jobs: what runs, for whom, and how it ended."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.database import UTCDateTime, utcnow
from app.extensions import db


class Job(db.Model):
    __tablename__ = 'jobs'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: e.g. 'order_import'
    kind: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False)
    status: so.Mapped[str] = so.mapped_column(sa.String(20), nullable=False, default='queued')
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    #: what the job works on, e.g. {"upload": "token", "channel": "rakuten"}
    params: so.Mapped[dict] = so.mapped_column(sa.JSON, nullable=False, default=dict)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    finished_at: so.Mapped[dt.datetime | None] = so.mapped_column(UTCDateTime, nullable=True)
    result: so.Mapped[dict | None] = so.mapped_column(sa.JSON, nullable=True)
    error: so.Mapped[str] = so.mapped_column(sa.Text, nullable=False, default='')

    user = so.relationship('User')

    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name='status_known'),
    )

    def __repr__(self):
        return f'<Job {self.id} {self.kind} {self.status}>'


class UploadedFile(db.Model):
    """A file a user uploaded, kept until the job that reads it is done (any host's consumer can read it)."""

    __tablename__ = 'uploaded_files'

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    #: groups the files of one upload (Yahoo's orders and items files go together)
    token: so.Mapped[str] = so.mapped_column(sa.String(40), nullable=False, index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(255), nullable=False)
    content: so.Mapped[bytes] = so.mapped_column(sa.LargeBinary, nullable=False)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey('users.id'), nullable=True)
    created_at: so.Mapped[dt.datetime] = so.mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self):
        return f'<UploadedFile {self.id} {self.filename}>'
