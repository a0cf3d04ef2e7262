"""maintenance alert cycle

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 19:14:04.681872

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import piano_emotion.models.types


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('maintenance_alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_since', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('maintenance_alerts', schema=None) as batch_op:
        batch_op.drop_column('due_since')

