"""alert sync requests

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 08:56:28.412362

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import piano_emotion.models.types


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('alert_sync_states',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('synced_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_alert_sync_states_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_sync_states')),
    sa.UniqueConstraint('technician_id', name=op.f('uq_alert_sync_states_technician_id'))
    )
    op.create_table('alert_sync_requests',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('piano_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['piano_id'], ['pianos.id'], name=op.f('fk_alert_sync_requests_piano_id_pianos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_alert_sync_requests_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_sync_requests'))
    )
    with op.batch_alter_table('alert_sync_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_sync_requests_technician_id'), ['technician_id'], unique=False)



def downgrade() -> None:
    # Dropping a table drops its indexes (MariaDB refuses to drop the
    # technician index first: its foreign key needs it).
    op.drop_table('alert_sync_requests')
    op.drop_table('alert_sync_states')
