"""Order screens: the list and detail, file imports with preview and history, item-code mapping; the order rules."""
import dataclasses
import datetime as dt
import io

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.services import record_personal_data_access
from app.catalog.models import Product
from app.catalog.services import find_product_by_code
from app.database import parse_int
from app.errors import UserError, as_user_errors
from app.extensions import db
from app.jobs.models import Job
from app.orders import bp, jobs, manual, queries, services
from app.orders import vocabulary as v
from app.orders.forms import (
    AmountDueForm,
    BuyerForm,
    CancelForm,
    ConfirmImportForm,
    DeliveryPaymentForm,
    HoldForm,
    ManualOrderForm,
    MapItemCodeForm,
    NoteForm,
    OrderRulesForm,
    OrderUploadForm,
    PaymentForm,
    ShipToForm,
)
from app.orders.importing import Preview, preview_order_files, write_planned
from app.orders.models import (
    CARRIERS,
    CHANNELS,
    HOLD_REASONS,
    PAYMENT_STATUSES,
    STATUSES,
    ImportBatch,
    Order,
    OrderHold,
)
from app.settings import bp as settings_bp
from app.settings import services as settings_services
from app.settings.services import shop_settings
from app.web.access import MANAGEMENT, OFFICE, roles_required
from app.web.forms import posted_ids
from app.web.htmx import is_htmx, render_htmx
from app.web.tables import paginate, table_state
from app.web.unit_of_work import write_after, writing
from exporters.base import write_csv
from importers.base import JST, FileRefused


@bp.record_once
def template_helpers(state):
    """The orders' words and carriers, for every area's screens (a pick batch, the mail log, the reports)."""
    state.app.jinja_env.globals.update(
        channel_label=v.label_function(v.CHANNEL_LABELS), source_label=v.label_function(v.SOURCE_LABELS),
        status_label=v.label_function(v.STATUS_LABELS), payment_label=v.label_function(v.PAYMENT_LABELS),
        payment_status_label=v.label_function(v.PAYMENT_STATUS_LABELS), hold_label=v.label_function(v.HOLD_LABELS),
        describe_event=v.describe_event, event_note=v.event_note, carrier_label=v.label_function(v.CARRIER_LABELS),
        carriers=CARRIERS)


@bp.route('/')
@roles_required(*OFFICE)
def orders():
    """Orders: queues per hold reason, filters, search, sort, paging, and actions on many at once."""
    state = table_state(queries.ORDER_SORTS, 'ordered_at', default_desc=True)
    filters = queries.OrderFilters.from_args(request.args)
    page = paginate(queries.order_search(filters), state, queries.ORDER_SORTS, Order.id.desc())
    return render_htmx('orders/list.html', 'orders/_list_table.html', **_list_context(page, state, filters))


def _list_context(page, state, filters) -> dict:
    return {'page': page, 'state': state, 'filters': filters, 'holds': _open_holds([o.id for o in page.items]),
            'combinable': queries.combinable(page.items),
            'queues': queries.hold_queue_counts(), 'any_hold': queries.ANY_HOLD, 'channels': CHANNELS,
            'hold_reasons': HOLD_REASONS,
            'statuses': STATUSES, 'payment_statuses': PAYMENT_STATUSES}


def _open_holds(order_ids: list[int]) -> dict[int, list[str]]:
    holds: dict[int, list[str]] = {}
    if order_ids:
        for order_id, reason in db.session.execute(
                sa.select(OrderHold.order_id, OrderHold.reason).where(
                    OrderHold.order_id.in_(order_ids), OrderHold.released_at.is_(None))):
            holds.setdefault(order_id, []).append(reason)
    return holds


@bp.route('/bulk', methods=['POST'])
@roles_required(*OFFICE)
def bulk():
    """One action on the selected orders; each order that refuses says why, the others go ahead."""
    action = request.form.get('action', '')
    ids = posted_ids(request.form.getlist('ids'))
    if action == 'export':
        return _send_export(len(ids), order_ids=ids)
    if action not in services.BULK_ACTIONS:
        abort(400)
    if not ids:
        flash(_('Select at least one order.'), 'error')
    else:
        with writing():
            done, refused = services.apply_to_orders(action, ids, actor=current_user, paid_on=today_jst(),
                                                     hold_reason=request.form.get('hold_reason', ''),
                                                     why=request.form.get('why', '').strip())
        if done:
            flash(_('%(action)s: %(n)d orders done.', action=BULK_LABELS[action], n=done), 'success')
        for number, message in refused:
            flash(f'{number}: {message}', 'error')
    # 303: the browser (and htmx, keeping its headers) loads the list again, with the messages
    return redirect(url_for('orders.orders', **request.args), 303)


BULK_LABELS = {'confirm': _l('Confirm'), 'release': _l('Release hold'), 'mark_paid': _l('Mark paid'),
               'allocate': _l('Allocate'), 'cancel': _l('Cancel')}


def today_jst() -> dt.date:
    return dt.datetime.now(JST).date()


@bp.route('/<int:order_id>')
@roles_required(*OFFICE)
def order(order_id):
    """One order: why it waits, lines and what they wait for, buyer and ship-to, payment, the timeline."""
    order = db.get_or_404(Order, order_id)
    write_after(record_personal_data_access, current_user.id, 'view', request.endpoint, order.id)
    return render_template('orders/detail.html', **_detail_context(order))


def _detail_context(order: Order, **forms) -> dict:
    ship_to = forms.get('ship_to') or ShipToForm(obj=order, formdata=None)
    return {'order': order, 'actions': services.order_actions(order), 'outstanding': queries.outstanding_by_line(order),
            'timeline': queries.timeline(order),
            'candidates': services.combine_candidates(order), 'carried': services.combined_orders(order),
            'ship_to': ship_to, 'buyer_form': forms.get('buyer_form') or BuyerForm(obj=order, formdata=None),
            'hold_form': forms.get('hold_form') or HoldForm(formdata=None),
            'payment_form': forms.get('payment_form') or PaymentForm(formdata=None, amount=order.billed,
                                                                      paid_on=today_jst()),
            'amount_due_form': forms.get('amount_due_form') or AmountDueForm(formdata=None,
                                                                             amount_due=order.amount_due),
            'cancel_form': forms.get('cancel_form') or CancelForm(formdata=None),
            'note_form': forms.get('note_form') or NoteForm(formdata=None), 'hold_reasons': HOLD_REASONS,
            'part_ship_to': forms.get('part_ship_to') or ShipToForm(prefix='part', formdata=None),
            'delivery_form': _slots(forms.get('delivery_form') or DeliveryPaymentForm(obj=order, formdata=None),
                                    order)}


def _slots(form: DeliveryPaymentForm, order: Order) -> DeliveryPaymentForm:
    """The shop's time slots to choose from, and the order's own when a mall wrote it another way."""
    slots = list(shop_settings().time_slots)
    if order.delivery_time_slot and order.delivery_time_slot not in slots:
        slots.insert(0, order.delivery_time_slot)
    form.delivery_time_slot.choices = [('', _l('No preference'))] + [(s, s) for s in slots]
    return form


def _order_action(order_id: int, form_class, form_name: str, action) -> object:
    """Validate a detail-page form and run the service; errors show on the page with what was typed."""
    order = db.get_or_404(Order, order_id)
    form = form_class()
    if form.validate_on_submit():
        with writing(form) as work:
            message = action(order, form)
        if work.ok:
            flash(message, 'success')
            return redirect(url_for('orders.order', order_id=order.id))
    return render_template('orders/detail.html', **_detail_context(order, **{form_name: form})), 422


@bp.route('/<int:order_id>/ship-to', methods=['POST'])
@roles_required(*OFFICE)
def edit_ship_to(order_id):
    def save(order, form):
        services.update_ship_to(order, {f: getattr(form, f).data or '' for f in services.SHIP_TO_FIELDS},
                                actor=current_user)
        return _('The address was saved and checked again.')
    return _order_action(order_id, ShipToForm, 'ship_to', save)


@bp.route('/<int:order_id>/buyer', methods=['POST'])
@roles_required(*OFFICE)
def edit_buyer(order_id):
    def save(order, form):
        services.update_buyer(order, {f: getattr(form, f).data or '' for f in services.BUYER_FIELDS},
                              actor=current_user)
        return _('The buyer was saved.')
    return _order_action(order_id, BuyerForm, 'buyer_form', save)


@bp.route('/<int:order_id>/lines', methods=['POST'])
@roles_required(*OFFICE)
def edit_lines(order_id):
    """Change the lines of an order not yet picked: quantities (0 removes a line) and one product to add."""
    order = db.get_or_404(Order, order_id)
    quantities = {line.id: _number(request.form[f'qty-{line.id}']) for line in order.lines
                  if f'qty-{line.id}' in request.form}
    add_code = (request.form.get('add_code') or '').strip()
    with writing() as work:
        add = None
        if add_code:
            add = (manual.product_for_code(add_code), _number(request.form.get('add_quantity') or '1'))
        changed = services.change_lines(order, quantities, add=add, actor=current_user)
    if work.ok:
        flash(_('%(n)d lines changed; the stock was reserved again.', n=changed) if changed
              else _('Nothing to change.'), 'success')
        return redirect(url_for('orders.order', order_id=order.id))
    return render_template('orders/detail.html', **_detail_context(order), typed=request.form), work.status


@bp.route('/<int:order_id>/delivery-payment', methods=['POST'])
@roles_required(*OFFICE)
def edit_delivery_payment(order_id):
    def save(order, form):
        changed = services.update_delivery_and_payment(
            order, delivery_date=form.delivery_date.data, delivery_time_slot=form.delivery_time_slot.data or '',
            payment_method=form.payment_method.data, shipping_fee=form.shipping_fee.data, cod_fee=form.cod_fee.data,
            actor=current_user)
        return _('The delivery, payment and fees were saved.') if changed else _('Nothing to change.')
    return _order_action(order_id, DeliveryPaymentForm, 'delivery_form', save)


@bp.route('/<int:order_id>/holds', methods=['POST'])
@roles_required(*OFFICE)
def add_hold(order_id):
    def hold(order, form):
        services.add_hold(order, form.reason.data, actor=current_user, note=form.note.data or '')
        return _('The order is on hold.')
    return _order_action(order_id, HoldForm, 'hold_form', hold)


@bp.route('/<int:order_id>/amount-due', methods=['POST'])
@roles_required(*OFFICE)
def set_amount_due(order_id):
    def save(order, form):
        services.set_amount_due(order, form.amount_due.data, actor=current_user)
        return _('The amount due was saved.')
    return _order_action(order_id, AmountDueForm, 'amount_due_form', save)


@bp.route('/<int:order_id>/payment', methods=['POST'])
@roles_required(*OFFICE)
def mark_paid(order_id):
    def paid(order, form):
        services.mark_paid(order, amount=form.amount.data, paid_on=form.paid_on.data, actor=current_user)
        return _('Payment recorded.')
    return _order_action(order_id, PaymentForm, 'payment_form', paid)


@bp.route('/<int:order_id>/cancel', methods=['POST'])
@roles_required(*OFFICE)
def cancel(order_id):
    def cancel_order(order, form):
        put_back = services.cancel_puts_back(order)
        units = services.cancel(order, actor=current_user, why=form.why.data)
        if put_back:
            return _('Order cancelled; its %(n)d picked units wait in the put-back area until they are scanned back '
                     'onto a shelf.', n=units)
        return _('Order cancelled; %(n)d reserved units went back to stock.', n=units)
    return _order_action(order_id, CancelForm, 'cancel_form', cancel_order)


@bp.route('/<int:order_id>/notes', methods=['POST'])
@roles_required(*OFFICE)
def add_note(order_id):
    def note(order, form):
        services.add_note(order, form.note.data, actor=current_user)
        return _('Note added.')
    return _order_action(order_id, NoteForm, 'note_form', note)


@bp.route('/<int:order_id>/actions', methods=['POST'])
@roles_required(*OFFICE)
def order_action(order_id):
    """The one-click actions of the order page: confirm, allocate now, raise or lower the priority."""
    order = db.get_or_404(Order, order_id)
    action = request.form.get('action')
    if action not in ('confirm', 'allocate', 'carrier', 'raise', 'lower'):
        abort(400)
    with writing():
        if action == 'confirm':
            services.confirm(order, actor=current_user)
        elif action == 'allocate':
            services.allocate_order(order, actor=current_user)
        elif action == 'carrier':
            services.set_carrier(order, request.form.get('carrier') or None, actor=current_user)
        else:
            services.set_priority(order, order.priority + (1 if action == 'raise' else -1), actor=current_user)
    return redirect(url_for('orders.order', order_id=order_id))


@bp.route('/<int:order_id>/combine', methods=['POST'])
@roles_required(*OFFICE)
def combine(order_id):
    """同梱: this order and the chosen candidates go in one parcel (or leave it again)."""
    order = db.get_or_404(Order, order_id)
    ids = posted_ids(request.form.getlist('ids'))
    with writing() as work:
        if request.form.get('action') == 'uncombine':
            services.uncombine(order, actor=current_user)
            message = _('The order ships on its own again.')
        else:
            others = db.session.scalars(sa.select(Order).where(Order.id.in_(ids))).all()
            carrier = services.combine([order, *others], actor=current_user)
            message = _('%(n)d orders now ship together with %(number)s.', n=len(others) + 1, number=carrier.number)
            order_id = carrier.id
    if work.ok:
        flash(message, 'success')
    return redirect(url_for('orders.order', order_id=order_id))


@bp.route('/<int:order_id>/split', methods=['POST'])
@roles_required(*OFFICE)
def split(order_id):
    """Move units of some lines to a second shipment."""
    order = db.get_or_404(Order, order_id)
    moves = {}
    for key, value in request.form.items():
        line_ids = posted_ids([key[5:]]) if key.startswith('move-') else []
        if line_ids and value.strip():
            try:
                moves[line_ids[0]] = parse_int(value.strip())
            except ValueError:
                flash(_('Units to move must be whole numbers.'), 'error')
                return redirect(url_for('orders.order', order_id=order_id))
    with writing() as work:
        part = services.split(order, moves, actor=current_user)
    if not work.ok:
        return redirect(url_for('orders.order', order_id=order_id))
    flash(_('Split: the moved units are now order %(number)s.', number=part.number), 'success')
    return redirect(url_for('orders.order', order_id=part.id))


@bp.route('/<int:order_id>/split-ship-to', methods=['POST'])
@roles_required(*OFFICE)
def split_ship_to(order_id):
    """Send units of some lines to another address, as an order of their own (複数送付先)."""
    order = db.get_or_404(Order, order_id)
    form = ShipToForm(prefix='part')
    moves, bad = {}, False
    for line in order.lines:
        value = (request.form.get(f'part-move-{line.id}') or '').strip()
        if value:
            try:
                moves[line.id] = parse_int(value)
            except ValueError:
                bad = True
    if bad:
        flash(_('Units to move must be whole numbers.'), 'error')
    elif form.validate_on_submit():
        with writing(form) as work:
            part = services.split_to_ship_to(order, moves, {f: getattr(form, f).data or ''
                                                            for f in services.SHIP_TO_FIELDS}, actor=current_user)
        if work.ok:
            flash(_('The moved units are now order %(number)s to %(name)s.', number=part.number,
                    name=part.ship_name), 'success')
            return redirect(url_for('orders.order', order_id=part.id))
    return render_template('orders/detail.html', **_detail_context(order, part_ship_to=form),
                           typed_moves=request.form), 422


@bp.route('/<int:order_id>/holds/<int:hold_id>/release', methods=['POST'])
@roles_required(*OFFICE)
def release_hold(order_id, hold_id):
    hold = db.get_or_404(OrderHold, hold_id)
    if hold.order_id != order_id:
        abort(404)
    with writing() as work:
        services.release_hold(hold, actor=current_user, note=request.form.get('note', ''))
    if work.ok:
        flash(_('Hold released.'), 'success')
    return redirect(url_for('orders.order', order_id=order_id))


@bp.route('/export.csv')
@roles_required(*OFFICE)
def export_orders():
    """The orders of the current filters as CSV, one row per line."""
    filters = queries.OrderFilters.from_args(request.args)
    order_ids = queries.order_search(filters).with_only_columns(Order.id)
    return _send_export(db.session.scalar(sa.select(sa.func.count()).select_from(order_ids.subquery())),
                        order_ids=order_ids)


def _send_export(how_many: int, **filters):
    """The orders export, logged as an export of `how_many` orders' personal data."""
    try:
        result = queries.export_orders(encoding=request.values.get('encoding', 'utf-8'), **filters)
    except UserError as exc:
        flash(str(exc), 'error')
        return redirect(url_for('orders.orders'))
    write_after(record_personal_data_access, current_user.id, 'export', request.endpoint, None, how_many)
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.filename)


# ---------------------------------------------------------------------------------------------- imports


@bp.route('/imports/new', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def upload():
    """Drop order files: they are read and checked, and a preview shows what would come in.

    The files are read and checked before the write begins, which only keeps them for the
    confirmation; a large upload is kept first and read by a background job (its page shows the
    progress, then this preview).
    """
    form = OrderUploadForm()
    if form.validate_on_submit():
        files = [(f.filename or 'upload.csv', f.read()) for f in form.files.data if f and f.filename]
        if jobs.previews_in_background(files):
            with writing():
                token = jobs.store_upload(files, actor=current_user)
                job = jobs.queue_job(jobs.PREVIEW, token, form.channel.data, actor=current_user)
            jobs.enqueue(job)
            return redirect(url_for('orders.job', job_id=job.id), 303)
        try:
            summary = preview_order_files(form.channel.data, files)
        except FileRefused as exc:
            return render_template('orders/upload.html', form=form, refused=str(exc)), 422
        with writing():
            token = jobs.store_upload(files, actor=current_user)
        return _preview_page(Preview.of(summary), token, jobs.runs_in_background(files))
    return render_template('orders/upload.html', form=form, refused=None)


def _preview_page(preview: Preview, token: str, background: bool):
    confirm = ConfirmImportForm(formdata=None, token=token, channel=preview.channel)
    return render_template('orders/preview.html', preview=preview, confirm=confirm, background=background)


@bp.route('/imports/confirm', methods=['POST'])
@roles_required(*OFFICE)
def confirm_import():
    """Import the previewed files: at once for a small file, as a background job for a large one.

    A small file is read and planned again before the write begins; the write looks up only the
    orders that arrived since.
    """
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    files = jobs.uploaded_files(form.token.data)
    if not files:
        flash(_('These files were already imported or discarded. Upload them again.'), 'error')
        return redirect(url_for('orders.upload'))
    if jobs.runs_in_background(files):
        with writing():
            job = jobs.queue_import(form.token.data, form.channel.data, actor=current_user)
        jobs.enqueue(job)
        return redirect(url_for('orders.job', job_id=job.id))
    try:
        summary = preview_order_files(form.channel.data, files)
    except FileRefused as exc:
        flash(str(exc), 'error')
        return redirect(url_for('orders.upload'))
    with writing():
        summary = write_planned(summary, files, actor=current_user)
        jobs.discard_upload(form.token.data)
    return redirect(url_for('orders.import_batch', batch_id=summary.batch_id))


@bp.route('/imports/jobs/<int:job_id>')
@roles_required(*OFFICE)
def job(job_id):
    """A background preview or import: progress while it runs (the fragment polls itself), then the result.

    A preview that is done is shown as the preview page itself; the polling fragment has the
    browser load it (HX-Refresh).
    """
    job = db.get_or_404(Job, job_id)
    if job.kind == jobs.PREVIEW and job.status == 'done':
        if is_htmx():
            return '', 200, {'HX-Refresh': 'true'}
        if job.result is None:
            flash(_('This preview is no longer kept. Upload the files again.'), 'error')
            return redirect(url_for('orders.upload'))
        return _preview_page(Preview.from_dict({k: v for k, v in job.result.items() if k != 'background'}),
                             job.params['upload'], job.result['background'])
    return render_htmx('orders/job.html', 'orders/_job.html', job=job, progress=jobs.job_progress(job.id),
                       stalled=jobs.stalled(job), stalled_message=jobs.STALLED_MESSAGE, preview=jobs.PREVIEW)


@bp.route('/imports/jobs/<int:job_id>/retry', methods=['POST'])
@roles_required(*OFFICE)
def retry_job(job_id):
    """A failed background import again, on the files kept from its upload."""
    failed = db.get_or_404(Job, job_id)
    with writing() as work:
        job = jobs.retry(failed, actor=current_user)
    if not work.ok:
        return redirect(url_for('orders.job', job_id=failed.id))
    jobs.enqueue(job)
    return redirect(url_for('orders.job', job_id=job.id))


IMPORT_SORTS = queries.BATCH_SORTS


@bp.route('/imports')
@roles_required(*OFFICE)
def imports():
    """Every import: when, who, which files, what came in."""
    state = table_state(IMPORT_SORTS, 'started', default_desc=True)
    query = sa.select(ImportBatch)
    if state.q:
        query = query.where(ImportBatch.filenames.icontains(state.q, autoescape=True))
    page = paginate(query, state, IMPORT_SORTS, ImportBatch.id.desc())
    running = db.session.scalars(sa.select(Job).where(Job.kind == 'order_import',
                                                      Job.status.in_(('queued', 'running')))).all()
    return render_htmx('orders/imports.html', 'orders/_imports_table.html', page=page, state=state, running=running)


@bp.route('/imports/<int:batch_id>')
@roles_required(*OFFICE)
def import_batch(batch_id):
    batch = db.get_or_404(ImportBatch, batch_id)
    # the count of the very list the card links to
    held_orders = queries.order_search(queries.OrderFilters(batch=batch.id, hold=queries.ANY_HOLD))
    held = db.session.scalar(sa.select(sa.func.count()).select_from(held_orders.subquery()))
    return render_template('orders/import_detail.html', batch=batch, held=held, any_hold=queries.ANY_HOLD)


@bp.route('/imports/<int:batch_id>/problems.csv')
@roles_required(*OFFICE)
def import_problems(batch_id):
    """The problems of an import, for the clerk to fix the file (or tell the mall)."""
    batch = db.get_or_404(ImportBatch, batch_id)
    header = ('file', 'line', 'order', 'field', 'value', 'message')
    with as_user_errors():
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
            with writing() as work:
                lines, released = services.map_item_code(form.channel.data, form.item_code.data, product,
                                                         actor=current_user)
            if work.ok:
                flash(_('%(code)s is now %(sku)s: %(lines)d order lines updated, %(released)d orders released.',
                        code=form.item_code.data, sku=product.sku, lines=lines, released=released), 'success')
        if not request.headers.get('HX-Request'):
            return redirect(url_for('orders.unmapped'))
    codes = db.session.execute(queries.unmapped_item_codes().limit(500)).all()
    return render_htmx('orders/unmapped.html', 'orders/_unmapped_table.html', codes=codes)


# ---------------------------------------------------------------------------------------------- entered by hand


def _entry_rows() -> list[dict]:
    """The lines as the entry screen holds them, each value as typed (shown again as it was after a refusal)."""
    fields = ('code', 'quantity', 'price', 'reason')
    columns = [request.form.getlist(f'line_{name}') for name in fields]
    rows = [dict(zip(fields, values)) for values in zip(*columns, strict=False)]
    products = {p.sku: p for p in db.session.scalars(sa.select(Product).where(
        Product.sku.in_([row['code'] for row in rows])))} if rows else {}
    for row in rows:
        row['product'] = products.get(row['code'])
    return rows


def _number(text: str) -> int | None:
    text = (text or '').strip().replace(',', '')
    return int(text) if text.isdigit() else None


def _manual_lines(rows: list[dict]) -> list[manual.ManualLine]:
    return [manual.ManualLine(row['code'], _number(row['quantity']),
                              _number(row['price']) if row['price'].strip() else None, row['reason'])
            for row in rows]


def _entry_form(form: ManualOrderForm) -> ManualOrderForm:
    settings = shop_settings()
    form.delivery_time_slot.choices = [('', _l('No preference'))] + [(s, s) for s in settings.time_slots]
    return form


def _entry_page(form: ManualOrderForm, rows: list[dict], status: int = 200, original: Order | None = None):
    return render_template('orders/new.html', form=form, rows=rows, original=original,
                           entry=_entry_lines_context(rows)), status


def _entry_lines_context(rows: list[dict], *, error: str = '', candidates=(), added: str = '') -> dict:
    total = sum((_number(r['quantity']) or 0) * (_number(r['price']) if r['price'].strip() else
                                                 (r['product'].price if r['product'] else 0) or 0) for r in rows)
    return {'rows': rows, 'error': error, 'candidates': candidates, 'added': added, 'items_total': total}


@bp.route('/new', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def new_order():
    """A clerk enters an order taken by phone, fax or e-mail; it is created as every other order is."""
    settings = shop_settings()
    form = _entry_form(ManualOrderForm(shipping_fee=settings.shipping_fee, cod_fee=settings.cod_fee))
    rows = _entry_rows() if request.method == 'POST' else []
    original_id = _number_or_none(form.duplicate_of.data or '', low=1)
    original = db.session.get(Order, original_id) if original_id is not None else None
    if form.validate_on_submit():
        entry = manual.ManualOrder(**{name: (getattr(form, name).data or '') for name in MANUAL_TEXT_FIELDS},
                                   shipping_fee=form.shipping_fee.data, cod_fee=form.cod_fee.data,
                                   delivery_date=form.delivery_date.data, lines=_manual_lines(rows))
        if not entry.ship_name.strip():   # the customer receives it: the recipient is the customer
            entry.ship_name, entry.ship_kana = entry.buyer_name, entry.buyer_kana
            entry.ship_phone = entry.ship_phone or entry.buyer_phone
        with writing(form) as work:
            order = manual.enter_order(entry, actor=current_user, duplicate_of=original)
            number, order_id = order.number, order.id
        if work.ok:
            flash(_('Order %(number)s was entered.', number=number), 'success')
            return redirect(url_for('orders.order', order_id=order_id))
        return _entry_page(form, rows, work.status, original)
    if request.method == 'POST':
        return _entry_page(form, rows, 422, original)
    return _entry_page(form, rows, original=original)


MANUAL_TEXT_FIELDS = ('source', 'buyer_name', 'buyer_kana', 'buyer_email', 'buyer_phone', 'ship_name', 'ship_kana',
                      'ship_postal_code', 'ship_prefecture', 'ship_city', 'ship_address1', 'ship_address2',
                      'ship_phone', 'payment_method', 'delivery_time_slot', 'gift_wrap', 'noshi', 'comment')


def _number_or_none(text: str, low: int = 0) -> int | None:
    """A row number or id the screen posted back; None for anything no row or order can have."""
    try:
        return parse_int(text, low=low)
    except ValueError:
        return None


@bp.route('/new/lines', methods=['POST'])
@roles_required(*OFFICE)
def entry_lines():
    """The entry screen's lines after a code was scanned or typed (or a name searched, or a line removed)."""
    rows = _entry_rows()
    if (remove := _number_or_none(request.form.get('remove', ''))) is not None:
        del rows[remove:remove + 1]
        return render_template('orders/_entry_lines.html', **_entry_lines_context(rows))
    code = (request.form.get('code') or '').strip()
    if not code:
        return render_template('orders/_entry_lines.html', **_entry_lines_context(rows))
    try:
        product = manual.product_for_code(code)
    except UserError as exc:
        found = manual.search_products(code)
        if len(found) != 1:
            error = '' if found else _('%(error)s No product has it in its name either.', error=str(exc))
            return render_template('orders/_entry_lines.html',
                                   **_entry_lines_context(rows, error=error, candidates=found)), 200
        product = found[0]
    for row in rows:
        if row['code'] == product.sku and (quantity := _number(row['quantity'])) is not None:
            row['quantity'] = str(quantity + 1)
            break
    else:
        rows.append({'code': product.sku, 'quantity': '1', 'price': str(product.price), 'reason': '',
                     'product': product})
    return render_template('orders/_entry_lines.html', **_entry_lines_context(rows, added=product.sku))


@bp.route('/<int:order_id>/duplicate')
@roles_required(*OFFICE)
def duplicate_order(order_id):
    """A new manual order prefilled from this one (a re-send, an exchange without a return), linked to it."""
    original = db.get_or_404(Order, order_id)
    entry = manual.entry_from_order(original)
    form = _entry_form(ManualOrderForm(formdata=None, obj=entry, duplicate_of=str(original.id)))
    products = {p.sku: p for p in db.session.scalars(sa.select(Product).where(
        Product.sku.in_([line.code for line in entry.lines])))}
    rows = [{'code': line.code, 'quantity': str(line.quantity),
             'price': str(line.unit_price if line.unit_price is not None else
                           products[line.code].price if line.code in products else ''),
             'reason': line.price_reason, 'product': products.get(line.code)} for line in entry.lines]
    return _entry_page(form, rows, original=original)


@settings_bp.route('/orders', methods=['GET', 'POST'])
@roles_required(*MANAGEMENT)
def order_rules():
    """Which arriving orders are held, and how each channel is allocated (/settings/orders: stored as settings)."""
    rules = settings_services.order_rules()
    form = OrderRulesForm(data={**dataclasses.asdict(rules), 'partial_channels': list(rules.partial_channels)})
    if form.validate_on_submit():
        with writing(form) as work:
            settings_services.save_order_rules(settings_services.OrderRules(
                hold_payment_pending=form.hold_payment_pending.data,
                hold_customer_comment=form.hold_customer_comment.data,
                hold_delivery_days=form.hold_delivery_days.data, hold_cod_over=form.hold_cod_over.data,
                partial_channels=tuple(form.partial_channels.data), auto_combine=form.auto_combine.data,
                shipping_cutoff=form.shipping_cutoff.data),
                actor=current_user)
        if work.ok:
            flash(_('Order rules saved. They apply to orders that arrive from now on.'), 'success')
            return redirect(url_for('settings.order_rules'))
    return render_template('orders/rules.html', form=form)
