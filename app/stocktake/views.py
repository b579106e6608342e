"""Stocktake screens: counts and their approval for managers, the scanner-first count screen for the floor."""
import dataclasses
import io

from flask import abort, flash, make_response, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.stocktake import bp, documents, queries, services
from app.stocktake.forms import ApproveForm, CycleCountForm, StartCountForm, StocktakeSettingsForm
from app.stocktake.models import StockCount
from app.stocktake.vocabulary import SCOPE_LABELS, STATE_LABELS
from app.web.access import MANAGEMENT, RECEIVING, roles_required
from app.web.forms import posted_ids
from app.web.htmx import render_htmx
from app.web.unit_of_work import one_transaction, writing


#: due locations the counts page lists (a count can take them all by the number)
DUE_SHOWN = 200


@bp.context_processor
def labels():
    return {'scope_labels': SCOPE_LABELS, 'state_labels': STATE_LABELS}


# ---------------------------------------------------------------------------------------------- managers


@bp.route('/', methods=['GET', 'POST'])
@roles_required(*MANAGEMENT)
def counts():
    """The counts, and a form to start one."""
    form = StartCountForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        text, scope = form.text.data or '', form.scope.data
        with writing(form) as work:
            count = services.start_count(
                prefix=text if scope == 'prefix' else None,
                location_codes=services.split_codes(text) if scope == 'list' else None,
                skus=services.split_codes(text) if scope == 'products' else None,
                blind=form.blind.data, actor=current_user)
        if work.ok:
            flash(_('Count %(number)s started.', number=count.number), 'success')
            return redirect(url_for('stocktake.count', count_id=count.id))
    return _counts_page(form, CycleCountForm(formdata=None, prefix='cycle'), status)


def _counts_page(form: StartCountForm, cycle_form: CycleCountForm, status: int):
    rows = queries.counts()
    due = services.proposed_cycle_counts()
    return render_template('stocktake/counts.html', form=form, counts=rows, cycle_form=cycle_form, due=due,
                           due_shown=due[:DUE_SHOWN], figures=queries.accuracy([c.id for c, _, _ in rows])), status


@bp.route('/cycle', methods=['POST'])
@roles_required(*MANAGEMENT)
def start_cycle():
    """Start a count of the due locations ticked, or of the first ones the schedule proposes."""
    form = CycleCountForm(prefix='cycle')
    if form.validate_on_submit():
        with writing(form) as work:
            count = services.start_cycle_count(location_ids=posted_ids(request.form.getlist('location')),
                                               limit=form.limit.data, blind=form.blind.data, actor=current_user)
        if work.ok:
            flash(_('Count %(number)s started.', number=count.number), 'success')
            return redirect(url_for('stocktake.count', count_id=count.id))
    return _counts_page(StartCountForm(formdata=None), form, 422)


@bp.route('/<int:count_id>')
@roles_required(*MANAGEMENT)
def count(count_id):
    """One count: its locations and lines, variances of what is counted, and the approval."""
    stock_count = db.get_or_404(StockCount, count_id)
    return _count_page(stock_count, ApproveForm(formdata=None))


def _count_page(stock_count: StockCount, form: ApproveForm, status: int = 200):
    lines = queries.count_lines(stock_count)
    return render_template('stocktake/count.html', count=stock_count, form=form, lines=lines,
                           locations=queries.count_locations(stock_count),
                           figures=queries.accuracy([stock_count.id])[stock_count.id]), status


@bp.route('/<int:count_id>/approve', methods=['POST'])
@roles_required(*MANAGEMENT)
def approve(count_id):
    """Approve the whole count, or the lines ticked."""
    stock_count = db.get_or_404(StockCount, count_id)
    form = ApproveForm()
    if not form.validate_on_submit():
        return _count_page(stock_count, form, 422)
    line_ids = posted_ids(request.form.getlist('line')) if request.form.get('only') == 'lines' else None
    if line_ids == []:
        form.reason.errors = [_('Tick the lines to approve.')]
        return _count_page(stock_count, form, 422)
    with writing(form) as work:
        applied = services.approve(stock_count, actor=current_user, reason=form.reason.data, line_ids=line_ids)
    if not work.ok:
        return _count_page(db.get_or_404(StockCount, count_id), form, 422)
    flash(_('%(lines)d lines approved, %(corrected)d levels corrected.', lines=len(applied),
            corrected=sum(1 for a in applied if a.variance)), 'success')
    return redirect(url_for('stocktake.count', count_id=count_id))


@bp.route('/settings', methods=['GET', 'POST'])
@roles_required(*MANAGEMENT)
def settings():
    """When a variance needs a recount by another person before approval."""
    current = services.stocktake_settings()
    form = StocktakeSettingsForm(obj=current)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        with writing(form) as work:
            services.save_stocktake_settings(services.StocktakeSettings(
                **{f.name: form[f.name].data for f in dataclasses.fields(services.StocktakeSettings)}),
                actor=current_user)
        if work.ok:
            flash(_('Saved.'), 'success')
            return redirect(url_for('stocktake.settings'))
    return render_template('stocktake/settings.html', form=form), status


# ---------------------------------------------------------------------------------------------- the handheld


@bp.route('/count')
@roles_required(*RECEIVING)
def choose():
    """The open counts, to pick one to count."""
    return render_template('stocktake/choose.html', counts=queries.open_counts())


def _tally(stock_count: StockCount) -> services.Tally:
    return services.Tally.from_dict(session.get('stocktake_tally'), stock_count.id)


def _screen(stock_count: StockCount, tally: services.Tally, outcome: services.CountScan | None = None,
            status: int = 200):
    response = make_response(render_htmx(
        'stocktake/counting.html', 'stocktake/_counting.html', status=status, count=stock_count, tally=tally,
        lines=services.location_lines(stock_count, tally), outcome=outcome))
    if outcome is not None:
        response.headers['HX-Trigger'] = 'scanOk' if outcome.ok else 'scanError'
    return response


@bp.route('/<int:count_id>/sheet.pdf')
@roles_required(*RECEIVING)
def count_sheet(count_id):
    """The count sheet to count on paper: locations in walking order, barcodes, no quantities when blind."""
    stock_count = db.get_or_404(StockCount, count_id)
    return send_file(io.BytesIO(documents.count_sheet_pdf(stock_count)), mimetype='application/pdf',
                     download_name=f'{stock_count.number}.pdf')


@bp.route('/<int:count_id>/counting')
@roles_required(*RECEIVING)
def counting(count_id):
    """The count screen (a handheld's browser): scan a location, each unit, then the next location."""
    stock_count = db.get_or_404(StockCount, count_id)
    return _screen(stock_count, _tally(stock_count))


@bp.route('/<int:count_id>/scan', methods=['POST'])
@roles_required(*RECEIVING)
@one_transaction
def scan(count_id):
    """One scan: what it means is the service's to decide from the tally in hand."""
    stock_count = db.get_or_404(StockCount, count_id)
    code = request.form.get('code', '').strip()
    tally = _tally(stock_count)
    if not code:
        return _screen(stock_count, tally)
    if len(code) > 100:
        abort(400)
    with writing(show=False, keep_loaded=True) as work:
        outcome = services.count_scan(stock_count, tally, code, actor=current_user)
    if not work.ok:
        outcome = services.CountScan(False, str(work.error), tally)
    session['stocktake_tally'] = outcome.tally.as_dict()
    return _screen(stock_count, outcome.tally, outcome, 200 if outcome.ok else 422)


@bp.route('/<int:count_id>/location-done', methods=['POST'])
@roles_required(*RECEIVING)
@one_transaction
def location_done(count_id):
    """The location in hand is finished (a pointer's press: scanning its label again does the same)."""
    stock_count = db.get_or_404(StockCount, count_id)
    tally = _tally(stock_count)
    if tally.location is None:
        return _screen(stock_count, tally)
    with writing(show=False, keep_loaded=True) as work:
        outcome = services.count_scan(stock_count, tally, tally.location, actor=current_user)
    if not work.ok:
        outcome = services.CountScan(False, str(work.error), tally)
    session['stocktake_tally'] = outcome.tally.as_dict()
    return _screen(stock_count, outcome.tally, outcome, 200 if outcome.ok else 422)
