"""Returns screens: an order's returns (open one), a return (decide, refund, exchange, close), the returns
station on the floor (scan the parcel, then each unit), and the list of returns."""
import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import abort, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.database import INT_MAX, parse_int
from app.errors import UserError
from app.extensions import db
from app.orders.models import Order
from app.orders.services import SHIP_TO_FIELDS
from app.returns import bp, queries, services
from app.returns import vocabulary as v
from app.returns.forms import (
    CloseForm,
    DecideForm,
    ExchangeForm,
    OpenReturnForm,
    ReasonForm,
    RefundForm,
    SendAgainForm,
)
from app.returns.models import GRADES, Return, ReturnLine, ReturnReason
from app.web.access import MANAGEMENT, OFFICE, RECEIVING, roles_required
from app.web.htmx import render_htmx
from app.web.unit_of_work import one_transaction, writing
from importers.base import JST


def _today() -> dt.date:
    return dt.datetime.now(JST).date()


# ---------------------------------------------------------------------------------------------- office

@bp.route('/')
@roles_required(*OFFICE)
def returns():
    """The latest returns, those waiting for a decision first."""
    rows = db.session.scalars(sa.select(Return).order_by((Return.state == 'requested').desc(), Return.id.desc())
                              .options(so.joinedload(Return.order), so.selectinload(Return.lines)).limit(200)).all()
    return render_template('returns/list.html', returns=rows)


def _order_panel(order: Order, form=None, status=200):
    return render_htmx('returns/order.html', 'returns/_order_returns.html', status=status, order=order,
                       returns=queries.order_returns(order), left=services.returnable_units(order),
                       reasons=services.reasons(), returned=services.returned_state(order),
                       form=form or OpenReturnForm(formdata=None), history=queries.return_history)


@bp.route('/orders/<int:order_id>')
@roles_required(*OFFICE)
def order_returns(order_id):
    """An order's returns, with their lines, state and history, and the form to open one (the order page's panel)."""
    return _order_panel(db.get_or_404(Order, order_id))


def _posted_lines(order: Order) -> list[services.AskedLine]:
    """The quantity and reason typed for each order line; a line left empty or at 0 is not returned."""
    asked = []
    for line in order.lines:
        text = request.form.get(f'qty-{line.id}', '').strip()
        if not text or line.product is None:
            continue
        try:
            quantity = parse_int(text, 0, INT_MAX)
        except ValueError:
            raise UserError(f'{line.product.sku}: {text}', field='line') from None
        if quantity:
            asked.append(services.AskedLine(line.product.sku, quantity, request.form.get(f'reason-{line.id}', '')))
    return asked


@bp.route('/orders/<int:order_id>', methods=['POST'])
@roles_required(*OFFICE)
def open_return(order_id):
    """A clerk opens a return for some of the order's shipped units."""
    order = db.get_or_404(Order, order_id)
    form = OpenReturnForm()
    if not form.validate_on_submit():
        return _order_panel(order, form, 422)
    with writing(form) as work:
        services.ensure_default_reasons()
        ret = services.open_return(order, _posted_lines(order), actor=current_user, comment=form.comment.data or '')
    if not work.ok:
        return _order_panel(db.get_or_404(Order, order_id), form, work.status)
    return redirect(url_for('returns.return_detail', return_id=ret.id), 303)


def _detail(ret: Return, status=200, **forms):
    order = ret.order
    refund_form = forms.get('refund_form') or RefundForm(formdata=None, refunded_on=_today())
    methods = services.refund_methods(order)
    refund_form.method.choices = [c for c in refund_form.method.choices if c[0] in methods]
    return render_template('returns/detail.html', ret=ret, order=order, history=queries.return_history(ret),
                           steps=services.refund_steps(order), refund_form=refund_form,
                           decide_form=forms.get('decide_form') or DecideForm(formdata=None),
                           exchange_form=ExchangeForm(formdata=None),
                           send_again_form=forms.get('send_again_form') or SendAgainForm(formdata=None, obj=order),
                           can_send_again=services.can_send_again(ret),
                           close_form=forms.get('close_form') or CloseForm(formdata=None)), status


@bp.route('/<int:return_id>')
@roles_required(*OFFICE)
def return_detail(return_id):
    return _detail(db.get_or_404(Return, return_id))


@bp.route('/<int:return_id>/decide', methods=['POST'])
@roles_required(*OFFICE)
def decide(return_id):
    ret = db.get_or_404(Return, return_id)
    form = DecideForm()
    if not form.validate_on_submit():
        return _detail(ret, 422, decide_form=form)
    with writing(form) as work:
        services.decide(ret, form.decision.data == 'approve', actor=current_user, message=form.message.data or '')
    if not work.ok:
        return _detail(db.get_or_404(Return, return_id), work.status, decide_form=form)
    return redirect(url_for('returns.return_detail', return_id=return_id), 303)


@bp.route('/<int:return_id>/refund', methods=['POST'])
@roles_required(*OFFICE)
def refund(return_id):
    """Record a refund: an amount per line, the fees, how, on which day."""
    ret = db.get_or_404(Return, return_id)
    form = RefundForm()
    form.method.choices = [c for c in form.method.choices if c[0] in services.refund_methods(ret.order)]
    if not form.validate_on_submit():
        return _detail(ret, 422, refund_form=form)
    amounts = {}
    for line in ret.lines:
        text = request.form.get(f'amount-{line.id}', '').strip()
        if text:
            try:
                amounts[line.id] = parse_int(text, 0, INT_MAX)
            except ValueError:
                form.fees.errors = [f'{line.product.sku}: {text}']
                return _detail(ret, 422, refund_form=form)
    with writing(form) as work:
        services.record_refund(ret, amounts, fees=form.fees.data or 0, method=form.method.data,
                               refunded_on=form.refunded_on.data, actor=current_user, note=form.note.data or '')
    if not work.ok:
        return _detail(db.get_or_404(Return, return_id), work.status, refund_form=form)
    return redirect(url_for('returns.return_detail', return_id=return_id), 303)


def _posted_replacements(ret: Return) -> list | None:
    """The replacement lines the page posted (a product code and a quantity per returned line); None when it
    posted none: the returned units again."""
    if not any(f'product-{line.id}' in request.form for line in ret.lines):
        return None
    asked = []
    for number, line in enumerate(ret.lines, start=1):
        text = request.form.get(f'quantity-{line.id}', '').strip() or '0'
        try:
            quantity = parse_int(text, 0, 9999)
        except ValueError:
            raise UserError(_('Replacement line %(n)d: the quantity is 0 to 9999 units, not "%(text)s".',
                              n=number, text=text), field='quantity') from None
        asked.append((request.form.get(f'product-{line.id}', ''), quantity))
    return services.replacement_products(asked)


@bp.route('/<int:return_id>/exchange', methods=['POST'])
@roles_required(*OFFICE)
def exchange(return_id):
    """Make the replacement order: the returned units again, at no charge."""
    ret = db.get_or_404(Return, return_id)
    if not ExchangeForm().validate_on_submit():
        abort(400)
    with writing() as work:
        services.create_exchange(ret, _posted_replacements(ret), actor=current_user)
    if not work.ok:
        return _detail(db.get_or_404(Return, return_id), work.status)
    return redirect(url_for('returns.return_detail', return_id=return_id), 303)


@bp.route('/<int:return_id>/send-again', methods=['POST'])
@roles_required(*OFFICE)
def send_again(return_id):
    """A parcel the carrier brought back leaves again, the same order to the corrected address."""
    ret = db.get_or_404(Return, return_id)
    form = SendAgainForm()
    if not form.validate_on_submit():
        return _detail(ret, 422, send_again_form=form)
    with writing(form) as work:
        services.send_again(ret, {f: getattr(form, f).data or '' for f in SHIP_TO_FIELDS}, actor=current_user)
    if not work.ok:
        return _detail(db.get_or_404(Return, return_id), work.status, send_again_form=form)
    order_id = ret.order_id
    return redirect(url_for('orders.order', order_id=order_id), 303)


@bp.route('/<int:return_id>/close', methods=['POST'])
@roles_required(*OFFICE)
def close(return_id):
    ret = db.get_or_404(Return, return_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _detail(ret, 422, close_form=form)
    with writing(form) as work:
        services.close(ret, outcome=form.outcome.data, actor=current_user, note=form.note.data or '')
    if not work.ok:
        return _detail(db.get_or_404(Return, return_id), work.status, close_form=form)
    return redirect(url_for('returns.return_detail', return_id=return_id), 303)


@bp.route('/reasons')
@roles_required(*MANAGEMENT)
def reasons():
    """The managed list of return reasons: names, fault, whether an exchange ships at once, in use."""
    return _reasons_page()


def _reasons_page(changed: ReasonForm | None = None, changed_id: int | None = None, status: int = 200):
    rows = services.reasons(active_only=False)
    counts = dict(db.session.execute(sa.select(ReturnLine.reason_id, sa.func.count(ReturnLine.id))
                                     .group_by(ReturnLine.reason_id)).all())
    forms = {r.id: changed if r.id == changed_id else ReasonForm(formdata=None, obj=r, prefix=f'r{r.id}')
             for r in rows}
    return render_template('returns/reasons.html', reasons=rows, forms=forms, counts=counts), status


@bp.route('/reasons/<int:reason_id>', methods=['POST'])
@roles_required(*MANAGEMENT)
def change_reason(reason_id):
    reason = db.get_or_404(ReturnReason, reason_id)
    form = ReasonForm(prefix=f'r{reason.id}')
    if not form.validate_on_submit():
        return _reasons_page(form, reason.id, 422)
    with writing(form) as work:
        services.change_reason(reason, label_ja=form.label_ja.data, label_en=form.label_en.data,
                               ship_at_once=form.ship_at_once.data, active=form.active.data, actor=current_user)
    if not work.ok:
        return _reasons_page(form, reason.id, work.status)
    return redirect(url_for('returns.reasons'), 303)


# ---------------------------------------------------------------------------------------------- the station
#
# The station's own state is the browser's: the return in hand, the grade of the next units, and an order whose
# parcel came back unannounced (scan it again to open its return).  What a code means is the service's to say.

def _station_state() -> dict:
    state = session.get('returns_station') or {}
    return {'return_id': state.get('return_id'), 'grade': state.get('grade') if state.get('grade') in GRADES
            else 'sellable', 'pending_order_id': state.get('pending_order_id')}


def _station_view(outcome: services.StationOutcome | None = None, status: int = 200):
    state = _station_state()
    if outcome is not None:
        state = {'return_id': outcome.ret.id if outcome.ret is not None else None, 'grade': outcome.grade,
                 'pending_order_id': outcome.pending_order_id}
        session['returns_station'] = state
    ret = outcome.ret if outcome is not None else (db.session.get(Return, state['return_id'])
                                                    if state['return_id'] else None)
    response = make_response(render_htmx('returns/station.html', 'returns/_station.html', status=status, ret=ret,
                                         grade=state['grade'], outcome=outcome, grades=GRADES,
                                         grade_codes=services.GRADE_CODES))
    if outcome is not None:
        response.headers['HX-Trigger'] = 'scanOk' if outcome.ok else 'scanError'
    return response


@bp.route('/station')
@roles_required(*RECEIVING)
def station():
    """The returns station: scan the parcel's tracking number or order barcode, then each unit; the scan field
    always has focus."""
    return _station_view()


@bp.route('/station/scan', methods=['POST'])
@roles_required(*RECEIVING)
@one_transaction
def station_scan():
    code = request.form.get('code', '').strip()
    if not code:
        return _station_view()
    state = _station_state()
    current = db.session.get(Return, state['return_id']) if state['return_id'] else None
    with writing(show=False, keep_loaded=True) as work:
        outcome = services.station_scan(code, current=current, grade=state['grade'], actor=current_user,
                                        pending_order_id=state['pending_order_id'])
    if not work.ok:
        current = db.session.get(Return, state['return_id']) if state['return_id'] else None
        outcome = services.StationOutcome(False, str(work.error), 'refused', current, state['grade'])
    return _station_view(outcome, 200 if outcome.ok else 422)


@bp.route('/station/ack', methods=['POST'])
@roles_required(*RECEIVING)
@one_transaction
def station_ack():
    """Esc at the returns station: the stop has been read.  Only station.js posts here."""
    state = _station_state()
    current = db.session.get(Return, state['return_id']) if state['return_id'] else None
    if current is None:
        return _station_view()
    with writing(keep_loaded=True):
        outcome = services.acknowledge_stop(current, actor=current_user)
    outcome.grade = state['grade']
    return _station_view(outcome)


@bp.route('/station/finish', methods=['POST'])
@roles_required(*RECEIVING)
def station_finish():
    """The parcel is empty: what was announced and not in it is no longer expected."""
    state = _station_state()
    current = db.session.get(Return, state['return_id']) if state['return_id'] else None
    if current is None or not ExchangeForm().validate_on_submit():
        return _station_view()
    with writing(show=False) as work:
        services.finish_receiving(current, actor=current_user)
    ret = db.session.get(Return, current.id)
    message = str(work.error) if not work.ok else ret.number
    return _station_view(services.StationOutcome(work.ok, message, 'finished' if work.ok else 'refused', ret,
                                                 state['grade']), work.status)


@bp.context_processor
def _labels():
    def label(labels):
        return lambda code: str(labels.get(code, code))
    return {'state_label': label(v.STATE_LABELS), 'outcome_label': label(v.OUTCOME_LABELS),
            'grade_label': label(v.GRADE_LABELS), 'fault_label': label(v.FAULT_LABELS),
            'method_label': label(v.REFUND_METHOD_LABELS), 'source_label': label(v.SOURCE_LABELS),
            'returned_label': label(v.RETURNED_LABELS), 'return_event_label': label(v.EVENT_LABELS)}
