"""Kura: order management and warehouse system for Japanese e-commerce shops."""
from flask import Flask, request, session
from flask_login import current_user

from app.config import Config
from app.extensions import babel, csrf, db, login_manager, migrate


def create_app(config: type[Config] | dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI commands and error pages."""
    app = Flask(__name__)
    load_config(app, config)
    register_extensions(app)
    register_input_checks(app)
    register_blueprints(app)
    register_tasks()
    connect_listeners()
    register_request_hooks(app)
    register_template_helpers(app)
    register_commands(app)
    configure_logging(app)
    return app


def load_config(app: Flask, config) -> None:
    if isinstance(config, dict):
        app.config.update(Config.load())
        app.config.update(config)
    else:
        app.config.update((config or Config).load())
    app.instance_path = str(app.config['INSTANCE_PATH'])
    if app.config['BEHIND_PROXY']:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)


def register_extensions(app: Flask) -> None:
    from app.database import configure_engine

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(app.config.get('MIGRATIONS_DIR') or _migrations_dir()))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)  # the zone is BABEL_DEFAULT_TIMEZONE
    login_manager.init_app(app)
    login_manager.login_view = 'accounts.login'
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id):
        # the cookie names its login too: a login ended by logout, a new password, deactivation or
        # "log out everywhere", or older than SESSION_MAX_HOURS, lets nobody in, even from a copied cookie
        import datetime as dt

        from app.accounts import sessions

        return sessions.user_of(int(user_id), session.get(sessions.COOKIE_KEY),
                                longest=dt.timedelta(hours=app.config['SESSION_MAX_HOURS']))

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for

        from app.web.htmx import is_htmx

        target = url_for('accounts.login', next=request.full_path if request.method == 'GET' else None)
        if is_htmx():
            # a fragment swap cannot show a login page; make HTMX load it as a whole page
            response = app.response_class(status=401)
            response.headers['HX-Redirect'] = target
            return response
        return redirect(target)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / 'migrations'


def select_locale() -> str:
    from flask import current_app, has_request_context

    languages = current_app.config['LANGUAGES']
    if not has_request_context():
        return current_app.config.get('CLI_LOCALE') or current_app.config['BABEL_DEFAULT_LOCALE']
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get('locale') in languages:
        return session['locale']
    return current_app.config['BABEL_DEFAULT_LOCALE']


def register_input_checks(app: Flask) -> None:
    from app.web import input

    input.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app import (
        accounts,
        catalog,
        channels,
        fulfilment,
        inventory,
        notifications,
        operations,
        orders,
        privacy,
        reports,
        returns,
        settings,
        stocktake,
        storefront,
        web,
    )
    from app.accounts import views as _accounts_views  # noqa: F401  (routes attach to the blueprints)
    from app.catalog import views as _catalog_views  # noqa: F401
    from app.channels import views as _channels_views  # noqa: F401
    from app.fulfilment import views as _fulfilment_views  # noqa: F401
    from app.inventory import views as _inventory_views  # noqa: F401
    from app.notifications import cli as _mail_cli  # noqa: F401  (flask mail ...)
    from app.notifications import views as _notifications_views  # noqa: F401
    from app.operations import views as _operations_views  # noqa: F401
    from app.orders import views as _orders_views  # noqa: F401
    from app.privacy import views as _privacy_views  # noqa: F401
    from app.reports import views as _reports_views  # noqa: F401
    from app.returns import views as _returns_views  # noqa: F401
    from app.settings import views as _settings_views  # noqa: F401
    from app.stocktake import views as _stocktake_views  # noqa: F401
    from app.storefront import views as _storefront_views  # noqa: F401
    from app.web import views as _web_views  # noqa: F401

    app.register_blueprint(web.bp)
    app.register_blueprint(accounts.bp)
    app.register_blueprint(catalog.bp, url_prefix='/catalog')
    app.register_blueprint(inventory.bp, url_prefix='/stock')
    app.register_blueprint(orders.bp, url_prefix='/orders')
    app.register_blueprint(settings.bp, url_prefix='/settings')
    app.register_blueprint(notifications.bp, url_prefix='/mail')
    app.register_blueprint(storefront.bp, url_prefix='/shop')
    app.register_blueprint(fulfilment.bp)
    app.register_blueprint(reports.bp, url_prefix='/reports')
    app.register_blueprint(operations.bp)
    app.register_blueprint(privacy.bp, url_prefix='/privacy')
    app.register_blueprint(stocktake.bp, url_prefix='/stocktake')
    app.register_blueprint(channels.bp, url_prefix='/channels')
    app.register_blueprint(returns.bp, url_prefix='/returns')


def register_tasks() -> None:
    """Define every background task on the queue, so the consumer (app.worker) and the senders know them."""
    from app.channels import tasks as _channel_tasks  # noqa: F401
    from app.notifications import tasks as _mail_tasks  # noqa: F401
    from app.operations import tasks as _backup_tasks  # noqa: F401
    from app.orders import jobs as _order_jobs  # noqa: F401


def connect_listeners() -> None:
    """Who listens to which area's signals (each area's signals.py; table in docs/architecture.md).

    Connecting is idempotent (blinker keeps one connection per receiver), so several apps in one
    process, as in the tests, are no problem.
    """
    from app.channels import listeners as channels
    from app.fulfilment import listeners as fulfilment
    from app.notifications import listeners as notifications
    from app.orders import listeners as orders

    orders.connect()
    channels.connect()
    fulfilment.connect()
    notifications.connect()


def register_request_hooks(app: Flask) -> None:
    from app.web import monitoring, security, unit_of_work
    from app.web.access import require_login
    from app.web.errors import register_error_handlers

    # before everything: the request id and the clock start first, and its log line is written last
    monitoring.init_app(app)
    # first: loading the logged-in user is the first read of the request
    unit_of_work.register(app)
    app.before_request(require_login)

    @app.after_request
    def _no_store(response):
        # back-office pages show personal data and live stock: never from a cache
        if request.endpoint != 'static':
            response.headers.setdefault('Cache-Control', 'no-store')
        return response

    security.init_app(app)

    register_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from app.web.templating import register

    register(app)


def register_commands(app: Flask) -> None:
    from app import cli

    cli.register(app)


def configure_logging(app: Flask) -> None:
    """Kura's log handler (app/logs.py): for a server and the consumer, or a test that names a LOG_FILE."""
    from app.logs import configure_logging as install

    if (not app.debug and not app.testing) or app.config.get('LOG_FILE'):
        install(app.config)
