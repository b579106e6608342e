"""Stock screens: levels, per product and per location with the ledger, receiving, adjustment."""
import io

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

import labels
from app.catalog.models import Product
from app.catalog.services import find_product_by_code
from app.errors import UserError
from app.extensions import db
from app.inventory import bp, queries, services
from app.inventory.forms import AdjustForm, LocationForm, LocationLimitsForm, ReceiveForm
from app.inventory.models import Location, MovementReason, PutBackTask, StockLevel, StockMovement
from app.web.access import FLOOR, OFFICE, RECEIVING, roles_required
from app.web.htmx import render_htmx
from app.web.tables import page_of, paginate, table_state
from app.web.unit_of_work import writing


# the home page's stock cards, and the units available in the catalogue's product list (catalog reads
# no stock: inventory builds on the catalogue, not the other way round)
bp.add_app_template_global(queries.stock_totals)
bp.add_app_template_global(queries.available_by_product)


@bp.app_template_global()
def reason_label(reason: str) -> str:
    labels = {'receipt': _('Receipt'), 'adjustment': _('Adjustment'), 'shipment': _('Shipment'),
              'return': _('Return'), 'stocktake': _('Stocktake'), 'transfer': _('Transfer')}
    return labels.get(reason, reason)


@bp.route('/')
@roles_required(*OFFICE)
def levels():
    """Stock by product and location: on hand, allocated, available."""
    state = table_state(queries.LEVEL_SORTS, 'sku')
    page = paginate(queries.stock_levels(state.q), state, queries.LEVEL_SORTS, StockLevel.id)
    return render_htmx('inventory/levels.html', 'inventory/_levels_table.html', page=page, state=state)


@bp.route('/products/<int:product_id>')
@roles_required(*OFFICE)
def product_stock(product_id):
    """One product: its stock at each location and its ledger."""
    product = db.get_or_404(Product, product_id)
    levels = db.session.execute(queries.stock_levels(product_id=product.id).order_by(Location.sort_key)).all()
    ledger = page_of(queries.movements(product_id=product.id), request.args.get('page', 1, type=int), 50)
    total = db.session.execute(queries.totals(product.id)).one()
    return render_htmx('inventory/product.html', 'inventory/_ledger.html', product=product, levels=levels,
                       ledger=ledger, total=total, show_location=True)


@bp.route('/locations', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def locations():
    """Locations in walking order, and a form to add one."""
    form = LocationForm()
    if form.validate_on_submit():
        with writing(form) as work:
            code = services.clean_location_code(form.code.data)
            if services.find_location(code):
                raise UserError(_('Location %(code)s already exists.', code=code), field='code')
            services.get_or_create_location(code)
        if work.ok:
            flash(_('Location %(code)s created.', code=code), 'success')
            return redirect(url_for('inventory.locations', q=code))
    state = table_state(queries.LOCATION_SORTS, 'code')
    page = paginate(queries.locations(state.q), state, queries.LOCATION_SORTS, Location.id)
    return render_htmx('inventory/locations.html', 'inventory/_locations_table.html', page=page, state=state,
                       form=form)


@bp.route('/locations/<int:location_id>')
@roles_required(*OFFICE)
def location_stock(location_id, limits_form=None, status=200):
    """One location: its label's barcode, what is on it, its minimum and capacity, and its ledger."""
    location = db.get_or_404(Location, location_id)
    levels = db.session.execute(queries.stock_levels(location_id=location.id).order_by(Product.sku)).all()
    ledger = page_of(queries.movements(location_id=location.id), request.args.get('page', 1, type=int), 50)
    limits_form = limits_form or LocationLimitsForm(formdata=None, minimum=location.minimum,
                                                    capacity=location.capacity)
    return render_htmx('inventory/location.html', 'inventory/_ledger.html', status=status, location=location,
                       levels=levels, ledger=ledger, show_product=True, limits_form=limits_form)


@bp.route('/locations/<int:location_id>/limits', methods=['POST'])
@roles_required(*OFFICE)
def location_limits(location_id):
    """Set (or clear) a location's minimum and capacity: a pick location is replenished below its minimum."""
    location = db.get_or_404(Location, location_id)
    form = LocationLimitsForm()
    if not form.validate_on_submit():
        return location_stock(location_id, limits_form=form, status=422)
    with writing(form) as work:
        services.set_location_limits(db.session.get(Location, location_id), minimum=form.minimum.data,
                                     capacity=form.capacity.data, actor=current_user)
    if not work.ok:
        return location_stock(location_id, limits_form=form, status=422)
    flash(_('Minimum and capacity of %(location)s saved.', location=location.code), 'success')
    return redirect(url_for('inventory.location_stock', location_id=location_id))


@bp.route('/replenishment')
@roles_required(*RECEIVING)
def replenishment():
    """Pick locations below their minimum, and the reserve shelves to refill them from."""
    return render_template('inventory/replenishment.html', rows=queries.replenishments())


def _recent(reason: str) -> list[StockMovement]:
    """What this user booked last, so a receiver sees each scan land."""
    return db.session.scalars(
        sa.select(StockMovement).where(StockMovement.user_id == current_user.id, StockMovement.reason == reason)
        .order_by(StockMovement.id.desc()).limit(10)).all()


@bp.route('/receive', methods=['GET', 'POST'])
@roles_required(*RECEIVING)
def receive():
    """Goods in: scan or type a JAN or SKU, a quantity and a location."""
    form = ReceiveForm()
    status = 200
    if form.validate_on_submit():
        with writing(form) as work:
            product = find_product_by_code(form.code.data)
            if product is None:
                raise UserError(_('No product has the JAN or SKU "%(code)s".', code=form.code.data.strip()),
                                field='code')
            location = services.get_location(form.location.data)
            level = services.receive(product, location, form.quantity.data, actor=current_user,
                                     reference=form.note.data or '', note=form.note.data or '')
        status = work.status
        if work.ok:
            flash(_('Received %(n)d × %(sku)s %(name)s at %(location)s (now %(on_hand)d on hand).',
                    n=form.quantity.data, sku=product.sku, name=product.name, location=location.code,
                    on_hand=level.on_hand), 'success')
            # keep the location for the next scan, clear the code and quantity
            form = ReceiveForm(formdata=None, location=location.code)
    elif request.method == 'POST':
        status = 422
    return render_htmx('inventory/receive.html', 'inventory/_receive.html', status=status, form=form,
                       recent=_recent('receipt'))


@bp.route('/adjust', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def adjust():
    """Correct stock with a reason: damaged, found, miscounted."""
    form = AdjustForm()
    status = 200
    if form.validate_on_submit():
        with writing(form) as work:
            product = find_product_by_code(form.code.data)
            if product is None:
                raise UserError(_('No product has the JAN or SKU "%(code)s".', code=form.code.data.strip()),
                                field='code')
            location = services.get_location(form.location.data)
            level = services.adjust(product, location, form.quantity.data, reason=form.reason.data,
                                    actor=current_user)
        status = work.status
        if work.ok:
            flash(_('Adjusted %(sku)s at %(location)s by %(delta)+d (now %(on_hand)d on hand).', sku=product.sku,
                    location=location.code, delta=form.quantity.data, on_hand=level.on_hand), 'success')
            form = AdjustForm(formdata=None)
    elif request.method == 'POST':
        status = 422
    return render_htmx('inventory/adjust.html', 'inventory/_adjust.html', status=status, form=form,
                       recent=_recent('adjustment'))


@bp.route('/export.csv')
@roles_required(*OFFICE)
def export_stock():
    try:
        result = queries.export_stock(encoding=request.args.get('encoding', 'utf-8'))
    except UserError as exc:
        flash(str(exc), 'error')
        return redirect(url_for('inventory.levels'))
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.filename)


# ------------------------------------------------------------------------------------- moves (棚移動)


def _move_state() -> services.MoveState:
    """Where this user's move on the scanning screen stands, kept in the session between scans."""
    saved = session.get('move') or {}
    try:
        return services.MoveState(from_code=str(saved.get('from', '')), product_id=saved.get('product'),
                                  quantity=int(saved.get('quantity', 0)))
    except (TypeError, ValueError):
        return services.MoveState()


def _save_move_state(state: services.MoveState) -> None:
    session['move'] = {'from': state.from_code, 'product': state.product_id, 'quantity': state.quantity}


def _move_view(scan: services.MoveScan | None = None, status: int = 200):
    state = scan.state if scan is not None else _move_state()
    from_location = services.find_location(state.from_code) if state.from_code else None
    product = db.session.get(Product, state.product_id) if state.product_id else None
    levels = (db.session.execute(queries.stock_levels(location_id=from_location.id).order_by(Product.sku)).all()
              if from_location is not None else [])
    moves = db.session.scalars(
        sa.select(StockMovement).where(StockMovement.user_id == current_user.id,
                                       StockMovement.reason == MovementReason.transfer, StockMovement.delta > 0)
        .order_by(StockMovement.id.desc()).limit(5)).all()
    response = make_response(render_htmx('inventory/move.html', 'inventory/_move.html', status=status, state=state,
                                          from_location=from_location, product=product, levels=levels, scan=scan,
                                          moves=moves))
    if scan is not None:
        response.headers['HX-Trigger'] = 'scanOk' if scan.ok else 'scanError'
    return response


@bp.route('/move')
@roles_required(*FLOOR)
def move():
    """Move stock by scanning: from-location, product (and quantity), to-location.  Built for a handheld."""
    return _move_view()


@bp.route('/move/scan', methods=['POST'])
@roles_required(*FLOOR)
def move_scan():
    """One scan on the move screen; only the last one (the to-location) writes."""
    code = request.form.get('code', '').strip()
    if not code:
        return _move_view()
    state = _move_state()
    with writing(show=False) as work:
        scan = services.move_scan(state, code, actor=current_user)
    if not work.ok:
        scan = services.MoveScan(False, str(work.error), state)
    _save_move_state(scan.state)
    return _move_view(scan, 200 if scan.ok else 422)


@bp.route('/move/reset', methods=['POST'])
@roles_required(*FLOOR)
def move_reset():
    """Start the move over (a pointer's click): nothing was moved yet."""
    session.pop('move', None)
    return redirect(url_for('inventory.move'))


# ------------------------------------------------------------------------------------------------ put-back


@bp.route('/putback/')
@roles_required(*FLOOR)
def put_back_tasks():
    """The put-back tasks still open (picked units of cancelled orders), and the last ones done."""
    open_tasks = db.session.scalars(sa.select(PutBackTask).where(PutBackTask.done_at.is_(None))
                                    .order_by(PutBackTask.id)).all()
    done = db.session.scalars(sa.select(PutBackTask).where(PutBackTask.done_at.is_not(None))
                              .order_by(PutBackTask.done_at.desc()).limit(20)).all()
    return render_template('inventory/put_back_tasks.html', open_tasks=open_tasks, done=done)


def _put_back_location(task: PutBackTask) -> str:
    saved = session.get('putback') or {}
    return str(saved.get('location', '')) if saved.get('task') == task.id else ''


def _put_back_view(task: PutBackTask, scan: services.PutBackScan | None = None, status: int = 200):
    location_code = scan.location_code if scan is not None else _put_back_location(task)
    response = make_response(render_htmx('inventory/put_back.html', 'inventory/_put_back.html', status=status,
                                         task=task, scan=scan, location_code=location_code))
    if scan is not None:
        response.headers['HX-Trigger'] = 'scanOk' if scan.ok else 'scanError'
    return response


@bp.route('/putback/<int:task_id>')
@roles_required(*FLOOR)
def put_back(task_id):
    """One put-back task on a handheld: scan the shelf, then each product that goes there."""
    return _put_back_view(db.get_or_404(PutBackTask, task_id))


@bp.route('/putback/<int:task_id>/scan', methods=['POST'])
@roles_required(*FLOOR)
def put_back_scan(task_id):
    task = db.get_or_404(PutBackTask, task_id)
    code = request.form.get('code', '').strip()
    if not code:
        return _put_back_view(task)
    location_code = _put_back_location(task)
    with writing(show=False) as work:
        scan = services.put_back_scan(task, location_code, code, actor=current_user)
    if not work.ok:
        scan = services.PutBackScan(False, str(work.error), location_code)
    session['putback'] = {'task': task.id, 'location': scan.location_code}
    return _put_back_view(db.session.get(PutBackTask, task_id), scan, 200 if scan.ok else 422)


# ------------------------------------------------------------------------------------------------ labels


def _label_options(grids) -> tuple[str, int]:
    grid = request.args.get('grid', grids[0])
    if grid not in grids:
        abort(400)
    return grid, max(1, min(request.args.get('copies', 1, type=int) or 1, 1000))


@bp.route('/locations/labels.pdf')
@roles_required(*OFFICE)
def location_labels():
    """Shelf labels (棚ラベル) of the locations whose code contains `q` (or of one location), on A4 label sheets."""
    grid, copies = _label_options(('2x6', '3x8', '4x10'))
    records = queries.location_label_records(request.args.get('q', '').strip(),
                                             request.args.get('location', type=int))
    if not records:
        flash(_('No location matches: no labels to print.'), 'error')
        return locations()
    try:
        content = labels.location_labels(records, copies=copies, grid=grid)
    except ValueError:
        # the codes were checked when the locations were made: only a code too long for the chosen sheet is left
        flash(_('A location code is too long for these labels: choose the wider 2×6 sheet.'), 'error')
        return redirect(url_for('inventory.locations', q=request.args.get('q', '')))
    return send_file(io.BytesIO(content), mimetype='application/pdf', download_name='location-labels.pdf')


@bp.route('/products/<int:product_id>/labels.pdf')
@roles_required(*RECEIVING)
def product_labels(product_id):
    """Product labels (SKU, and JAN when it has one) of one product, on A4 label sheets."""
    product = db.get_or_404(Product, product_id)
    grid, copies = _label_options(('3x8', '4x10'))
    try:
        content = labels.product_labels([queries.product_label_record(product)], copies=copies, grid=grid)
    except ValueError:
        flash(_('The SKU %(sku)s cannot be printed as a barcode on these labels: it is too long for them (try the '
                'wider 3×8 sheet) or has characters other than ASCII letters, digits and signs.', sku=product.sku),
              'error')
        return redirect(url_for('inventory.product_stock', product_id=product.id))
    return send_file(io.BytesIO(content), mimetype='application/pdf', download_name=f'labels-{product.sku}.pdf')
