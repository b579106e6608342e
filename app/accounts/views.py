"""Login, logout, language, and user administration."""
import datetime as dt
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp, services, sessions
from app.accounts.forms import LoginForm, UserForm
from app.accounts.models import ROLE_LABELS, USER_EVENT_LABELS, AuditEvent, User
from app.extensions import db
from app.web.access import ADMIN, roles_required
from app.web.htmx import render_htmx
from app.web.tables import paginate, table_state
from app.web.unit_of_work import writing


@bp.app_template_global()
def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


@bp.app_template_global()
def user_event_label(action: str) -> str:
    """A user account's audit action as its page says it; an action without a label as an order's would read."""
    if action in USER_EVENT_LABELS:
        return str(USER_EVENT_LABELS[action])
    # the words of the orders' event_label(): accounts sit below orders and do not import them
    return str(_l('Other change: %(what)s', what=action.replace('.', ' ').replace('_', ' ')))


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that is a path of this site.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so a slash, a tab and
    another slash lead off the site: a target holding any control character, space or backslash is
    refused whole, not cleaned.
    """
    if (not target or not target.startswith('/') or target.startswith('//')
            or any(ch <= ' ' or ch in '\\\x7f' for ch in target)):
        return url_for('web.home')
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else url_for('web.home')


@bp.route('/login', methods=['GET', 'POST'])
def login():
    """Sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for('web.home'))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        client = request.remote_addr or ''
        locked = services.login_lock(form.email.data, client)
        if locked:   # the password is not even checked: a right guess now would say so
            return render_template('accounts/login.html', form=form, error=locked), 429
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            with writing():
                services.record_login_failure(form.email.data, client, 'login')
        if user is not None:
            with writing():
                services.record_login(user, form.password.data)
                services.forget_login_failures(user)
                token = sessions.start(user, user_agent=request.user_agent.string, address=request.remote_addr or '')
            session.clear()   # nothing of a session from before the login carries over into it
            session[sessions.COOKIE_KEY] = token
            session.permanent = True   # the idle limit: Flask refuses a cookie older than its lifetime
            login_user(user)
            return redirect(_safe_next(request.args.get('next')))
        error = _('The e-mail address or password is wrong, or the account is inactive.')
    return render_template('accounts/login.html', form=form, error=error), (401 if error else 200)


@bp.route('/logout', methods=['POST'])
@login_required
def logout():
    with writing():
        sessions.end(session.get(sessions.COOKIE_KEY), 'logout')
    logout_user()
    session.clear()
    return redirect(url_for('accounts.login'))


@bp.route('/logout/everywhere', methods=['POST'])
@login_required
def logout_everywhere():
    """Every login of this account ends, on every browser, this one too (a lost phone, a shared PC)."""
    with writing():
        sessions.end_all(current_user, 'everywhere')
    logout_user()
    session.clear()
    flash(_('You were logged out on every device.'), 'success')
    return redirect(url_for('accounts.login'))


@bp.route('/locale', methods=['POST'])
@login_required
def set_locale():
    """Switch this user's language; it is kept on the account."""
    with writing(show=False) as work:
        services.set_locale(current_user, request.form.get('locale', ''))
    if not work.ok:
        abort(400, str(work.error))
    return redirect(_safe_next(request.form.get('next')))


@bp.route('/locale/anonymous', methods=['POST'])
def set_anonymous_locale():
    """The language switch of the login page, before anybody is known."""
    if request.form.get('locale') in current_app.config['LANGUAGES']:
        session['locale'] = request.form['locale']
    return redirect(_safe_next(request.form.get('next')))


USER_SORTS = {'email': User.email, 'name': User.name, 'role': User.role, 'last_login': User.last_login_at}


@bp.route('/users')
@roles_required(*ADMIN)
def users():
    """All staff accounts, searchable."""
    state = table_state(USER_SORTS, 'email')
    query = sa.select(User)
    if state.q:
        query = query.where(sa.or_(User.email.icontains(state.q, autoescape=True),
                                   User.name.icontains(state.q, autoescape=True)))
    page = paginate(query, state, USER_SORTS, User.id)
    return render_htmx('accounts/users.html', 'accounts/_users_table.html', page=page, state=state)


@bp.route('/users/new', methods=['GET', 'POST'])
@roles_required(*ADMIN)
def create_user():
    form = UserForm()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_('A new user needs a password.'))
        else:
            with writing(form) as work:
                user = services.create_user(form.email.data, form.name.data, form.password.data, form.role.data,
                                            actor=current_user, locale=form.locale.data)
            if work.ok:
                flash(_('User %(email)s created.', email=user.email), 'success')
                return redirect(url_for('accounts.users'))
    return render_template('accounts/user_form.html', form=form, user=None)


@bp.route('/users/<int:user_id>', methods=['GET', 'POST'])
@roles_required(*ADMIN)
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    form.email.render_kw = {'readonly': True}
    if form.validate_on_submit():
        with writing(form) as work:
            services.update_user(user, actor=current_user, name=form.name.data, role=form.role.data,
                                 active=form.active.data, locale=form.locale.data)
            if form.password.data:
                # a new password ends the account's other logins: whoever knew the old one is out
                mine = session.get(sessions.COOKIE_KEY) if user.id == current_user.id else None
                services.set_password(user, form.password.data, actor=current_user, keep_login=mine)
        if work.ok:
            flash(_('User %(email)s saved.', email=user.email), 'success')
            return redirect(url_for('accounts.users'))
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == 'users',
                                                            AuditEvent.object_id == str(user.id))
                                .order_by(AuditEvent.at.desc()).limit(50)).all()
    logins = sessions.open_logins(user, longest=dt.timedelta(hours=current_app.config['SESSION_MAX_HOURS']))
    return render_template('accounts/user_form.html', form=form, user=user, events=events, logins=logins,
                           failures=services.recent_login_failures(user.email),
                           locked=services.login_lock(user.email, ''))


@bp.route('/users/<int:user_id>/unlock', methods=['POST'])
@roles_required(*ADMIN)
def unlock_user(user_id):
    """An administrator lets an account try passwords again before its wait is over."""
    user = db.get_or_404(User, user_id)
    with writing():
        services.unlock_login(user, actor=current_user)
    flash(_('%(email)s may log in again.', email=user.email), 'success')
    return redirect(url_for('accounts.edit_user', user_id=user.id))


@bp.route('/users/<int:user_id>/logins/end', methods=['POST'])
@roles_required(*ADMIN)
def end_logins(user_id):
    """An administrator logs a user out everywhere (a lost device, someone who left)."""
    user = db.get_or_404(User, user_id)
    keep = session.get(sessions.COOKIE_KEY) if user.id == current_user.id else None
    with writing():
        ended = sessions.end_all(user, 'admin', keep=keep)
        services.record_audit(current_user, 'user.logins_ended', user, note=str(ended))
    flash(_('%(email)s was logged out on %(n)d devices.', email=user.email, n=ended), 'success')
    return redirect(url_for('accounts.edit_user', user_id=user.id))

