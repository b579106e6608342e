"""What each request leaves for the people running Kura: a request id, a log line, and Prometheus counters.

The request id is the proxy's or client's ``X-Request-ID`` when it looks like one, else a new one;
it goes back as a response header, onto the error pages, into the audit events (app.logs) and
onto every log line written during the request.

Counters live in the process that answered.  Under gunicorn with several workers each worker is
a process of its own, so with ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn.conf.py sets it) the
counters are kept in files there and /metrics adds up every worker's; the figures held in the
database (orders, jobs, the outbox, scans) are counted when /metrics is read, by whichever worker
answers.
"""
import hmac
import logging
import os
import time

from flask import Flask, abort, current_app, g, request
from flask_login import current_user
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from app.logs import current_request_id, masked_query, new_request_id, sane_request_id


logger = logging.getLogger('kura.request')

# registry=None: not on the library's global registry, /metrics builds the registry it shows
REQUESTS = Counter('kura_http_requests', 'HTTP requests answered', ['endpoint', 'method', 'status'], registry=None)
LATENCY = Histogram('kura_http_request_duration_seconds', 'Time to answer an HTTP request', ['endpoint', 'method'],
                    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60), registry=None)


def _begin():
    g.request_started = time.perf_counter()
    g.request_id = sane_request_id(request.headers.get('X-Request-ID')) or new_request_id()


def _end(response):
    elapsed = time.perf_counter() - g.get('request_started', time.perf_counter())
    endpoint = request.endpoint or 'unmatched'
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    LATENCY.labels(endpoint, request.method).observe(elapsed)
    response.headers['X-Request-ID'] = current_request_id() or ''
    if endpoint != 'static':
        user = current_user if g.get('_login_user') is not None else None
        logger.info('request', extra={'fields': {
            'method': request.method, 'path': request.path, 'query': masked_query(request.args),
            'endpoint': endpoint, 'status': response.status_code, 'duration_ms': round(elapsed * 1000, 1),
            'user_id': user.get_id() if user is not None and user.is_authenticated else None,
        }})
    return response


def init_app(app: Flask) -> None:
    """Register before every other hook: the id and the clock start first, the line is written last."""
    app.before_request(_begin)
    app.after_request(_end)


def metrics_allowed() -> None:
    """/metrics is there only with KURA_METRICS_TOKEN set, and answers only a request bearing it.

    :raise 404: no token configured (as if the route did not exist)
    :raise 401: no token or a wrong one in ``Authorization: Bearer``
    """
    token = current_app.config.get('METRICS_TOKEN')
    if not token:
        abort(404)
    scheme, _, given = request.headers.get('Authorization', '').partition(' ')
    if scheme.lower() != 'bearer' or not hmac.compare_digest(given.strip().encode(), token.encode()):
        abort(401)


class _Figures:
    """The database's figures, read once per scrape, as Prometheus metric families."""

    def __init__(self, figures: dict):
        self.figures = figures

    def collect(self):
        f = self.figures
        orders = GaugeMetricFamily('kura_orders', 'Orders by status', labels=['status'])
        for status, n in sorted(f['orders'].items()):
            orders.add_metric([status], n)
        jobs = GaugeMetricFamily('kura_jobs', 'Background jobs by kind and status', labels=['kind', 'status'])
        for (kind, status), n in sorted(f['jobs'].items()):
            jobs.add_metric([kind, status], n)
        stuck = GaugeMetricFamily('kura_jobs_stuck', 'Jobs running without a live worker or queued too long')
        stuck.add_metric([], f['stuck_jobs'])
        outbox = GaugeMetricFamily('kura_outbox_messages', 'E-mail messages by status', labels=['status'])
        for status, n in sorted(f['outbox'].items()):
            outbox.add_metric([status], n)
        oldest = GaugeMetricFamily('kura_outbox_oldest_unsent_seconds', 'Age of the oldest mail not yet sent')
        oldest.add_metric([], f['outbox_oldest_seconds'] or 0)
        scans = CounterMetricFamily('kura_packing_scans', 'Scans at the packing stations by result', labels=['result'])
        for result, n in sorted(f['scans'].items()):
            scans.add_metric([result], n)
        return [orders, jobs, stuck, outbox, oldest, scans]


def metrics_page(figures: dict) -> tuple[bytes, str]:
    """The Prometheus text: the request counters (every worker's) and the database's `figures`."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get('PROMETHEUS_MULTIPROC_DIR'):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(_Figures(figures))
    return generate_latest(registry), CONTENT_TYPE_LATEST
