"""Loopback ports for the servers the tests and benchmarks start: SMTP, gunicorn, PostgreSQL.

A port chosen by binding port 0 and closing the socket again is free only at that moment: another
process (a parallel test run, the benchmark) can take it before our server binds it.  So a server
that can take a socket is handed one already bound (``bound_socket``), and one that can only be
told a number is started again on another port when the first is taken (``on_a_free_port``).
"""
import errno
import socket


def bound_socket(host: str = '127.0.0.1') -> socket.socket:
    """A TCP socket bound to a port the system chose, not listening yet: give it to the server.

    The port stays ours from this moment.  Until the server listens on the socket, connections to
    the port are refused, as to a server that is down.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((host, 0))
    except OSError:
        sock.close()
        raise
    return sock


def on_a_free_port(start, *, attempts: int = 5, host: str = '127.0.0.1'):
    """``start(port)`` with a port that was free a moment ago; again with another while it raises EADDRINUSE.

    For a server that binds the port itself (PostgreSQL): `start` raises ``OSError(errno.EADDRINUSE)``
    when the port was taken in between.  Returns what `start` returns.
    """
    for attempt in range(attempts):
        with bound_socket(host) as probe:
            port = probe.getsockname()[1]
        try:
            return start(port)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or attempt == attempts - 1:
                raise
    raise AssertionError('unreachable')
