"""Floor screens: pick batches, the packing station, the dock, and the documents they print."""
import dataclasses
import io

import sqlalchemy as sa
from flask import abort, flash, jsonify, make_response, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.services import authenticate, login_lock, record_login_failure, record_personal_data_access
from app.extensions import db
from app.fulfilment import bp, carrier_files, documents, services
from app.fulfilment.forms import OverrideForm, PickBatchForm, ShippingSettingsForm, StationForm, TrackingRangeForm
from app.fulfilment.models import CARRIERS, PickBatch, ScanEvent, Shipment, TrackingRange
from app.orders import vocabulary as v
from app.orders.models import Order
from app.web.access import FLOOR, MANAGEMENT, roles_required
from app.web.htmx import render_htmx
from app.web.unit_of_work import one_transaction, write_after, writing


@bp.app_template_global()
def batch_filters(filters: dict | None) -> str:
    """What a pick batch was made of, in words: 'Carrier: Yamato Transport · Single-item orders only'."""
    parts = []
    for key, value in (filters or {}).items():
        if key == 'carrier':
            parts.append(_('%(label)s: %(value)s', label=_('Carrier'), value=v.CARRIER_LABELS.get(value, value)))
        elif key == 'channel':
            parts.append(_('%(label)s: %(value)s', label=_('Channel'), value=v.CHANNEL_LABELS.get(value, value)))
        elif key == 'delivery_date':
            parts.append(_('%(label)s: %(value)s', label=_('Requested delivery date'), value=value))
        elif key == 'single_item':
            parts.append(_('Single-item orders only') if value else _('Multi-item orders only'))
        else:
            parts.append(f'{key}: {value}')
    return ' · '.join(parts) or _('All')


@bp.app_template_global()
def tracking_list_label(name: str) -> str:
    return {'matched': _('matched'), 'unchanged': _('already set (same number)'), 'unknown_order': _('unknown order'),
            'duplicate': _('duplicate number'), 'bad_check_digit': _('bad check digit'),
            'already_set': _('order has another number')}.get(name, name)


def _pdf(content: bytes, name: str):
    return send_file(io.BytesIO(content), mimetype='application/pdf', download_name=name)


# ---------------------------------------------------------------------------------------------- picking


@bp.route('/pick/', methods=['GET', 'POST'])
@roles_required(*FLOOR)
def pick_batches():
    """Make a pick batch from the allocated orders; the batches of recent days."""
    form = PickBatchForm()
    if form.validate_on_submit():
        items = {'single': True, 'multi': False}.get(form.items.data)
        with writing():
            batch = services.create_pick_batch(carrier=form.carrier.data or None, channel=form.channel.data or None,
                                               delivery_date=form.delivery_date.data, single_item=items,
                                               limit=form.limit.data, actor=current_user)
        if batch is None:
            flash(_('No allocated order matches: nothing to pick.'), 'error')
        else:
            return redirect(url_for('fulfilment.pick_batch', batch_id=batch.id))
    counts = dict(db.session.execute(sa.select(Order.pick_batch_id, sa.func.count(Order.id))
                                     .where(Order.pick_batch_id.is_not(None)).group_by(Order.pick_batch_id)).all())
    batches = db.session.scalars(sa.select(PickBatch).order_by(PickBatch.id.desc()).limit(50)).all()
    ready = db.session.scalar(sa.select(sa.func.count(Order.id)).where(Order.status == 'allocated'))
    return render_template('fulfilment/pick_batches.html', form=form, batches=batches, counts=counts, ready=ready)


@bp.route('/pick/<int:batch_id>')
@roles_required(*FLOOR)
def pick_batch(batch_id):
    batch = db.get_or_404(PickBatch, batch_id)
    orders = services.batch_orders(batch)
    # by id: an order sent again shows its latest parcel
    shipments = {s.order_id: s for s in db.session.scalars(sa.select(Shipment).where(
        Shipment.order_id.in_([o.id for o in orders])).order_by(Shipment.id))}
    ready, waiting = services.batch_parcels_to_ship(batch)
    return render_template('fulfilment/pick_batch.html', batch=batch, orders=orders, shipments=shipments,
                           ready=ready, waiting=waiting)


@bp.route('/pick/<int:batch_id>/picklist.pdf')
@roles_required(*FLOOR)
def pick_list_pdf(batch_id):
    batch = db.get_or_404(PickBatch, batch_id)
    return _pdf(documents.pick_list_pdf(batch), f'{batch.code}.pdf')


@bp.route('/pick/<int:batch_id>/ship', methods=['POST'])
@roles_required(*FLOOR)
def ship_batch(batch_id):
    """Ship every packed, verified parcel of the batch at once."""
    batch = db.get_or_404(PickBatch, batch_id)
    ready, _waiting = services.batch_parcels_to_ship(batch)
    if request.form.get('count') != str(len(ready)):
        # the packer confirmed another number than is ready now: a parcel was packed or shipped meanwhile
        flash(_('The batch changed while you confirmed: %(n)d parcels are ready now. Check them and ship again.',
                n=len(ready)), 'error')
        return redirect(url_for('fulfilment.pick_batch', batch_id=batch.id))
    with writing():
        shipped, refused = services.ship_batch(batch, actor=current_user)
    flash(_('%(n)d parcels shipped.', n=shipped), 'success')
    for reason in refused:
        flash(reason, 'error')
    return redirect(url_for('fulfilment.pick_batch', batch_id=batch.id))


@bp.route('/pick/<int:batch_id>/carrier/<carrier>')
@roles_required(*FLOOR)
def carrier_file(batch_id, carrier):
    """The carrier's label file for the batch: what had to be cut is listed before the download."""
    batch = db.get_or_404(PickBatch, batch_id)
    if carrier not in CARRIERS:
        abort(404)
    result = carrier_files.export_batch(batch, carrier)
    if request.args.get('download'):
        write_after(record_personal_data_access, current_user.id, 'export', request.endpoint, None,
                    len(services.batch_orders(batch)))
        return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                         download_name=result.filename)
    # why each parcel was left out (a refusal names its order first), apart from the values only changed
    reasons = [w for w in result.warnings if w.split(':', 1)[0] in result.left_out]
    return render_template('fulfilment/carrier_file.html', batch=batch, carrier=carrier, result=result,
                           reasons=reasons, changes=[w for w in result.warnings if w not in reasons])


@bp.route('/shipping/tracking', methods=['GET', 'POST'])
@roles_required(*FLOOR)
def tracking_import():
    """Tracking numbers back from the carrier's software: every row matched, or listed with why not."""
    from importers.base import FileRefused

    result = tracking_file = refused = None
    carrier = request.form.get('carrier', 'yamato')
    if request.method == 'POST':
        upload = request.files.get('file')
        if carrier not in CARRIERS or upload is None or not upload.filename:
            refused = _('Choose the carrier and the file.')
        else:
            try:
                tracking_file = carrier_files.read_tracking(carrier, upload.read(), upload.filename)
            except FileRefused as exc:
                refused = str(exc)
            else:
                with writing():
                    result = carrier_files.import_tracking(tracking_file, actor=current_user)
    return render_template('fulfilment/tracking_import.html', result=result, tracking_file=tracking_file,
                           refused=refused, carrier=carrier, carriers=CARRIERS)


# ---------------------------------------------------------------------------------------------- packing


def _station() -> str | None:
    return session.get('station')


def _station_view(outcome=None, status=200, settings=None):
    """The station as it stands: the parcel in hand, its items and the customer's requests, or the box last packed."""
    station = _station()
    settings = settings or services.shipping_settings()
    if outcome is not None and outcome.session is not None and outcome.session.station == station:
        # the scan's own answer: its session is the station's latest, as read and written in its transaction
        state = services.state_of(outcome.session, settings, outcome.shipment)
    else:
        state = services.station_state(station, settings)
    # the parcel in hand, or else the box packed last here, still shown with its label and slip after a reload
    packing = state.current or state.last
    shipment = state.shipment if packing is not None and packing is state.last else None
    if packing is None:
        lines = []
    elif outcome is not None and outcome.session is packing and outcome.lines is not None:
        lines = outcome.lines
    else:
        lines = services.packing_lines(packing)
    parcel = services.orders_of(packing, lines) if packing is not None else []
    requests = services.customer_requests(parcel)
    # the slip that prints by itself: the packer must put the price-free one in a present's box
    price_free = shipment is not None and documents.slip_without_prices(packing.order, parcel)
    response = make_response(render_htmx(
        'fulfilment/pack.html', 'fulfilment/_station.html', status=status, station=station, packing=packing,
        items=services.parcel_items(lines), lines=lines, outcome=outcome, shipment=shipment,
        holds_station=packing is not None and packing is state.current, requests=requests,
        requests_to_read=services.must_be_read(requests), price_free=price_free,
        override_form=OverrideForm(formdata=None), require_label_scan=settings.require_label_scan))
    if outcome is not None:
        response.headers['HX-Trigger'] = 'scanOk' if outcome.ok else 'scanError'
    return response


@bp.route('/pack/', methods=['GET', 'POST'])
@roles_required(*FLOOR)
def pack():
    """The packing station: the scan field always has focus; Enter submits."""
    form = StationForm()
    if form.validate_on_submit():
        session['station'] = form.station.data.strip()
        return redirect(url_for('fulfilment.pack'))
    if not _station():
        return render_template('fulfilment/station.html', form=form)
    return _station_view()


@bp.route('/pack/scan', methods=['POST'])
@roles_required(*FLOOR)
@one_transaction
def pack_scan():
    """One scan: what it means is the service's to decide from the station's state."""
    station = _station()
    if not station:
        abort(400)
    code = request.form.get('code', '').strip()
    if not code:
        return _station_view()
    settings = services.shipping_settings()  # read in this transaction: no second one just for it
    with writing(show=False, keep_loaded=True) as work:
        outcome = services.station_scan(code, station=station, actor=current_user, settings=settings)
    if not work.ok:
        outcome = services.ScanOutcome(False, str(work.error), 'not_packable')
    return _station_view(outcome, 200 if outcome.ok else 422, settings)


@bp.route('/pack/ack', methods=['POST'])
@roles_required(*FLOOR)
@one_transaction
def pack_ack():
    """Esc at the station: the packer has read the stop.  No form on the page posts here: only station.js on Esc."""
    settings = services.shipping_settings()
    current = services.station_state(_station() or '', settings).current
    if current is None:
        return _station_view(settings=settings)
    with writing(keep_loaded=True):
        outcome = services.acknowledge(current, actor=current_user)
    return _station_view(outcome, settings=settings)


@bp.route('/pack/requests', methods=['POST'])
@roles_required(*FLOOR)
@one_transaction
def pack_requests():
    """F2 at the station: the packer has read the customer's requests (the order barcode does the same)."""
    settings = services.shipping_settings()
    current = services.station_state(_station() or '', settings).current
    if current is None or current.status != 'open' or current.blocked_message:
        return _station_view(settings=settings)
    with writing(keep_loaded=True):
        outcome = services.confirm_requests(current, actor=current_user, settings=settings)
    return _station_view(outcome, settings=settings)


@bp.route('/pack/override', methods=['POST'])
@roles_required(*FLOOR)
def pack_override():
    """A manager counts a unit that cannot be scanned; their password is asked for here, at the station."""
    current = services.station_parcel(_station() or '')
    form = OverrideForm()
    if current is None or not form.validate_on_submit():
        return _station_view(services.ScanOutcome(False, _('Fill in every field of the override.'), 'not_packable',
                                                  current), 422)
    client = request.remote_addr or ''
    locked = login_lock(form.email.data, client)
    if locked:   # guessing a manager's password at a station is throttled as at the login page
        return _station_view(services.ScanOutcome(False, locked, 'not_packable', current), 429)
    supervisor = authenticate(form.email.data, form.password.data)
    if supervisor is None:
        with writing(show=False):
            record_login_failure(form.email.data, client, 'override')
        return _station_view(services.ScanOutcome(False, _('The supervisor e-mail or password is wrong.'),
                                                  'not_packable', current), 422)
    with writing(show=False) as work:
        outcome = services.override(current, form.line_id.data, supervisor=supervisor, reason=form.reason.data,
                                    actor=current_user)
    if not work.ok:
        return _station_view(services.ScanOutcome(False, str(work.error), 'not_packable', current), 422)
    return _station_view(outcome)


@bp.route('/pack/aside', methods=['POST'])
@roles_required(*FLOOR)
def pack_aside():
    """The packed box whose label will not print goes aside; the station takes the next order."""
    current = services.station_parcel(_station() or '')
    if current is not None and current.status == 'packed' and not current.blocked_message:
        with writing():
            services.set_aside(current, actor=current_user)
    return _station_view()


@bp.route('/pack/reset', methods=['POST'])
@roles_required(*FLOOR)
def pack_reset():
    current = services.station_parcel(_station() or '')
    if current is not None and current.status == 'open':
        with writing():
            services.reset(current, actor=current_user)
    return _station_view()


@bp.route('/pack/station', methods=['POST'])
@roles_required(*FLOOR)
def change_station():
    session.pop('station', None)
    return redirect(url_for('fulfilment.pack'))


@bp.route('/shipments/<int:shipment_id>/label.pdf')
@roles_required(*FLOOR)
def shipping_label(shipment_id):
    """The shipping label, opened for printing as soon as the parcel is packed (reprints are logged)."""
    layout = request.args.get('layout', '4x6')
    if layout not in documents.LABEL_LAYOUTS:
        abort(400)
    shipment = db.get_or_404(Shipment, shipment_id)
    pdf = documents.shipping_labels_pdf([shipment], layout=layout)
    # the one GET that writes (the print count), once the label exists: the station opens it by its link
    with writing(allow_get=True):
        services.label_printed(shipment, actor=current_user)
    write_after(record_personal_data_access, current_user.id, 'print', request.endpoint, shipment.order_id)
    return _pdf(pdf, f'label-{shipment.order.number}.pdf')


@bp.route('/orders/<int:order_id>/slip.pdf')
@roles_required(*FLOOR)
def packing_slip(order_id):
    """The parcel's 納品書; ``?prices=auto`` leaves the prices off a present, ``with``/``without`` decide."""
    order = db.get_or_404(Order, order_id)
    size = request.args.get('size', 'a4')
    prices = request.args.get('prices', 'auto')
    if size not in ('a4', 'a5') or prices not in documents.PRICE_MODES:
        abort(400)
    pdf = documents.packing_slips_pdf([order], size=size, prices=prices)
    write_after(record_personal_data_access, current_user.id, 'print', request.endpoint, order.id)
    return _pdf(pdf, f'slip-{order.number}.pdf')


# ---------------------------------------------------------------------------------------------- the dock


@bp.route('/dock/', methods=['GET', 'POST'])
@roles_required(*FLOOR)
def dock():
    """Mark parcels shipped by scanning their label (or order number) as they leave."""
    outcome = None
    if request.method == 'POST':
        with writing(show=False) as work:
            shipment = services.dock_scan(request.form.get('code', ''), actor=current_user)
        if not work.ok:
            outcome = services.ScanOutcome(False, str(work.error), 'not_packable')
        else:
            outcome = services.ScanOutcome(True, _('%(number)s shipped (%(tracking)s).', number=shipment.order.number,
                                                   tracking=shipment.tracking_number), 'ok')
    recent = db.session.scalars(sa.select(Shipment).where(Shipment.shipped_at.is_not(None))
                                .order_by(Shipment.shipped_at.desc()).limit(20)).all()
    response = make_response(render_htmx('fulfilment/dock.html', 'fulfilment/_dock.html',
                                         status=200 if outcome is None or outcome.ok else 422,
                                         outcome=outcome, recent=recent))
    if outcome is not None:
        response.headers['HX-Trigger'] = 'scanOk' if outcome.ok else 'scanError'
    return response


# ---------------------------------------------------------------------------------------------- mis-scans


@bp.route('/pack/report')
@roles_required(*MANAGEMENT)
def scan_report():
    """Mis-scans per packer and per day (JST)."""
    from app.fulfilment.queries import misscans_by_packer_and_day

    return render_template('fulfilment/scan_report.html', rows=misscans_by_packer_and_day())


@bp.route('/pack/events.json')
@roles_required(*MANAGEMENT)
def scan_events():
    events = db.session.scalars(sa.select(ScanEvent).order_by(ScanEvent.id.desc()).limit(200)).all()
    return jsonify([{'at': e.at.isoformat(), 'station': e.station, 'user': e.user.email if e.user else None,
                     'code': e.code, 'result': e.result, 'message': e.message} for e in events])


@bp.route('/settings/shipping', methods=['GET', 'POST'])
@roles_required(*MANAGEMENT)
def shipping_settings():
    """The shop as sender, the default carrier, label checking, and the carriers' tracking number ranges."""
    current = services.shipping_settings()
    form = ShippingSettingsForm(data=dataclasses.asdict(current), prefix='settings')
    range_form = TrackingRangeForm(prefix='range')
    if request.form.get('what') == 'settings' and form.validate_on_submit():
        values = {f.name: getattr(form, f.name).data for f in dataclasses.fields(services.ShippingSettings)}
        with writing(form) as work:
            services.save_shipping_settings(services.ShippingSettings(**values), actor=current_user)
        if work.ok:
            flash(_('Shipping settings saved.'), 'success')
            return redirect(url_for('fulfilment.shipping_settings'))
    elif request.form.get('what') == 'range' and range_form.validate_on_submit():
        with writing(range_form) as work:
            services.add_tracking_range(range_form.carrier.data, range_form.first.data, range_form.last.data,
                                        warn_below=range_form.warn_below.data, actor=current_user)
        if work.ok:
            flash(_('Tracking number range added.'), 'success')
            return redirect(url_for('fulfilment.shipping_settings'))
    ranges = db.session.scalars(sa.select(TrackingRange).order_by(TrackingRange.carrier, TrackingRange.id)).all()
    return render_template('fulfilment/shipping_settings.html', form=form, range_form=range_form, ranges=ranges,
                           low=dict(services.low_tracking_ranges()))
