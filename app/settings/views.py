"""The shop settings screen; the settings blueprint also holds the order rules (the orders area's view)
and the retention of personal data (privacy's view), which read their areas' words."""
import dataclasses

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.settings import bp, services
from app.settings.forms import ShopSettingsForm
from app.web.access import MANAGEMENT, roles_required
from app.web.unit_of_work import writing


@bp.app_template_global()
def shop_name() -> str:
    """The shop's name, read once per request however often a page shows it."""
    if 'shop_name' not in g:
        g.shop_name = services.shop_settings().shop_name
    return g.shop_name


@bp.route('/shop', methods=['GET', 'POST'])
@roles_required(*MANAGEMENT)
def shop():
    """What the shop charges and offers."""
    current = services.shop_settings()
    form = ShopSettingsForm(data={**dataclasses.asdict(current), 'time_slots': ', '.join(current.time_slots)})
    if form.validate_on_submit():
        values = {f.name: getattr(form, f.name).data for f in dataclasses.fields(services.ShopSettings)}
        values['time_slots'] = tuple(s.strip() for s in form.time_slots.data.replace('、', ',').split(',') if s.strip())
        with writing(form) as work:
            services.save_shop_settings(services.ShopSettings(**values), actor=current_user)
        if work.ok:
            flash(_('Shop settings saved.'), 'success')
            return redirect(url_for('settings.shop'))
    return render_template('settings/shop.html', form=form)
