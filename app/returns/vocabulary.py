"""What the returns codes are called on screens, in the user's language."""
from flask_babel import lazy_gettext as _l


STATE_LABELS = {'requested': _l('Requested'), 'approved': _l('Expected'), 'declined': _l('Declined'),
                'receiving': _l('Partly received'), 'received': _l('Received'), 'closed': _l('Closed')}
OUTCOME_LABELS = {'': _l('Not decided'), 'refund': _l('Refund'), 'exchange': _l('Exchange'), 'none': _l('None')}
GRADE_LABELS = {'sellable': _l('Sellable'), 'quarantine': _l('Quarantine (damaged)'), 'scrap': _l('Scrap'),
                'supplier': _l('Return to supplier')}
FAULT_LABELS = {'shop': _l('Shop'), 'carrier': _l('Carrier'), 'customer': _l('Customer')}
REFUND_METHOD_LABELS = {'bank_transfer': _l("Bank transfer to the customer's account"),
                        'mall': _l("Refunded in the mall's own screens"), 'cod_refund': _l('COD money given back')}
SOURCE_LABELS = {'clerk': _l('Clerk'), 'station': _l('Returns station'), 'customer': _l('Customer'),
                 'cli': _l('Command line')}
RETURNED_LABELS = {'partly': _l('Partly returned'), 'fully': _l('Fully returned')}
#: what a return's own history shows for each event
EVENT_LABELS = {'return.opened': _l('Opened'), 'return.state': _l('State changed'),
                'return.received': _l('Units received'),
                'return.finished': _l('Receiving finished'), 'return.refunded': _l('Refund recorded'),
                'return.exchanged': _l('Replacement order made'), 'return.sent_again': _l('Parcel sent again'),
                'return.stop': _l('Station stopped'),
                'return.stop_acknowledged': _l('Stop acknowledged'),
                'return.scan_refused': _l('Scan refused during a stop')}
