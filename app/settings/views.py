"""The settings screen: managers change the order rules."""
import dataclasses

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.settings import bp, services
from app.settings.forms import OrderRulesForm, PrivacySettingsForm, ShopSettingsForm
from app.web.access import ADMIN, MANAGEMENT, roles_required
from app.web.unit_of_work import writing


@bp.route('/orders', methods=['GET', 'POST'])
@roles_required(*MANAGEMENT)
def order_rules():
    """Which arriving orders are held, and how each channel is allocated."""
    rules = services.order_rules()
    form = OrderRulesForm(data={**dataclasses.asdict(rules), 'partial_channels': list(rules.partial_channels)})
    if form.validate_on_submit():
        with writing(form) as work:
            services.save_order_rules(services.OrderRules(
                hold_payment_pending=form.hold_payment_pending.data,
                hold_customer_comment=form.hold_customer_comment.data,
                hold_delivery_days=form.hold_delivery_days.data, hold_cod_over=form.hold_cod_over.data,
                partial_channels=tuple(form.partial_channels.data), auto_combine=form.auto_combine.data,
                shipping_cutoff=form.shipping_cutoff.data),
                actor=current_user)
        if work.ok:
            flash(_('Order rules saved. They apply to orders that arrive from now on.'), 'success')
            return redirect(url_for('settings.order_rules'))
    return render_template('settings/order_rules.html', form=form)


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


@bp.route('/privacy', methods=['GET', 'POST'])
@roles_required(*ADMIN)
def privacy():
    """How long customers' personal data and the access log are kept."""
    current = services.privacy_settings()
    form = PrivacySettingsForm(data=dataclasses.asdict(current))
    if form.validate_on_submit():
        values = {f.name: getattr(form, f.name).data for f in dataclasses.fields(services.PrivacySettings)}
        with writing(form) as work:
            services.save_privacy_settings(services.PrivacySettings(**values), actor=current_user)
        if work.ok:
            flash(_('Personal data settings saved. The nightly task applies them.'), 'success')
            return redirect(url_for('settings.privacy'))
    return render_template('settings/privacy.html', form=form)
