"""The dashboard, the daily shipment report and the analysis pages (figures from app.analysis)."""
import datetime as dt
import io

from flask import abort, jsonify, render_template, request, send_file
from flask_babel import gettext as _

from app.analysis import services as analysis
from app.database import parse_day
from app.errors import UserError
from app.fulfilment.queries import export_daily_shipments, mall_confirmations
from app.fulfilment.services import low_tracking_ranges
from app.orders.models import CHANNELS
from app.reports import bp, queries
from app.web.access import MANAGEMENT, roles_required
from app.web.htmx import render_htmx
from importers.base import JST


def _day() -> dt.date:
    try:
        return parse_day(request.args['date']) if request.args.get('date') else dt.datetime.now(JST).date()
    except ValueError:
        abort(400, _('Not a date Kura can show: %(date)s. Write it as 2025-10-07.', date=request.args['date']))


@bp.app_context_processor
def _today_figures():
    # the home page (app.web) shows them to managers without web importing the analysis area
    return {'today_figures': analysis.today}


@bp.route('/')
@roles_required(*MANAGEMENT)
def dashboard():
    """The day: what came in, what waits and why, what left."""
    day = _day()
    today = analysis.today()
    return render_template('reports/dashboard.html', day=day, figures=queries.the_day(day),
                           low_ranges=low_tracking_ranges(), today=today, oversells=today['oversells'])


@bp.route('/daily-shipments')
@roles_required(*MANAGEMENT)
def daily_shipments():
    """The parcels shipped on a JST day, as CSV (UTF-8 or CP932) or XLSX with totals."""
    file_format = request.args.get('format', 'csv')
    if file_format not in ('csv', 'xlsx'):
        abort(400)
    try:
        result = export_daily_shipments(day=_day(), format=file_format, encoding=request.args.get('encoding', 'utf-8'))
    except UserError as exc:
        abort(400, str(exc))
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.filename)


@bp.route('/mall-shipping/<channel>')
@roles_required(*MANAGEMENT)
def mall_shipping(channel):
    """The shipping-confirmation upload of a mall for the orders shipped on a day."""
    if channel not in ('rakuten', 'amazon', 'yahoo'):
        abort(404)
    result = mall_confirmations(channel, _day())
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.filename)


#: the period a page shows when none is asked for: the last 30 days up to today
DEFAULT_DAYS = 30


def _report(subject: str):
    """The report the query string asks for; 404 for no such report, 400 naming what is wrong."""
    if subject not in analysis.REPORTS:
        abort(404)
    args = request.args
    name = 'to'
    try:
        date_to = parse_day(args['to']) if args.get('to') else dt.datetime.now(JST).date()
        name = 'from'
        date_from = parse_day(args['from']) if args.get('from') else date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    except ValueError:
        abort(400, _('Not a date Kura can show: %(date)s. Write it as 2025-10-07.', date=args[name]))
    try:
        filters = analysis.make_filters(date_from, date_to, args.get('basis', 'ordered'), args.get('channel', ''))
        if subject == 'sales':
            return analysis.sales(filters, period=args.get('period', 'day'))
        return analysis.REPORTS[subject](filters)
    except UserError as exc:
        abort(400, str(exc))


@bp.route('/<subject>')
@roles_required(*MANAGEMENT)
def analysis_page(subject):
    """One subject's figures: charts, then the tables beneath; a filter change reloads the region."""
    report = _report(subject)
    return render_htmx('reports/analysis.html', 'reports/_analysis.html', report=report, subject=subject,
                       args=request.args, channels=CHANNELS, periods=analysis.PERIODS)


@bp.route('/<subject>.json')
@roles_required(*MANAGEMENT)
def analysis_json(subject):
    """The figures the page charts, as `flask report --format json` writes them."""
    return jsonify(_report(subject).as_json())


@bp.route('/<subject>.<file_format>')
@roles_required(*MANAGEMENT)
def analysis_file(subject, file_format):
    """A table as CSV (UTF-8 or CP932; `table` names which) or every table as XLSX."""
    if file_format not in ('csv', 'xlsx'):
        abort(404)
    report = _report(subject)
    try:
        result = report.file(file_format, encoding=request.args.get('encoding', 'utf-8'),
                             table=request.args.get('table') or None)
    except UserError as exc:
        abort(400, str(exc))
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.filename)
