"""Catalogue screens: list and search, create, edit, CSV import and export."""
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.catalog import bp, queries, services
from app.catalog.forms import CsvUploadForm, ProductForm
from app.catalog.importing import read_product_file, save_products
from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from app.web.access import OFFICE, RECEIVING, roles_required
from app.web.htmx import render_htmx
from app.web.tables import paginate, table_state
from app.web.unit_of_work import writing
from importers.base import FileRefused
from importers.results import ImportResult


# the home page's count of products
bp.add_app_template_global(queries.active_product_count)


@bp.route('/')
@roles_required(*OFFICE)
def products():
    """The product list: search by SKU, name or JAN; sort; page."""
    state = table_state(queries.SORTS, 'sku')
    active = request.args.get('active', '')
    page = paginate(queries.product_search(state.q, active=active), state, queries.SORTS, Product.id)
    return render_htmx('catalog/products.html', 'catalog/_products_table.html', page=page, state=state,
                       active=active)


def _save_shop_fields(product, form: ProductForm) -> None:
    upload = form.image.data
    image = upload.read() if upload and getattr(upload, 'filename', '') else None
    services.update_shop_fields(product, published=form.published.data, description=form.description.data,
                                image=image, remove_image=form.remove_image.data, actor=current_user)


def _data(form: ProductForm) -> services.ProductData:
    return services.ProductData(sku=form.sku.data, name=form.name.data, jan=form.jan.data, price=form.price.data,
                                tax_rate=form.tax_rate.data, weight_g=form.weight_g.data, active=form.active.data,
                                cost=form.cost.data, lead_time_days=form.lead_time_days.data)


@bp.route('/new', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def create_product():
    form = ProductForm()
    if form.validate_on_submit():
        with writing(form) as work:
            product = services.create_product(_data(form), actor=current_user)
            _save_shop_fields(product, form)
        if work.ok:
            flash(_('Product %(sku)s created.', sku=product.sku), 'success')
            return redirect(url_for('catalog.edit_product', product_id=product.id))
    return render_template('catalog/product_form.html', form=form, product=None)


@bp.route('/<int:product_id>', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def edit_product(product_id):
    product = db.get_or_404(Product, product_id)
    form = ProductForm(obj=product)
    if form.validate_on_submit():
        with writing(form) as work:
            services.update_product(product, _data(form), actor=current_user)
            _save_shop_fields(product, form)
        if work.ok:
            flash(_('Product %(sku)s saved.', sku=product.sku), 'success')
            return redirect(url_for('catalog.edit_product', product_id=product.id))
    return render_template('catalog/product_form.html', form=form, product=product)


@bp.route('/import', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def import_products():
    """Upload a product CSV; every row is checked, and one bad row saves nothing.

    The file is read and checked before the write begins; a file with problems writes nothing.
    """
    form = CsvUploadForm()
    result = refused = None
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or 'upload.csv'
        try:
            products, problems = read_product_file(upload.read(), filename)
        except FileRefused as exc:
            refused = str(exc)
        else:
            if problems:
                result = ImportResult(filename, problems=problems)
            else:
                with writing():
                    result = save_products(products, actor=current_user)
    return render_template('catalog/import.html', form=form, result=result, refused=refused)


@bp.route('/export.csv')
@roles_required(*OFFICE)
def export_products():
    encoding = request.args.get('encoding', 'utf-8')
    try:
        result = queries.export_products(encoding=encoding)
    except UserError as exc:
        flash(str(exc), 'error')
        return redirect(url_for('catalog.products'))
    return send_file(io.BytesIO(result.content), mimetype=result.mimetype, as_attachment=True,
                     download_name=result.filename)


@bp.route('/<int:product_id>/jan-labels.pdf')
@roles_required(*RECEIVING)
def jan_labels(product_id):
    """A sheet of JAN barcode labels for a product, e.g. for the units just received."""
    from labels import jan_sheet
    from labels.records import JanLabel

    product = db.get_or_404(Product, product_id)
    if not product.jan:
        abort(404)
    copies = max(1, min(request.args.get('copies', 1, type=int) or 1, 1000))
    content = jan_sheet([JanLabel(jan=product.jan, sku=product.sku, name=product.name, price=product.price)],
                        copies=copies)
    return send_file(io.BytesIO(content), mimetype='application/pdf', download_name=f'jan-{product.sku}.pdf')
