"""The request is the unit of work: what a view writes is committed once, or not at all.

indico's ``RH.process()`` is the model: commit when the handler succeeds, roll back on any
exception.  Kura differs in one point, for SQLite: the write lock is held only around the write.
Every request begins read-only, so parsing the request, loading what it is about, reading an
uploaded file and rendering the answer never wait for, or hold, the lock; a statement that would
write there is refused (app.database.ReadOnlyViolation), which is how a GET never writes.
A view writes inside ``with writing() as work:`` (a block, not a decorator around the whole view,
so that what comes before and after it runs without the lock), once per request, which

- ends the read transaction and begins one that takes SQLite's write lock with its first
  statement; what was read before is expired, so the services read it again under the lock;
- commits once when the block ends; the rest of the request reads again, without the lock;
- on a UserError rolls back and shows the message: next to its field of `form` (or at the top
  of the page), as a flash without a form, or not at all with ``show=False``; the view reads
  ``work.error`` and renders as it would, with ``work.status`` (422 after a refusal);
- on any other exception rolls back and lets it through (to the 500 page, which says nothing
  was saved).

The packing station answers a scan from what the scan's own transaction read and wrote: its
views are marked ``@one_transaction``, so the request writes from its first statement, and
``writing(keep_loaded=True)`` commits without expiring what was loaded (commit_keeping_loaded).
"""
import contextlib
import dataclasses

from flask import current_app, flash, g, redirect, render_template, request, url_for

from app.database import commit_keeping_loaded, set_read_only_transactions, transactions_read_only
from app.errors import UserError
from app.extensions import db
from app.web.forms import show_error_on_form
from app.web.htmx import is_htmx


@dataclasses.dataclass
class Work:
    """How a request's write ended: done, or refused with the service's UserError."""

    error: UserError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        """The HTTP status of the page that shows the outcome: 422 when the write was refused."""
        return 200 if self.error is None else 422


@contextlib.contextmanager
def writing(form=None, *, show: bool = True, keep_loaded: bool = False, allow_get: bool = False):
    """The request's one write: commit when the block ends, roll back (and show a UserError) when it fails.

    :param form: the form whose field a UserError is shown on (see show_error_on_form)
    :param show: False when the view shows ``work.error`` itself (the scanning screens)
    :param keep_loaded: commit without expiring the objects loaded, to render from them
    :param allow_get: for the one GET that writes, the shipping label's print count (its link opens it)
    """
    if request.method in ('GET', 'HEAD') and not allow_get:
        raise RuntimeError('a GET never writes')
    if g.get('kura_unit_of_work_done'):
        raise RuntimeError('a request writes in one unit of work, not several')
    g.kura_unit_of_work_done = True
    if transactions_read_only():
        # end the read transaction (it wrote nothing): the next statement begins a writing one
        db.session.commit()
        set_read_only_transactions(False)
    work = Work()
    try:
        yield work
    except UserError as exc:
        db.session.rollback()
        work.error = exc
        if form is not None:
            show_error_on_form(form, exc)
        elif show:
            flash(str(exc), 'error')
    except BaseException:
        db.session.rollback()
        raise
    else:
        if keep_loaded:
            commit_keeping_loaded(db.session())
        else:
            db.session.commit()
    finally:
        set_read_only_transactions(True)


def write_after(write, *args) -> None:
    """Declare a write made after the answer, in a short transaction of its own: ``write(connection, *args)``.

    The one exception to "a GET never writes", for the access log of personal data (who viewed,
    exported or printed it): the record must exist for every page view, and those are GETs.  It
    is made only when the view answered without an error (status below 400), once the answer
    has gone to the browser (the response's close; a file, before it is sent), on a connection of its own: the
    request's read transaction and its unit of work stay as they are, and a page never waits
    for SQLite's write lock (an import holding it delays the log row, not the page).  A failure
    is logged, as the answer has been made.
    """
    g.setdefault('kura_write_after', []).append((write, args))


def _write_after(response):
    writes = g.pop('kura_write_after', None)
    if writes and response.status_code < 400:
        app = current_app._get_current_object()
        if response.direct_passthrough:
            # a file (send_file) is handed to the server as it is, and its close is not the response's:
            # write now; downloads and prints are far rarer than page views
            _write_now(app, writes)
        else:
            response.call_on_close(lambda: _write_now(app, writes))
    return response


def _write_now(app, writes) -> None:
    """The declared writes, in one short transaction (the request's context is gone by now)."""
    with app.app_context():
        was_read_only = transactions_read_only()
        set_read_only_transactions(False)
        try:
            with db.engine.begin() as connection:
                for write, args in writes:
                    write(connection, *args)
        except Exception:
            app.logger.exception('a write after the answer failed')
        finally:
            set_read_only_transactions(was_read_only)


def one_transaction(view):
    """Mark a view whose reads and write share one transaction, writing from its first statement.

    For the packing station, which answers from what its transaction loaded; every other view
    reads before its write and renders after it without the write lock.
    """
    view.kura_one_transaction = True
    return view


def _begin_read_only():
    """before_request: every request reads until its view begins to write (except @one_transaction views)."""
    view = current_app.view_functions.get(request.endpoint)
    set_read_only_transactions(not getattr(view, 'kura_one_transaction', False))


def _refused(exc: UserError):
    """A UserError no view caught: nothing is saved, and the message is shown where the user is."""
    db.session.rollback()
    if is_htmx():
        return render_template('errors/_message.html', code=422, message=str(exc)), 422
    flash(str(exc), 'error')
    back = request.referrer or ''
    if not back.startswith(request.host_url):
        back = url_for('web.home')
    return redirect(back, 303)


def register(app) -> None:
    app.before_request(_begin_read_only)
    app.register_error_handler(UserError, _refused)
    app.after_request(_write_after)

    @app.teardown_request
    def _end(_exc):
        # back to the default of commands and jobs (and of a test's own code, between requests)
        set_read_only_transactions(False)
