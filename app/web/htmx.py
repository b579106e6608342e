"""One template, two responses: the whole page, or just the fragment an HTMX request asked for."""
from flask import make_response, render_template, request


def is_htmx() -> bool:
    """An HTMX request that swaps a fragment (not a boosted navigation or a history restore)."""
    return (request.headers.get('HX-Request') == 'true'
            and request.headers.get('HX-Boosted') != 'true'
            and request.headers.get('HX-History-Restore-Request') != 'true')


def render_htmx(page_template: str, partial_template: str, status: int = 200, **context):
    """Render `partial_template` for HTMX requests and `page_template` (which includes it) otherwise.

    ``Vary: HX-Request`` keeps caches from serving a fragment where a page was asked for.
    """
    response = make_response(render_template(partial_template if is_htmx() else page_template, **context), status)
    response.vary.add('HX-Request')
    return response
