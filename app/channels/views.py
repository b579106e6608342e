"""Stock-sync screens: each mall's files and the next one, listings, channel rules, oversells."""
import dataclasses
import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.models import User
from app.channels import bp, queries, services
from app.channels.forms import ChannelRulesForm, ListingForm, ListingsUploadForm, MakeFileForm
from app.channels.models import STOCK_CHANNELS, ChannelStockFile, Listing, Oversell
from app.extensions import db
from app.web.access import MANAGEMENT, OFFICE, roles_required
from app.web.forms import Form
from app.web.htmx import render_htmx
from app.web.tables import page_of, paginate, table_state
from app.web.unit_of_work import writing
from importers.base import FileRefused
from importers.listings import read_listings


#: lines of the next file shown on the channel's page
PREVIEW_LINES = 200
#: the malls whose stock file needs the product page's code beside the item code
PAGE_CODE_NEEDED = ('rakuten', 'shopify')


def _channel(channel: str) -> str:
    if channel not in STOCK_CHANNELS:
        abort(404)
    return channel


@bp.route('/')
@roles_required(*OFFICE)
def stock_sync():
    """Each mall: its last file, and how many listings changed since."""
    summary = []
    for channel in STOCK_CHANNELS:
        last = db.session.execute(queries.files(channel).limit(1)).first()
        pending = services.next_file(channel)
        summary.append((channel, last, pending.changed))
    return render_template('channels/stock_sync.html', summary=summary, oversells=queries.open_oversell_count(),
                           unlisted=queries.unlisted_counts(STOCK_CHANNELS))


def _rules_form(channel: str) -> ChannelRulesForm:
    return ChannelRulesForm(data=dataclasses.asdict(services.channel_rules(channel)))


@bp.route('/<channel>')
@roles_required(*OFFICE)
def channel_stock(channel):
    """One mall: its files (download again), a preview of the next file, its rule."""
    channel = _channel(channel)
    files = page_of(queries.files(channel), request.args.get('page', 1, type=int), 20)
    # Rakuten's file names each SKU with its page, Shopify's inventory import finds a variant by its handle
    no_page_code = queries.listings_without_page_code(channel) if channel in PAGE_CODE_NEEDED else 0
    return render_htmx('channels/channel.html', 'channels/_files.html', channel=channel, files=files,
                       no_page_code=no_page_code,
                       preview=services.next_file(channel), preview_lines=PREVIEW_LINES,
                       make_form=MakeFileForm(), rules_form=_rules_form(channel))


@bp.route('/<channel>/files', methods=['POST'])
@roles_required(*OFFICE)
def make_file(channel):
    """Make the next file now: the changed listings, or every listing."""
    channel = _channel(channel)
    form = MakeFileForm()
    if not form.validate_on_submit():
        abort(400)
    with writing() as work:
        record = services.make_stock_file(channel, full=form.full.data, actor=current_user)
        file_id, rows = record.id, record.rows
    if work.ok:
        flash(_('Stock file made: %(rows)d rows.', rows=rows), 'success')
        return redirect(url_for('channels.stock_file', file_id=file_id))
    return redirect(url_for('channels.channel_stock', channel=channel))


@bp.route('/files/<int:file_id>')
@roles_required(*OFFICE)
def stock_file(file_id):
    """A file made: when, by whom, and each quantity it changed."""
    record = db.get_or_404(ChannelStockFile, file_id)
    maker = db.session.get(User, record.made_by_id) if record.made_by_id else None
    return render_template('channels/file.html', record=record, maker=maker)


@bp.route('/files/<int:file_id>/download')
@roles_required(*OFFICE)
def download_file(file_id):
    """The file's bytes again, exactly as they were made."""
    record = db.get_or_404(ChannelStockFile, file_id)
    mimetype = 'text/tab-separated-values' if record.filename.endswith('.txt') else 'text/csv'
    return send_file(io.BytesIO(record.content), mimetype=mimetype, as_attachment=True,
                     download_name=record.filename)


@bp.route('/<channel>/rules', methods=['POST'])
@roles_required(*MANAGEMENT)
def channel_rules(channel):
    """A manager's rule for the channel: safety stock, share, cap, floor."""
    channel = _channel(channel)
    form = ChannelRulesForm()
    if form.validate_on_submit():
        with writing(form) as work:
            services.save_channel_rules(channel, services.ChannelStockRules(
                safety_stock=form.safety_stock.data, share_percent=form.share_percent.data, cap=form.cap.data,
                floor=form.floor.data, location=form.location.data or ''), actor=current_user)
        if work.ok:
            flash(_('Channel rule saved. The next file follows it.'), 'success')
            return redirect(url_for('channels.channel_stock', channel=channel))
    else:
        flash(_('The rule was not saved: %(problems)s', problems='; '.join(
            f'{getattr(form, name).label.text}: {" ".join(errors)}' for name, errors in form.errors.items())), 'error')
    return redirect(url_for('channels.channel_stock', channel=channel))


def _listing_values(form: ListingForm) -> services.ListingValues:
    return services.ListingValues(
        channel=form.channel.data, item_code=form.item_code.data, sku=form.sku.data,
        page_code=form.page_code.data or '',
        safety_stock=form.safety_stock.data, share_percent=form.share_percent.data, cap=form.cap.data,
        floor=form.floor.data, paused=form.paused.data)


@bp.route('/listings', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def listings():
    """Every listing, a form to add one, and the listings CSV upload."""
    channel = request.args.get('channel', '')
    if channel not in STOCK_CHANNELS:
        channel = ''
    form = ListingForm(channel=channel or STOCK_CHANNELS[0], sku=request.args.get('sku', ''))
    if form.validate_on_submit():
        with writing(form) as work:
            listing, _created = services.save_listing(_listing_values(form), actor=current_user)
            code = listing.item_code
        if work.ok:
            flash(_('Listing %(code)s saved.', code=code), 'success')
            return redirect(url_for('channels.listings', channel=form.channel.data, q=code))
    state = table_state(queries.LISTING_SORTS, 'item_code')
    page = paginate(queries.listings(state.q, channel), state, queries.LISTING_SORTS, Listing.id)
    return render_htmx('channels/listings.html', 'channels/_listings_table.html', page=page, state=state,
                       form=form, channel=channel, upload_form=ListingsUploadForm())


@bp.route('/listings/<int:listing_id>', methods=['GET', 'POST'])
@roles_required(*OFFICE)
def edit_listing(listing_id):
    """Change a listing's product, page code or rule, or pause it."""
    listing = db.get_or_404(Listing, listing_id)
    form = ListingForm(obj=listing, sku=listing.product.sku)
    form.channel.render_kw = {'disabled': True}
    if request.method == 'POST':
        form.channel.data = listing.channel
        form.item_code.data = listing.item_code
    if form.validate_on_submit():
        with writing(form) as work:
            services.save_listing(_listing_values(form), actor=current_user)
        if work.ok:
            flash(_('Listing %(code)s saved.', code=listing.item_code), 'success')
            return redirect(url_for('channels.listings', channel=listing.channel, q=listing.item_code))
    return render_template('channels/listing.html', form=form, listing=listing)


@bp.route('/listings/import', methods=['POST'])
@roles_required(*OFFICE)
def import_listings():
    """A listings CSV: every row checked, and one bad row saves nothing."""
    form = ListingsUploadForm()
    if not form.validate_on_submit():
        flash(_('Choose a CSV file to upload.'), 'error')
        return redirect(url_for('channels.listings'))
    upload = form.file.data
    filename = upload.filename or 'listings.csv'
    try:
        rows, problems = read_listings(upload.read(), filename)
    except FileRefused as exc:
        flash(str(exc), 'error')
        return redirect(url_for('channels.listings'))
    if problems:
        flash('; '.join(str(p) for p in problems[:10]), 'error')
        return redirect(url_for('channels.listings'))
    with writing() as work:
        created, changed = services.save_listings(
            [(r.line, services.ListingValues(r.channel, r.item_code, r.sku, r.page_code, r.safety_stock,
                                             r.share_percent, r.cap, r.floor, r.paused)) for r in rows],
            actor=current_user)
    if work.ok:
        flash(_('%(created)d listings created, %(changed)d changed.', created=created, changed=changed), 'success')
    return redirect(url_for('channels.listings'))


@bp.route('/<channel>/unlisted')
@roles_required(*OFFICE)
def unlisted(channel):
    """Active products the mall has no listing of."""
    channel = _channel(channel)
    page = page_of(queries.unlisted_products(channel), request.args.get('page', 1, type=int), 100)
    return render_template('channels/unlisted.html', channel=channel, page=page)


@bp.route('/oversells')
@roles_required(*OFFICE)
def oversells():
    """Oversells still open (each product sent as 0 everywhere), and the report of all by product and channel."""
    open_ones = db.session.execute(queries.open_oversells()).all()
    report = db.session.execute(queries.oversell_report().limit(500)).all()
    return render_template('channels/oversells.html', open_ones=open_ones, report=report)


@bp.route('/oversells/<int:oversell_id>/clear', methods=['POST'])
@roles_required(*MANAGEMENT)
def clear_oversell(oversell_id):
    """A manager has dealt with the oversell: the product is sent by its rule again."""
    oversell = db.get_or_404(Oversell, oversell_id)
    if not Form().validate_on_submit():
        abort(400)
    with writing() as work:
        services.clear_oversell(oversell, actor=current_user)
    if work.ok:
        flash(_('Oversell cleared: the product is sent by its rule from the next file.'), 'success')
    return redirect(url_for('channels.oversells'))
