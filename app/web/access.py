"""Who may open what: every back-office view requires login, and each names the roles it admits."""
import functools

from flask import abort, request
from flask_login import current_user

from app.extensions import login_manager


#: endpoints anyone may open; the storefront blueprint is open as a whole
PUBLIC_ENDPOINTS = {'static', 'web.healthz', 'operations.readyz', 'operations.metrics', 'accounts.login',
                    'accounts.set_anonymous_locale'}
PUBLIC_BLUEPRINTS = {'storefront'}

# areas, as the roles of design.md give them
ADMIN = ('admin',)
MANAGEMENT = ('admin', 'manager')
OFFICE = ('admin', 'manager', 'clerk')
RECEIVING = ('admin', 'manager', 'clerk', 'packer')
FLOOR = ('admin', 'manager', 'packer')


def require_login():
    """before_request: send anonymous visitors of a back-office page to the login form."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.blueprint in PUBLIC_BLUEPRINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def roles_required(*roles: str):
    """Admit only users whose role is one of `roles`; others get 403."""
    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)
        wrapper.roles = roles
        return wrapper
    return decorator
