"""Screen labels of the stocktake's codes."""
from flask_babel import lazy_gettext as _l


SCOPE_LABELS = {'all': _l('Every location'), 'locations': _l('Locations'), 'products': _l('Products')}
STATE_LABELS = {'open': _l('Counting'), 'counted': _l('Counted'), 'approved': _l('Approved')}
