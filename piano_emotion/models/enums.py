"""Every enumerated value of the domain (DOMAIN.md), one class each.

The values are what is stored; the Spanish/English labels live in the UI
translation catalogue under ``enum.<ClassName>.<value>``.
"""

from enum import StrEnum


class UserRole(StrEnum):
    TECHNICIAN = "technician"
    ADMIN = "admin"


class Locale(StrEnum):
    ES = "es"
    EN = "en"


class ClientType(StrEnum):
    PARTICULAR = "particular"
    STUDENT = "student"
    PROFESSIONAL = "professional"
    MUSIC_SCHOOL = "music_school"
    CONSERVATORY = "conservatory"
    CONCERT_HALL = "concert_hall"


class PianoCategory(StrEnum):
    VERTICAL = "vertical"
    GRAND = "grand"
    DIGITAL = "digital"


class PianoType(StrEnum):
    # vertical, by height
    SPINET = "spinet"
    CONSOLE = "console"
    STUDIO = "studio"
    UPRIGHT_PROFESSIONAL = "upright_professional"
    # grand, by length
    BABY_GRAND = "baby_grand"
    MEDIUM_GRAND = "medium_grand"
    PARLOR_GRAND = "parlor_grand"
    SEMI_CONCERT = "semi_concert"
    CONCERT_GRAND = "concert_grand"
    # digital
    PORTABLE = "portable"
    CONSOLE_DIGITAL = "console_digital"
    STAGE = "stage"
    HYBRID = "hybrid"


PIANO_TYPES_BY_CATEGORY: dict[PianoCategory, tuple[PianoType, ...]] = {
    PianoCategory.VERTICAL: (
        PianoType.SPINET,
        PianoType.CONSOLE,
        PianoType.STUDIO,
        PianoType.UPRIGHT_PROFESSIONAL,
    ),
    PianoCategory.GRAND: (
        PianoType.BABY_GRAND,
        PianoType.MEDIUM_GRAND,
        PianoType.PARLOR_GRAND,
        PianoType.SEMI_CONCERT,
        PianoType.CONCERT_GRAND,
    ),
    PianoCategory.DIGITAL: (
        PianoType.PORTABLE,
        PianoType.CONSOLE_DIGITAL,
        PianoType.STAGE,
        PianoType.HYBRID,
    ),
}


class PianoCondition(StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"
    NEEDS_REPAIR = "needs_repair"


class ServiceType(StrEnum):
    TUNING = "tuning"
    REPAIR = "repair"
    REGULATION = "regulation"
    MAINTENANCE_BASIC = "maintenance_basic"
    MAINTENANCE_COMPLETE = "maintenance_complete"
    MAINTENANCE_PREMIUM = "maintenance_premium"
    INSPECTION = "inspection"
    RESTORATION = "restoration"
    OTHER = "other"


class ServiceStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class AppointmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CONVERTED = "converted"


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PAID = "paid"
    CANCELLED = "cancelled"


class LineKind(StrEnum):
    SERVICE = "service"
    PART = "part"
    LABOR = "labor"
    TRAVEL = "travel"
    MATERIAL = "material"
    OTHER = "other"


class DocumentKind(StrEnum):
    """What a numbering counter numbers."""

    INVOICE = "invoice"
    QUOTE = "quote"


class PaymentMethod(StrEnum):
    TRANSFER = "transfer"
    CARD = "card"
    CASH = "cash"
    BIZUM = "bizum"
    STRIPE = "stripe"
    OTHER = "other"


class InventoryCategory(StrEnum):
    STRINGS = "strings"
    HAMMERS = "hammers"
    DAMPERS = "dampers"
    KEYS = "keys"
    ACTION_PARTS = "action_parts"
    PEDALS = "pedals"
    TUNING_PINS = "tuning_pins"
    FELTS = "felts"
    TOOLS = "tools"
    CHEMICALS = "chemicals"
    OTHER = "other"


class StockMovementReason(StrEnum):
    PURCHASE = "purchase"
    SERVICE_USE = "service_use"
    SERVICE_RETURN = "service_return"
    ADJUSTMENT = "adjustment"


class ReminderType(StrEnum):
    CALL = "call"
    VISIT = "visit"
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    FOLLOW_UP = "follow_up"


class ReminderSource(StrEnum):
    MANUAL = "manual"
    DUE_SERVICE = "due_service"
    FOLLOW_UP = "follow_up"


class MessageChannel(StrEnum):
    EMAIL = "email"
    WHATSAPP = "whatsapp"


class MaintenanceAlertKind(StrEnum):
    TUNING = "tuning"
    REGULATION = "regulation"
    REPAIR = "repair"


class AlertLevel(StrEnum):
    PENDING = "pending"
    URGENT = "urgent"


class MaintenanceAlertStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class CacheMode(StrEnum):
    UPSTASH = "upstash"
    REDIS = "redis"
    MEMORY = "memory"


class CacheAlertCause(StrEnum):
    HIT_RATE = "hit_rate"
    LATENCY = "latency"
    CONNECTION = "connection"


class CacheAlertEventKind(StrEnum):
    RAISED = "raised"
    RECOVERED = "recovered"


class NotificationSeverity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class JobRunStatus(StrEnum):
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"
