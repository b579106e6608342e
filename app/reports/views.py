"""The dashboard and the daily shipment report."""
import datetime as dt
import io

from flask import abort, render_template, request, send_file
from flask_babel import gettext as _

from app.channels.queries import open_oversell_count
from app.database import parse_day
from app.errors import UserError
from app.files import EXPORTERS
from app.fulfilment.queries import mall_confirmations
from app.fulfilment.services import low_tracking_ranges
from app.reports import bp, queries
from app.web.access import MANAGEMENT, roles_required
from importers.base import JST


def _day() -> dt.date:
    try:
        return parse_day(request.args['date']) if request.args.get('date') else dt.datetime.now(JST).date()
    except ValueError:
        abort(400, _('Not a date Kura can show: %(date)s. Write it as 2025-10-07.', date=request.args['date']))


@bp.route('/')
@roles_required(*MANAGEMENT)
def dashboard():
    """The day: what came in, what waits and why, what left."""
    day = _day()
    return render_template('reports/dashboard.html', day=day, figures=queries.the_day(day),
                           low_ranges=low_tracking_ranges(), oversells=open_oversell_count())


@bp.route('/daily-shipments')
@roles_required(*MANAGEMENT)
def daily_shipments():
    """The parcels shipped on a JST day, as CSV (UTF-8 or CP932) or XLSX with totals."""
    file_format = request.args.get('format', 'csv')
    if file_format not in ('csv', 'xlsx'):
        abort(400)
    try:
        result = EXPORTERS['daily-shipments'](day=_day(), format=file_format,
                                              encoding=request.args.get('encoding', 'utf-8'))
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
