"""Parts and materials in stock, and every movement of that stock."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field

from piano_emotion.models.base import TenantTable
from piano_emotion.models.enums import InventoryCategory, StockMovementReason
from piano_emotion.models.types import QUANTITY, enum_field, money_field


class InventoryItem(TenantTable, table=True):
    __tablename__ = "inventory_items"
    __table_args__ = (
        sa.Index("ix_inventory_tech_archived_name", "technician_id", "archived", "name"),
        sa.Index("ix_inventory_tech_category", "technician_id", "category"),
        sa.CheckConstraint("min_stock >= 0", name="min_stock_not_negative"),
        sa.CheckConstraint("cost_per_unit >= 0", name="cost_not_negative"),
    )

    name: str = Field(max_length=160)
    category: InventoryCategory = enum_field(
        InventoryCategory, "category", default=InventoryCategory.OTHER
    )
    sku: str = Field(default="", max_length=64)
    quantity: Decimal = Field(default=Decimal("0.000"), sa_type=QUANTITY)
    unit: str = Field(default="ud", max_length=16)
    min_stock: Decimal = Field(default=Decimal("0.000"), sa_type=QUANTITY)
    cost_per_unit: Decimal = money_field()
    supplier: str = Field(default="", max_length=160)
    notes: str = Field(default="", sa_type=sa.Text())
    archived: bool = Field(default=False)


class StockMovement(TenantTable, table=True):
    """Who changed a stock level, when, why and by how much."""

    __tablename__ = "stock_movements"
    __table_args__ = (sa.Index("ix_stock_movements_item_created", "item_id", "created_at"),)

    item_id: int = Field(
        foreign_key="inventory_items.id", ondelete="CASCADE", index=True, nullable=False
    )
    reason: StockMovementReason = enum_field(StockMovementReason, "reason")
    quantity_delta: Decimal = Field(sa_type=QUANTITY)
    quantity_after: Decimal = Field(sa_type=QUANTITY)
    service_id: int | None = Field(
        default=None, foreign_key="services.id", ondelete="SET NULL", index=True
    )
    note: str = Field(default="", max_length=255)
