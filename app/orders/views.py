"""Order screens: the list and detail, file imports with preview and history, item-code mapping."""
import datetime as dt
import io

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.catalog.services import find_product_by_code
from app.errors import UserError
from app.extensions import db
from app.jobs.models import Job
from app.orders import bp, jobs, queries, services
from app.orders.forms import ConfirmImportForm, MapItemCodeForm, OrderUploadForm
from app.orders.importing import import_order_files
from app.orders.models import CHANNELS, HOLD_REASONS, ImportBatch, Order, OrderHold
from app.web.access import OFFICE, roles_required
from app.web.htmx import render_htmx
from app.web.tables import paginate, table_state
from exporters import EXPORTERS
from exporters.base import write_csv
from importers.base import FileRefused


PREVIEW_ROWS = 20


@bp.route('/')
@roles_required(*OFFICE)
def orders():
    """Orders: search by number, channel order id, name, kana, phone or e-mail; filter; sort; page."""
    state = table_state(queries.ORDER_SORTS, 'ordered_at', default_desc=True)
    channel, hold = request.args.get('channel', ''), request.args.get('hold', '')
    page = paginate(queries.order_search(state.q, channel=channel, hold=hold), state, queries.ORDER_SORTS,
                    Order.id.desc())
    holds = _open_holds([o.id for o in page.items])
    return render_htmx('orders/list.html', 'orders/_list_table.html', page=page, state=state, channel=channel,
                       hold=hold, holds=holds, channels=CHANNELS, hold_reasons=HOLD_REASONS)


def _open_holds(order_ids: list[int]) -> dict[int, list[str]]:
    holds: dict[int, list[str]] = {}
    if order_ids:
        for order_id, reason in db.session.execute(
                sa.select(OrderHold.order_id, OrderHold.reason).where(
                    OrderHold.order_id.in_(order_ids), OrderHold.released_at.is_(None))):
            holds.setdefault(order_id, []).append(reason)
    return holds


@bp.route('/<int:order_id>')
@roles_required(*OFFICE)
def order(order_id):
    """One order: lines, buyer and ship-to, payment, gift options, the customer's comment, holds."""
    order = db.get_or_404(Order, order_id)
    return render_template('orders/detail.html', order=order)


@bp.route('/<int:order_id>/holds/<int:hold_id>/release', methods=['POST'])
@roles_required(*OFFICE)
def release_hold(order_id, hold_id):
    hold = db.get_or_404(OrderHold, hold_id)
    if hold.order_id != order_id:
        abort(404)
    try:
        services.release_hold(hold, actor=current_user, note=request.form.get('note', ''))
    except UserError as exc:
        flash(str(exc), 'error')
    else:
        db.session.commit()
        flash(_('Hold released.'), 'success')
    return redirect(url_for('orders.order', order_id=order_id))


@bp.route('/export.csv')
@roles_required(*OFFICE)
def export_orders():
    """The orders of the current search (or of the ordered-date range) as CSV, one row per line."""
    def day(name):
        try:
            return dt.date.fromisoformat(request.args[name]) if request.args.get(name) else None
        except ValueError:
            abort(400)

    filters = {'date_from': day('from'), 'date_to': day('to')}
    q, channel, hold = request.args.get('q', ''), request.args.get('channel', ''), request.args.get('hold', '')
    if q or channel or hold:
        filters['order_ids'] = queries.order_search(q, channel=channel, hold=hold).with_only_columns(Order.id)
    try:
        result = EXPORTERS['orders'](encoding=request.args.get('encoding', 'utf-8'), **filters)
    except UserError as exc:
        flash(str(exc), 'error')
        return redirect(url_for('orders.orders'))
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.filename)


# ---------------------------------------------------------------------------------------------- imports


@bp.route('/imports/new', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def upload():
    """Drop order files: they are read and checked, and a preview shows what would come in."""
    form = OrderUploadForm()
    if form.validate_on_submit():
        files = [(f.filename or 'upload.csv', f.read()) for f in form.files.data if f and f.filename]
        try:
            preview = import_order_files(form.channel.data, files, dry_run=True)
        except FileRefused as exc:
            db.session.rollback()
            return render_template('orders/upload.html', form=form, refused=str(exc)), 422
        token = jobs.store_upload(files, actor=current_user)
        db.session.commit()
        confirm = ConfirmImportForm(formdata=None, token=token, channel=preview.channel)
        return render_template('orders/preview.html', preview=preview, confirm=confirm,
                               shown=preview.planned[:PREVIEW_ROWS], background=_runs_in_background(files))
    return render_template('orders/upload.html', form=form, refused=None)


def _runs_in_background(files: list[tuple[str, bytes]]) -> bool:
    return sum(data.count(b'\n') for _, data in files) > current_app.config['IMPORT_BACKGROUND_LINES']


@bp.route('/imports/confirm', methods=['POST'])
@roles_required(*OFFICE)
def confirm_import():
    """Import the previewed files: at once for a small file, as a background job for a large one."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    files = jobs.uploaded_files(form.token.data)
    if not files:
        flash(_('These files were already imported or discarded. Upload them again.'), 'error')
        return redirect(url_for('orders.upload'))
    if _runs_in_background(files):
        job = jobs.queue_import(form.token.data, form.channel.data, actor=current_user)
        db.session.commit()
        jobs.enqueue(job)
        return redirect(url_for('orders.job', job_id=job.id))
    try:
        summary = import_order_files(form.channel.data, files, actor=current_user)
    except FileRefused as exc:
        db.session.rollback()
        flash(str(exc), 'error')
        return redirect(url_for('orders.upload'))
    jobs.discard_upload(form.token.data)
    db.session.commit()
    return redirect(url_for('orders.import_batch', batch_id=summary.batch_id))


@bp.route('/imports/jobs/<int:job_id>')
@roles_required(*OFFICE)
def job(job_id):
    """A background import: progress while it runs (the fragment polls itself), the result when done."""
    job = db.get_or_404(Job, job_id)
    return render_htmx('orders/job.html', 'orders/_job.html', job=job, progress=jobs.job_progress(job.id))


IMPORT_SORTS = queries.BATCH_SORTS


@bp.route('/imports')
@roles_required(*OFFICE)
def imports():
    """Every import: when, who, which files, what came in."""
    state = table_state(IMPORT_SORTS, 'started', default_desc=True)
    query = sa.select(ImportBatch)
    if state.q:
        query = query.where(ImportBatch.filenames.ilike(f'%{state.q}%'))
    page = paginate(query, state, IMPORT_SORTS, ImportBatch.id.desc())
    running = db.session.scalars(sa.select(Job).where(Job.kind == 'order_import',
                                                      Job.status.in_(('queued', 'running')))).all()
    return render_htmx('orders/imports.html', 'orders/_imports_table.html', page=page, state=state, running=running)


@bp.route('/imports/<int:batch_id>')
@roles_required(*OFFICE)
def import_batch(batch_id):
    batch = db.get_or_404(ImportBatch, batch_id)
    held = db.session.scalar(sa.select(sa.func.count(sa.distinct(OrderHold.order_id))).join(Order).where(
        Order.import_batch_id == batch.id, OrderHold.released_at.is_(None)))
    return render_template('orders/import_detail.html', batch=batch, held=held)


@bp.route('/imports/<int:batch_id>/problems.csv')
@roles_required(*OFFICE)
def import_problems(batch_id):
    """The problems of an import, for the clerk to fix the file (or tell the mall)."""
    batch = db.get_or_404(ImportBatch, batch_id)
    header = ('file', 'line', 'order', 'field', 'value', 'message')
    content = write_csv(header, ([p.get(k, '') for k in header] for p in batch.problems),
                        encoding=request.args.get('encoding', 'utf-8'))
    return send_file(io.BytesIO(content), mimetype='text/csv', as_attachment=True,
                     download_name=f'import-{batch.id}-problems.csv')


# ---------------------------------------------------------------------------------------------- item codes


@bp.route('/unmapped', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def unmapped():
    """Mall item codes no product matches: map each once, and every order waiting on it is released."""
    form = MapItemCodeForm()
    if form.validate_on_submit():
        product = find_product_by_code(form.product_code.data)
        if product is None:
            flash(_('No product has the JAN or SKU "%(code)s".', code=form.product_code.data.strip()), 'error')
        else:
            try:
                lines, released = services.map_item_code(form.channel.data, form.item_code.data, product,
                                                         actor=current_user)
            except UserError as exc:
                db.session.rollback()
                flash(str(exc), 'error')
            else:
                db.session.commit()
                flash(_('%(code)s is now %(sku)s: %(lines)d order lines updated, %(released)d orders released.',
                        code=form.item_code.data, sku=product.sku, lines=lines, released=released), 'success')
        if not request.headers.get('HX-Request'):
            return redirect(url_for('orders.unmapped'))
    codes = db.session.execute(queries.unmapped_item_codes().limit(500)).all()
    return render_htmx('orders/unmapped.html', 'orders/_unmapped_table.html', codes=codes)
