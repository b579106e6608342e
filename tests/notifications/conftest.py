"""Mail test fixtures: a real SMTP server (aiosmtpd) on loopback, and the app pointed at it."""
import email
import socket
import threading
import time
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.extensions import db


def free_port() -> int:
    """A loopback port nothing listens on (bound and closed again at once)."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every message it accepts, and refuses recipients it is told to."""

    def __init__(self):
        self.envelopes = []
        self.lock = threading.Lock()
        #: address -> SMTP reply for RCPT TO, e.g. '550 5.1.1 No such user'
        self.refuse = {}
        #: seconds to wait before accepting DATA (to make concurrent senders overlap)
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.envelopes.append(envelope)
        return '250 Message accepted for delivery'

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        with self.lock:
            return [email.message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


class SmtpServer:
    """A real SMTP server on 127.0.0.1:`port`, which the test can stop and start again."""

    def __init__(self, port: int, **options):
        self.port = port
        self.handler = Collector()
        self.controller = None
        self.options = options

    def start(self):
        self.controller = Controller(self.handler, hostname='127.0.0.1', port=self.port, **self.options)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def mail_config(app, monkeypatch, smtp_port):
    """The app sends to 127.0.0.1:`smtp_port` (no TLS, no login) from shop@kura.example."""
    for key, value in {'MAIL_SERVER': '127.0.0.1', 'MAIL_PORT': smtp_port, 'MAIL_USE_TLS': False,
                       'MAIL_USERNAME': '', 'MAIL_PASSWORD': '', 'MAIL_FROM': 'shop@kura.example'}.items():
        monkeypatch.setitem(app.config, key, value)
    return app.config


@pytest.fixture
def smtp_server(smtp_port):
    """A running SMTP server on the port the app sends to (with mail_config)."""
    server = SmtpServer(smtp_port).start()
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server(smtp_port):
    """The SMTP server, not started yet: connections to its port are refused until the test starts it."""
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


@pytest.fixture
def tea(make_product):
    return make_product('T-1', jan='', price=1080, tax_rate=8)


def place_order(external_id='M-1', *, email='ichiko@example.jp', channel='kura', **values):
    """An order made through the real import (Kura CSV), with two units of tea, cash on delivery; returns it."""
    from tests.orders.test_triage import kura_orders, order

    values = {'payment_method': 'cod', 'comment': '不在時は, 宅配ボックスへ', **values}
    kura_orders({'order_id': external_id, 'buyer_email': email, 'lines': [('T-1', 2)], **values}, channel=channel)
    return order(external_id)


def outbox():
    from app.notifications.models import EmailMessage

    # a fresh transaction, not only fresh objects: polling inside one transaction reads one snapshot (and on
    # SQLite holds the lock the sender needs to record what it sent)
    db.session.rollback()
    return db.session.scalars(sa.select(EmailMessage).order_by(EmailMessage.id)).all()
