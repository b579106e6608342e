"""The administrator's personal-data screens: data-subject requests and the access log."""
import dataclasses
import io

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import PersonalDataAccess, User
from app.errors import UserError
from app.extensions import db
from app.orders.models import Order
from app.privacy import bp, services
from app.privacy.forms import PrivacySettingsForm, SubjectForm
from app.settings import bp as settings_bp
from app.settings import services as settings_services
from app.web.access import ADMIN, roles_required
from app.web.forms import show_error_on_form
from app.web.tables import paginate, table_state
from app.web.unit_of_work import writing


@bp.route('/requests', methods=['GET', 'POST'])
@roles_required(*ADMIN)
def requests():
    """Find a person by e-mail or phone, see their orders, export what Kura holds, or erase it at their request."""
    posted = request.method == 'POST'
    form = SubjectForm(request.form if posted else request.args, meta={} if posted else {'csrf': False})
    subject = None
    status = 200
    if request.method == 'POST' and not form.validate():
        status = 422
    elif form.email.data or form.phone.data:
        try:
            subject = services.find_subject(form.email.data, form.phone.data)
        except UserError as exc:
            show_error_on_form(form, exc)
            status = 422
    if request.method == 'POST' and subject is not None:
        if form.what.data == 'export':
            with writing(form) as work:
                content = services.export_subject(subject, actor=current_user)
            if work.ok:
                return send_file(io.BytesIO(content), mimetype='application/json', as_attachment=True,
                                 download_name='kura-personal-data.json')
        elif form.what.data == 'redact':
            if not form.confirm.data:
                form.confirm.errors = [_('Tick the box to confirm the erasure.')]
                status = 422
            else:
                with writing(form) as work:
                    count, still_open = services.redact_subject(subject, actor=current_user)
                if work.ok:
                    flash(_('Personal data erased from %(n)d orders and their e-mails.', n=count), 'success')
                    if still_open:
                        flash(_('Not erased, as their parcels still need the address: %(numbers)s. Cancel or ship '
                                'them, then erase again.', numbers=', '.join(o.number for o in still_open)), 'error')
                    return redirect(url_for('privacy.requests'), 303)
                status = work.status
    return render_template('privacy/requests.html', form=form, subject=subject), status


SORTABLE = {'at': PersonalDataAccess.at}


@bp.route('/access-log')
@roles_required(*ADMIN)
def access_log():
    """Who viewed, exported or printed personal data: by user, by order."""
    state = table_state(SORTABLE, 'at', default_desc=True)
    query = sa.select(PersonalDataAccess).options(so.joinedload(PersonalDataAccess.user),
                                                  so.joinedload(PersonalDataAccess.order))
    user_id = request.args.get('user', type=int)
    if user_id and not 0 < user_id < 2 ** 31:
        user_id = -1   # no such user: an empty list, not a database error on a number too large
        query = query.where(PersonalDataAccess.user_id == user_id)
    order_text = request.args.get('order', '').strip()
    if order_text:
        order_id = Order.id_from_number(order_text)
        if order_id is None or order_id >= 2 ** 31:
            flash(_('"%(number)s" is not an order number.', number=order_text), 'error')
            order_id = 0
        query = query.where(PersonalDataAccess.order_id == order_id)
    page = paginate(query, state, SORTABLE, PersonalDataAccess.id.desc())
    users = db.session.scalars(sa.select(User).order_by(User.name)).all()
    return render_template('privacy/access_log.html', page=page, state=state, users=users, user_id=user_id,
                           order_text=order_text)


@settings_bp.route('/privacy', methods=['GET', 'POST'])
@roles_required(*ADMIN)
def privacy():
    """How long customers' personal data and the access log are kept."""
    current = settings_services.privacy_settings()
    form = PrivacySettingsForm(data=dataclasses.asdict(current))
    if form.validate_on_submit():
        values = {f.name: getattr(form, f.name).data for f in dataclasses.fields(settings_services.PrivacySettings)}
        with writing(form) as work:
            settings_services.save_privacy_settings(settings_services.PrivacySettings(**values), actor=current_user)
        if work.ok:
            flash(_('Personal data settings saved. The nightly task applies them.'), 'success')
            return redirect(url_for('settings.privacy'))
    return render_template('privacy/retention.html', form=form)
