"""Mail screens: the outbox log (office), message templates and mail settings (managers)."""
import dataclasses

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.database import parse_int
from app.errors import UserError
from app.extensions import db
from app.notifications import bp, queries, services
from app.notifications.forms import MailSettingsForm, TemplateForm
from app.notifications.models import STATUSES, EmailMessage
from app.notifications.sender import MAX_ATTEMPTS
from app.notifications.templating import KINDS, LOCALES, TemplateSource, default_source, kind_label
from app.web.access import MANAGEMENT, OFFICE, roles_required
from app.web.htmx import is_htmx, render_htmx
from app.web.tables import paginate, table_state
from app.web.unit_of_work import writing


LOCALE_NAMES = {'ja': '日本語', 'en': 'English'}
STATUS_LABELS = {'queued': _l('Queued'), 'sending': _l('Sending'), 'sent': _l('Sent'), 'failed': _l('Failed')}


@bp.context_processor
def _labels():
    return {'mail_status_label': lambda status: str(STATUS_LABELS.get(status, status)),
            'mail_kind_label': kind_label, 'locale_name': lambda code: LOCALE_NAMES.get(code, code)}


@bp.route('/')
@roles_required(*OFFICE)
def log():
    """The outbox: every message with its status and attempts; filter by status, search by address or order."""
    state = table_state(queries.LOG_SORTS, 'created', default_desc=True)
    status_filter = request.args.get('status', '')
    try:
        order_id = parse_int(request.args['order'], low=1) if request.args.get('order') else None
    except ValueError:
        order_id = None
    page = paginate(queries.message_search(state.q, status_filter, order_id), state, queries.LOG_SORTS,
                    EmailMessage.id.desc())
    return render_htmx('notifications/log.html', 'notifications/_log_table.html', page=page, state=state,
                       status_filter=status_filter, order_id=order_id, statuses=STATUSES,
                       counts=queries.status_counts(), configured=bool(current_app.config.get('MAIL_SERVER')),
                       max_attempts=MAX_ATTEMPTS)


@bp.route('/<int:message_id>')
@roles_required(*OFFICE)
def message(message_id):
    """One message as it is (or was) sent, its delivery state, and for failed ones a button to send it again."""
    message = db.get_or_404(EmailMessage, message_id)
    return render_template('notifications/message.html', message=message, max_attempts=MAX_ATTEMPTS)


@bp.route('/<int:message_id>/requeue', methods=['POST'])
@roles_required(*MANAGEMENT)
def requeue(message_id):
    """Queue a failed message again; the status panel is swapped for HTMX, the page reloaded otherwise."""
    message = db.get_or_404(EmailMessage, message_id)
    with writing() as work:
        services.requeue(message, actor=current_user)
    if work.ok:
        flash(_('The message is queued again.'), 'success')
    if is_htmx():
        return render_template('notifications/_message_status.html', message=message, max_attempts=MAX_ATTEMPTS)
    return redirect(url_for('notifications.message', message_id=message_id), 303)


# ------------------------------------------------------------------------------------------- templates


def _kind_locale_or_404(kind: str, locale: str) -> None:
    if kind not in KINDS or locale not in LOCALES:
        abort(404)


@bp.route('/templates')
@roles_required(*MANAGEMENT)
def templates():
    """Every message kind in every language: default or customised, by whom and when."""
    rows = []
    for kind, meta in KINDS.items():
        for locale in LOCALES:
            rows.append({'kind': kind, 'label': meta.label, 'locale': locale,
                         'stored': services.stored_template(kind, locale)})
    return render_template('notifications/templates.html', rows=rows)


def _source_from(form: TemplateForm) -> TemplateSource:
    # browsers send textarea lines with CRLF; templates keep LF
    def text(field):
        return (field.data or '').replace('\r\n', '\n')
    return TemplateSource(text(form.subject), text(form.text_body), text(form.html_body), default=False)


@bp.route('/templates/<kind>/<locale>', methods=['GET', 'POST'])
@roles_required(*MANAGEMENT)
def edit_template(kind, locale):
    """Edit one template; it is checked against sample orders and refused, with the error, if it does not render."""
    _kind_locale_or_404(kind, locale)
    source = services.template_source(kind, locale)
    form = TemplateForm(data=dataclasses.asdict(source))
    preview, status = None, 200
    if form.validate_on_submit():
        with writing(form) as work:
            services.save_template(kind, locale, _source_from(form), actor=current_user)
        if work.ok:
            flash(_('The template was saved. It applies to messages written from now on.'), 'success')
            return redirect(url_for('notifications.edit_template', kind=kind, locale=locale), 303)
    if form.errors:
        status = 422
    else:
        preview = _preview(kind, locale, source)
    return render_template('notifications/template_edit.html', form=form, kind=kind, locale=locale,
                           label=KINDS[kind].label, variables=KINDS[kind].variables, default=source.default,
                           stored=services.stored_template(kind, locale), preview=preview, error=None), status


def _preview(kind, locale, source):
    try:
        return services.check_template(kind, locale, source)
    except UserError:
        return None


@bp.route('/templates/<kind>/<locale>/preview', methods=['POST'])
@roles_required(*MANAGEMENT)
def preview_template(kind, locale):
    """The form's texts rendered with a sample order (HTMX swaps this into the page)."""
    _kind_locale_or_404(kind, locale)
    form = TemplateForm()
    try:
        preview, error = services.check_template(kind, locale, _source_from(form)), None
    except UserError as exc:
        preview, error = None, str(exc)
    return render_template('notifications/_preview.html', preview=preview, error=error), 422 if error else 200


@bp.route('/templates/<kind>/<locale>/reset', methods=['POST'])
@roles_required(*MANAGEMENT)
def reset_template(kind, locale):
    """Throw the customised version away: the default applies again."""
    _kind_locale_or_404(kind, locale)
    with writing():
        reset = services.reset_template(kind, locale, actor=current_user)
    if reset:
        flash(_('The template is back to the default.'), 'success')
    return redirect(url_for('notifications.edit_template', kind=kind, locale=locale), 303)


@bp.route('/templates/<kind>/<locale>/default')
@roles_required(*MANAGEMENT)
def default_template(kind, locale):
    """The default texts, to compare with or copy from."""
    _kind_locale_or_404(kind, locale)
    return render_template('notifications/template_default.html', source=default_source(kind, locale), kind=kind,
                           locale=locale, label=KINDS[kind].label)


# -------------------------------------------------------------------------------------------- settings


@bp.route('/settings', methods=['GET', 'POST'])
@roles_required(*MANAGEMENT)
def settings():
    """The shop's name and signature in messages, the Reply-To address, and whether mall orders are confirmed."""
    current = services.mail_settings()
    form = MailSettingsForm(data=dataclasses.asdict(current))
    if form.validate_on_submit():
        with writing(form) as work:
            services.save_mail_settings(services.MailSettings(
                reply_to=form.reply_to.data or '',
                signature=(form.signature.data or '').replace('\r\n', '\n'),
                send_mall_order_confirmation=form.send_mall_order_confirmation.data,
                send_mall_shipping_confirmation=form.send_mall_shipping_confirmation.data), actor=current_user)
        if work.ok:
            flash(_('Mail settings saved.'), 'success')
            return redirect(url_for('notifications.settings'), 303)
    config = current_app.config
    return render_template('notifications/settings.html', form=form, shop_name=services.shop_name(),
                           server=config.get('MAIL_SERVER'),
                           port=config.get('MAIL_PORT'), mail_from=config.get('MAIL_FROM'),
                           use_tls=config.get('MAIL_USE_TLS'), username=config.get('MAIL_USERNAME')), \
        422 if form.errors else 200
