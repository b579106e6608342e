import pytest

from app.extensions import db
from app.fulfilment import services as floor_services
from app.returns.services import ensure_default_reasons
from tests.factories import pack_and_ship as ship


@pytest.fixture
def shipped(floor):
    """The floor fixture with F-1 (2 x T-1 tea, 1 x W-1 cup) and F-2 (1 x W-2 pot) packed by the packer and
    shipped; the default return reasons in place."""
    ensure_default_reasons()
    db.session.commit()
    floor_services.create_pick_batch(actor=floor['packer'])
    db.session.commit()
    floor['shipment'] = ship('F-1', floor['packer'])
    floor['shipment2'] = ship('F-2', floor['packer'])
    return floor


@pytest.fixture
def reading_only():
    """The test only reads while the browser works: its transactions must not take SQLite's write lock."""
    from app.database import set_read_only_transactions

    set_read_only_transactions(True)
    yield
    db.session.rollback()
    set_read_only_transactions(False)
