"""The headers every answer carries so that a browser holds Kura to what it means to do.

The policy allows scripts from Kura's own static files only: no inline script, no handler attribute,
no eval.  Inline styles stay allowed (style attributes in templates and the indicator style htmx adds);
they cannot run code.  No page may be framed, since a manager types a password at the packing station.
"""
from flask import Flask, current_app, request


CONTENT_SECURITY_POLICY = '; '.join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def add_security_headers(response):
    headers = response.headers
    headers.setdefault('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    headers.setdefault('X-Frame-Options', 'DENY')   # frame-ancestors for browsers that predate it
    headers.setdefault('X-Content-Type-Options', 'nosniff')
    headers.setdefault('Referrer-Policy', 'same-origin')
    if request.is_secure or current_app.config.get('SESSION_COOKIE_SECURE'):
        headers.setdefault('Strict-Transport-Security', 'max-age=31536000')
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
