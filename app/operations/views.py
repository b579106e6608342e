"""Monitoring's routes: /readyz (JSON) and /metrics (Prometheus), beside web's /healthz."""
from flask import Response, jsonify

from app.operations import bp, queries
from app.web.monitoring import metrics_allowed, metrics_page


@bp.route('/readyz')
def readyz():
    """For monitoring: every part Kura needs to do its work, each with its status; 503 when one is failing."""
    checks = queries.readiness()
    statuses = {check.status for check in checks.values()}
    overall = queries.FAILING if queries.FAILING in statuses else queries.WARNING if queries.WARNING in statuses \
        else queries.OK
    body = {'status': overall,
            'failing': [name for name, check in checks.items() if check.status == queries.FAILING],
            'checks': {name: check.as_dict() for name, check in checks.items()}}
    return jsonify(body), 503 if overall == queries.FAILING else 200


@bp.route('/metrics')
def metrics():
    """Prometheus's scrape: request counters and the database's figures, for a bearer of KURA_METRICS_TOKEN."""
    metrics_allowed()
    page, content_type = metrics_page(queries.figures())
    return Response(page, content_type=content_type)
