"""Mail test fixtures: a real SMTP server (aiosmtpd) on loopback, and the app pointed at it."""
import email
import threading
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller

from tests.ports import bound_socket


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


class _BoundController(Controller):
    """aiosmtpd's threaded server, listening on a socket bound beforehand instead of binding host:port itself."""

    def __init__(self, handler, sock, **options):
        self.sock = sock
        host, port = sock.getsockname()
        super().__init__(handler, hostname=host, port=port, **options)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self.sock, ssl=self.ssl_context)


class SmtpServer:
    """A real SMTP server on a loopback socket bound beforehand; the test starts it (once) and stops it.

    The socket holds the port from the start, so the app can be pointed at it while the server is
    still down (its connections are refused), and no other process can take the port meanwhile.
    """

    def __init__(self, sock, **options):
        self.sock = sock
        self.port = sock.getsockname()[1]
        self.handler = Collector()
        self.controller = None
        self.options = options

    def start(self):
        self.controller = _BoundController(self.handler, self.sock, **self.options)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        self.sock.close()

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture
def smtp_socket():
    """The loopback socket the test's SMTP server will listen on, bound now (tests/ports.py)."""
    with bound_socket() as sock:
        yield sock


@pytest.fixture
def smtp_port(smtp_socket):
    return smtp_socket.getsockname()[1]


@pytest.fixture
def mail_config(app, monkeypatch, smtp_port):
    """The app sends to 127.0.0.1:`smtp_port` (no TLS, no login) from shop@kura.example."""
    for key, value in {'MAIL_SERVER': '127.0.0.1', 'MAIL_PORT': smtp_port, 'MAIL_USE_TLS': False,
                       'MAIL_USERNAME': '', 'MAIL_PASSWORD': '', 'MAIL_FROM': 'shop@kura.example'}.items():
        monkeypatch.setitem(app.config, key, value)
    return app.config


@pytest.fixture
def smtp_server(smtp_socket):
    """A running SMTP server on the port the app sends to (with mail_config)."""
    server = SmtpServer(smtp_socket).start()
    yield server
    server.stop()


@pytest.fixture
def make_smtp_server(smtp_socket):
    """Start the SMTP server the app sends to with aiosmtpd options of the test's own (an authenticator)."""
    started = []

    def start(**options):
        started.append(SmtpServer(smtp_socket, **options).start())
        return started[-1]
    yield start
    for server in started:
        server.stop()


@pytest.fixture
def stopped_smtp_server(smtp_socket):
    """The SMTP server, not started yet: connections to its port are refused until the test starts it."""
    server = SmtpServer(smtp_socket)
    yield server
    server.stop()


@pytest.fixture
def tea(make_product):
    return make_product('T-1', jan='', price=1080, tax_rate=8)
