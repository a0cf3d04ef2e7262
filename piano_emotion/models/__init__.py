"""Every table of the app. Importing this package registers them all.

Foreign-key policy: a required link inside one technician's data (a piano's
client, a service's piano…) is ON DELETE CASCADE and an optional one is SET
NULL, so that deleting an account removes all of its data on InnoDB/TiDB as
on SQLite. Deleting a client or piano *with history* never reaches the
database: the domain layer archives it instead.
"""

from piano_emotion.models.agenda import Appointment, Reminder
from piano_emotion.models.alerts import AlertSyncRequest, AlertSyncState, MaintenanceAlert
from piano_emotion.models.base import SQLModel, TenantTable, TimestampedTable
from piano_emotion.models.billing import (
    DocumentCounter,
    Invoice,
    InvoiceLine,
    Quote,
    QuoteLine,
    ServiceRate,
    StripeEvent,
)
from piano_emotion.models.clients import Client, Piano, PianoPhoto
from piano_emotion.models.inventory import InventoryItem, StockMovement
from piano_emotion.models.monitoring import (
    CacheAlertEvent,
    CacheAlertSettings,
    CacheMetricSnapshot,
    JobRun,
    OwnerNotification,
)
from piano_emotion.models.services import Service, ServiceMaterial, ServiceTask
from piano_emotion.models.users import (
    BusinessInfo,
    LoginAttempt,
    MaintenanceSettings,
    MessageTemplate,
    User,
)

metadata = SQLModel.metadata

__all__ = [
    "AlertSyncRequest",
    "AlertSyncState",
    "Appointment",
    "BusinessInfo",
    "CacheAlertEvent",
    "CacheAlertSettings",
    "CacheMetricSnapshot",
    "Client",
    "DocumentCounter",
    "InventoryItem",
    "Invoice",
    "InvoiceLine",
    "JobRun",
    "LoginAttempt",
    "MaintenanceAlert",
    "MaintenanceSettings",
    "MessageTemplate",
    "OwnerNotification",
    "Piano",
    "PianoPhoto",
    "Quote",
    "QuoteLine",
    "Reminder",
    "SQLModel",
    "Service",
    "ServiceMaterial",
    "ServiceRate",
    "ServiceTask",
    "StockMovement",
    "StripeEvent",
    "TenantTable",
    "TimestampedTable",
    "User",
    "metadata",
]
