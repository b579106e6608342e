"""The shop: browse, cart, checkout, thank-you and order-status pages.  No staff login."""
import dataclasses
import datetime as dt
import io

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _

from app.catalog.models import Product
from app.database import INT_MAX, parse_int
from app.errors import UserError
from app.extensions import db
from app.fulfilment.services import CARRIER_NAMES, shipment_of, tracking_url
from app.inventory.queries import available_by_product
from app.orders.services import address_problem, lookup
from app.returns import queries as return_queries
from app.returns import services as returns
from app.storefront import bp, services
from app.storefront.cart import Cart
from app.storefront.forms import CartForm, CheckoutForm, ReturnRequestForm, StatusForm
from app.web.htmx import render_htmx
from app.web.tables import page_of
from app.web.unit_of_work import writing
from importers.orders.normalize import phone, postal_code


PAGE_SIZE = 24
SLOT_LABELS = {'午前中': '午前中 (8-12)', '14-16': '14:00-16:00', '16-18': '16:00-18:00', '18-20': '18:00-20:00',
               '19-21': '19:00-21:00'}


# the shop's stock words (in stock, few left, sold out) for its product cards
bp.add_app_template_global(services.stock_label)


@bp.app_context_processor
def shop_context():
    return {'shop_cart_count': lambda: len(Cart(session))}


@bp.route('/')
def catalogue():
    """Products for sale, searchable, with their price and how many are left."""
    settings = services.shop_settings()
    q = request.args.get('q', '').strip()
    page = page_of(services.shop_products(q), request.args.get('page', 1, type=int), PAGE_SIZE)
    available = available_by_product([p.id for p in page.items])
    return render_htmx('storefront/catalogue.html', 'storefront/_products.html', page=page, q=q,
                       available=available, settings=settings)


def _product_or_404(sku: str) -> Product:
    product = db.session.scalar(sa.select(Product).where(Product.sku == sku, Product.published, Product.active))
    if product is None:
        abort(404)
    return product


@bp.route('/products/<path:sku>')
def product(sku):
    product = _product_or_404(sku)
    available = available_by_product([product.id])[product.id]
    return render_template('storefront/product.html', product=product, available=available,
                           settings=services.shop_settings(), form=CartForm(formdata=None))


@bp.route('/product-images/<path:sku>')
def product_image(sku):
    product = _product_or_404(sku)
    if not product.image:
        abort(404)
    response = send_file(io.BytesIO(product.image), mimetype=product.image_type or 'image/jpeg')
    response.headers['Cache-Control'] = 'public, max-age=3600'
    response.headers['X-Content-Type-Options'] = 'nosniff'   # the bytes were checked to be this type
    return response


@bp.route('/cart', methods=['GET'])
def cart():
    cart = Cart(session)
    lines = cart.lines()
    settings = services.shop_settings()
    money = services.totals([(line.product.price, line.quantity, line.product.tax_rate) for line in lines],
                            'bank_transfer', settings)
    return render_template('storefront/cart.html', lines=lines, totals=money, settings=settings)


@bp.route('/cart/<path:sku>', methods=['POST'])
def set_cart(sku):
    """Add to the cart (from a product page) or change a quantity (on the cart page; 0 removes)."""
    product = _product_or_404(sku)
    form = CartForm()
    if not form.validate_on_submit():
        flash(_('Please give a quantity from 0 to 99.'), 'error')
        return redirect(request.referrer or url_for('storefront.cart'))
    quantity, capped = Cart(session).set(product, form.quantity.data, add=request.form.get('add') == '1')
    if capped:
        flash(_('Only %(n)d of %(name)s are available: your cart has %(n)d.', n=quantity, name=product.name),
              'error')
    elif quantity:
        flash(_('%(name)s: %(n)d in your cart.', name=product.name, n=quantity), 'success')
    else:
        flash(_('%(name)s was removed from your cart.', name=product.name), 'success')
    return redirect(url_for('storefront.cart'))


def _checkout_form(settings, formdata=True) -> CheckoutForm:
    form = CheckoutForm(data=session.get('checkout')) if formdata is None else CheckoutForm()
    if str(get_locale()) != 'ja':
        form.kana_optional()
    form.delivery_date.choices = [('', _('No preference'))] + [
        (d.isoformat(), format_date(d, 'full' if str(get_locale()) == 'ja' else 'EEE d MMM'))
        for d in services.delivery_dates(settings)]
    form.time_slot.choices = [('', _('No preference'))] + [(s, SLOT_LABELS.get(s, s)) for s in settings.time_slots]
    form.payment_method.choices = [
        ('bank_transfer', _('Bank transfer (we send the account details by e-mail; we ship once paid)')),
        ('cod', _('Cash on delivery (fee ¥%(fee)s)', fee=f'{settings.cod_fee:,}'))]
    return form


@bp.route('/checkout', methods=['GET', 'POST'])
def checkout():
    """Step 1: who and where to, when, and how to pay."""
    lines = Cart(session).lines()
    if not lines:
        flash(_('Your cart is empty.'), 'error')
        return redirect(url_for('storefront.catalogue'))
    settings = services.shop_settings()
    form = _checkout_form(settings, formdata=None if request.method == 'GET' else True)
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != 'csrf_token'}
        # kept as typed for the form, stored normalised for the order
        data['ship'] = {'phone': phone(data['phone']), 'postal_code': postal_code(data['postal_code'])}
        session['checkout'] = data
        return redirect(url_for('storefront.confirm'))
    status = 422 if request.method == 'POST' else 200
    return render_template('storefront/checkout.html', form=form, lines=lines), status


def _checkout_from_session() -> services.Checkout | None:
    data = session.get('checkout')
    if not data:
        return None
    fields = {f.name for f in dataclasses.fields(services.Checkout)}
    values = {k: v for k, v in data.items() if k in fields}
    values.update(data.get('ship', {}))
    values['delivery_date'] = dt.date.fromisoformat(data['delivery_date']) if data.get('delivery_date') else None
    return services.Checkout(**values)


@bp.route('/checkout/confirm', methods=['GET', 'POST'])
def confirm():
    """Step 2: the totals, then the order is placed."""
    cart = Cart(session)
    checkout = _checkout_from_session()
    lines = cart.lines()
    if checkout is None or not lines:
        return redirect(url_for('storefront.checkout'))
    settings = services.shop_settings()
    money = services.totals([(line.product.price, line.quantity, line.product.tax_rate) for line in lines],
                            checkout.payment_method, settings)
    if request.method == 'POST':
        with writing() as work:
            order = services.place_order(checkout, cart.pairs(), locale=str(get_locale()))
        if not work.ok:
            return redirect(url_for('storefront.cart'))
        cart.clear()
        session['placed_order'] = order.id
        return redirect(url_for('storefront.thanks'))
    # a postal code that disagrees with the prefecture or city is taken, as from a mall, and checked by
    # a clerk before picking; the customer is told now, while the address can still be changed
    problem = address_problem(checkout.postal_code, checkout.prefecture, checkout.city, checkout.address1)
    return render_template('storefront/confirm.html', checkout=checkout, lines=lines, totals=money,
                           slot_labels=SLOT_LABELS, address_problem=problem)


@bp.route('/thanks')
def thanks():
    """The thank-you page, for the order this session just placed."""
    order_id = session.get('placed_order')
    order = db.session.get(services.Order, order_id) if order_id else None
    if order is None:
        return redirect(url_for('storefront.catalogue'))
    return render_template('storefront/thanks.html', order=order, bank_account=services.shop_settings().bank_account)


@bp.route('/order-status', methods=['GET', 'POST'])
def order_status():
    """A customer looks up an order by its number and their e-mail address."""
    form = StatusForm()
    order, status = None, 200
    if form.validate_on_submit():
        with writing(show=False) as work:
            order = services.find_customer_order(form.number.data, form.email.data, client=request.remote_addr or '')
        if not work.ok:
            return render_template('storefront/status.html', form=form, order=None, error=str(work.error)), 429
        if order is None:
            status = 404
            form.number.errors = list(form.number.errors) + [
                _('No order matches this number and e-mail address.')]
    shipment = None
    if order is not None:
        shipment = shipment_of(order.combined_into_id or order.id)
        if shipment is not None and shipment.shipped_at is not None and shipment.tracking_number:
            shipment = {'carrier': CARRIER_NAMES.get(shipment.carrier, shipment.carrier),
                        'number': shipment.tracking_number,
                        'url': tracking_url(shipment.carrier, shipment.tracking_number)}
        else:
            shipment = None
    return _status_page(form, order, shipment=shipment, status=status)


def _status_page(form, order, *, shipment=None, status=200, error=None, requested=None, return_form=None):
    context = {}
    if order is not None:
        context = {'returns': return_queries.order_returns(order), 'left': returns.returnable_units(order),
                   'reasons': returns.customer_reasons(),
                   'return_form': return_form or ReturnRequestForm(formdata=None, number=order.number,
                                                                   email=order.buyer_email)}
    return render_template('storefront/status.html', form=form, order=order, error=error, shipment=shipment,
                           customer_status=services.CUSTOMER_STATUS, requested=requested, **context), status


@bp.route('/order-status/return', methods=['POST'])
def request_return():
    """A customer asks to send units of a shipped order back: lines, quantities, reasons, a comment."""
    form = ReturnRequestForm()
    if not form.validate_on_submit():
        abort(400)
    asked, requested = [], None
    with writing(show=False) as work:
        # a wrong guess is counted (and committed) as at the status look-up
        order = services.find_customer_order(form.number.data, form.email.data, client=request.remote_addr or '')
        for line in order.lines if order is not None else ():
            text = request.form.get(f'qty-{line.id}', '').strip()
            if text and text != '0' and line.product is not None:
                try:
                    quantity = parse_int(text, 1, INT_MAX)
                except ValueError:
                    raise UserError(_('%(name)s: the quantity must be a whole number.', name=line.name)) from None
                asked.append(returns.AskedLine(line.product.sku, quantity, request.form.get(f'reason-{line.id}', '')))
        if order is not None and not asked:
            raise UserError(_('Enter how many of which item you want to send back.'))
        if order is not None:
            requested = returns.request_return(order, asked, comment=form.comment.data or '')
    if work.ok and order is None:
        return _status_page(StatusForm(formdata=None), None, status=404,
                            error=_('No order matches this number and e-mail address.'))
    if not work.ok:
        order = services.find_order_quietly(form.number.data, form.email.data)
        return _status_page(StatusForm(formdata=None), order, status=422, error=str(work.error), return_form=form)
    order = services.find_order_quietly(form.number.data, form.email.data)
    return _status_page(StatusForm(formdata=None), order, requested=requested.number)


@bp.route('/postal/<code>')
def postal(code):
    """The address of a postal code, to fill in the checkout form."""
    try:
        found = lookup(postal_code(code))
    except ValueError:
        found = None
    if found is None:
        return jsonify(error=_('Unknown postal code')), 404
    return jsonify(found)
