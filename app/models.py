"""Every area's models, imported in one place so the metadata (and alembic) sees all tables."""
from app.accounts.models import AuditEvent, User  # noqa: F401
from app.catalog.models import ChannelSku, Product  # noqa: F401
from app.channels.models import ChannelStockFile, Listing, Oversell  # noqa: F401
from app.fulfilment.models import PackingSession, PickBatch, ScanEvent, Shipment, TrackingRange  # noqa: F401
from app.inventory.models import Location, StockLevel, StockMovement, Warehouse  # noqa: F401
from app.jobs.models import Job, UploadedFile  # noqa: F401
from app.notifications.models import EmailMessage, EmailTemplate  # noqa: F401
from app.orders.models import Allocation, ImportBatch, Order, OrderHold, OrderLine  # noqa: F401
from app.returns.models import Refund, Return, ReturnLine, ReturnReason  # noqa: F401
from app.settings.models import Setting  # noqa: F401
from app.stocktake.models import CountLine, CountLocation, StockCount  # noqa: F401
from app.storefront.models import LookupFailure  # noqa: F401
