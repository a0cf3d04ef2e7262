"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-27 18:54:48.860189

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import piano_emotion.models.types


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cache_alert_events',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cause', sa.Enum('hit_rate', 'latency', 'connection', name='cause', native_enum=False, create_constraint=True, length=18), nullable=False),
    sa.Column('kind', sa.Enum('raised', 'recovered', name='kind', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('recovered_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.Column('notified', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_alert_events'))
    )
    with op.batch_alter_table('cache_alert_events', schema=None) as batch_op:
        batch_op.create_index('ix_cache_alert_events_cause_created', ['cause', 'created_at'], unique=False)

    op.create_table('cache_alert_settings',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('min_hit_rate_pct', sa.Float(), nullable=False),
    sa.Column('max_latency_ms', sa.Float(), nullable=False),
    sa.Column('min_operations', sa.Integer(), nullable=False),
    sa.Column('cooldown_minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_alert_settings'))
    )
    op.create_table('cache_metric_snapshots',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('taken_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('mode', sa.Enum('upstash', 'redis', 'memory', name='mode', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('connected', sa.Boolean(), nullable=False),
    sa.Column('degraded', sa.Boolean(), nullable=False),
    sa.Column('hits', sa.BigInteger(), nullable=False),
    sa.Column('misses', sa.BigInteger(), nullable=False),
    sa.Column('sets', sa.BigInteger(), nullable=False),
    sa.Column('deletes', sa.BigInteger(), nullable=False),
    sa.Column('errors', sa.BigInteger(), nullable=False),
    sa.Column('delta_hits', sa.BigInteger(), nullable=False),
    sa.Column('delta_misses', sa.BigInteger(), nullable=False),
    sa.Column('delta_sets', sa.BigInteger(), nullable=False),
    sa.Column('delta_deletes', sa.BigInteger(), nullable=False),
    sa.Column('delta_errors', sa.BigInteger(), nullable=False),
    sa.Column('hit_rate', sa.Float(), nullable=False),
    sa.Column('interval_hit_rate', sa.Float(), nullable=True),
    sa.Column('latency_avg_ms', sa.Float(), nullable=False),
    sa.Column('latency_p50_ms', sa.Float(), nullable=False),
    sa.Column('latency_p95_ms', sa.Float(), nullable=False),
    sa.Column('latency_p99_ms', sa.Float(), nullable=False),
    sa.Column('keys', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cache_metric_snapshots'))
    )
    with op.batch_alter_table('cache_metric_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cache_metric_snapshots_taken_at'), ['taken_at'], unique=False)

    op.create_table('job_runs',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('period_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('started_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('finished_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('running', 'success', 'failed', 'skipped', name='status', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('result', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
    sa.UniqueConstraint('job_name', 'period_key', name=op.f('uq_job_runs_job_name_period_key'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_job_started', ['job_name', 'started_at'], unique=False)

    op.create_table('login_attempts',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=191), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_address_created', ['address', 'created_at'], unique=False)
        batch_op.create_index('ix_login_attempts_email_created', ['email', 'created_at'], unique=False)

    op.create_table('stripe_events',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stripe_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_stripe_events_event_id'))
    )
    with op.batch_alter_table('stripe_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stripe_events_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('users',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=191), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=191), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('locale', sa.Enum('es', 'en', name='locale', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('role', sa.Enum('technician', 'admin', name='role', native_enum=False, create_constraint=True, length=18), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'),
    sa.Column('last_login_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.Column('calendar_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('calendar_token', name=op.f('uq_users_calendar_token')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('external_id', name=op.f('uq_users_external_id'))
    )
    op.create_table('business_info',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('business_name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('tax_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('postal_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=191), nullable=False),
    sa.Column('iban', sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
    sa.Column('invoice_prefix', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('quote_prefix', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('default_tax_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('payment_terms_days', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_business_info_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_info')),
    sa.UniqueConstraint('technician_id', name=op.f('uq_business_info_technician_id'))
    )
    op.create_table('clients',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('client_type', sa.Enum('particular', 'student', 'professional', 'music_school', 'conservatory', 'concert_hall', name='client_type', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=191), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('tax_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('postal_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('route_group', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('search_text', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_clients_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients'))
    )
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.create_index('ix_clients_tech_archived_name', ['technician_id', 'archived', 'name'], unique=False)
        batch_op.create_index('ix_clients_tech_city', ['technician_id', 'city'], unique=False)
        batch_op.create_index('ix_clients_tech_created', ['technician_id', 'created_at'], unique=False)
        batch_op.create_index('ix_clients_tech_route', ['technician_id', 'route_group'], unique=False)
        batch_op.create_index('ix_clients_tech_type', ['technician_id', 'client_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_technician_id'), ['technician_id'], unique=False)

    op.create_table('document_counters',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invoice', 'quote', name='kind', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_document_counters_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_counters')),
    sa.UniqueConstraint('technician_id', 'kind', 'year', name=op.f('uq_document_counters_technician_id_kind_year'))
    )
    with op.batch_alter_table('document_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_counters_technician_id'), ['technician_id'], unique=False)

    op.create_table('inventory_items',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('category', sa.Enum('strings', 'hammers', 'dampers', 'keys', 'action_parts', 'pedals', 'tuning_pins', 'felts', 'tools', 'chemicals', 'other', name='category', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('sku', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('min_stock', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('cost_per_unit', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('supplier', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.CheckConstraint('cost_per_unit >= 0', name=op.f('ck_inventory_items_cost_not_negative')),
    sa.CheckConstraint('min_stock >= 0', name=op.f('ck_inventory_items_min_stock_not_negative')),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_inventory_items_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_items'))
    )
    with op.batch_alter_table('inventory_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inventory_items_technician_id'), ['technician_id'], unique=False)
        batch_op.create_index('ix_inventory_tech_archived_name', ['technician_id', 'archived', 'name'], unique=False)
        batch_op.create_index('ix_inventory_tech_category', ['technician_id', 'category'], unique=False)

    op.create_table('maintenance_settings',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('tuning_pending_days', sa.Integer(), nullable=False),
    sa.Column('tuning_urgent_days', sa.Integer(), nullable=False),
    sa.Column('regulation_pending_days', sa.Integer(), nullable=False),
    sa.Column('regulation_urgent_days', sa.Integer(), nullable=False),
    sa.Column('default_interval_months', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_maintenance_settings_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_settings')),
    sa.UniqueConstraint('technician_id', name=op.f('uq_maintenance_settings_technician_id'))
    )
    op.create_table('message_templates',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('email', 'whatsapp', name='channel', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_message_templates_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message_templates')),
    sa.UniqueConstraint('technician_id', 'channel', name=op.f('uq_message_templates_technician_id_channel'))
    )
    with op.batch_alter_table('message_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_templates_technician_id'), ['technician_id'], unique=False)

    op.create_table('owner_notifications',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_event_id', sa.Integer(), nullable=True),
    sa.Column('severity', sa.Enum('info', 'warning', 'critical', name='severity', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('read_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.Column('email_status', sa.Enum('pending', 'sent', 'failed', 'skipped', name='email_status', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('webhook_status', sa.Enum('pending', 'sent', 'failed', 'skipped', name='webhook_status', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['alert_event_id'], ['cache_alert_events.id'], name=op.f('fk_owner_notifications_alert_event_id_cache_alert_events'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_owner_notifications'))
    )
    with op.batch_alter_table('owner_notifications', schema=None) as batch_op:
        batch_op.create_index('ix_owner_notifications_read_created', ['read_at', 'created_at'], unique=False)

    op.create_table('service_rates',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('category', sa.Enum('tuning', 'repair', 'regulation', 'maintenance_basic', 'maintenance_complete', 'maintenance_premium', 'inspection', 'restoration', 'other', name='category', native_enum=False, create_constraint=True, length=28), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('base_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('estimated_minutes', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('base_price >= 0', name=op.f('ck_service_rates_price_not_negative')),
    sa.CheckConstraint('tax_rate >= 0 AND tax_rate <= 100', name=op.f('ck_service_rates_tax_range')),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_service_rates_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_rates'))
    )
    with op.batch_alter_table('service_rates', schema=None) as batch_op:
        batch_op.create_index('ix_service_rates_tech_active_name', ['technician_id', 'active', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_rates_technician_id'), ['technician_id'], unique=False)

    op.create_table('pianos',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('brand', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('serial_number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('category', sa.Enum('vertical', 'grand', 'digital', name='category', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('piano_type', sa.Enum('spinet', 'console', 'studio', 'upright_professional', 'baby_grand', 'medium_grand', 'parlor_grand', 'semi_concert', 'concert_grand', 'portable', 'console_digital', 'stage', 'hybrid', name='piano_type', native_enum=False, create_constraint=True, length=28), nullable=True),
    sa.Column('size_cm', sa.Integer(), nullable=True),
    sa.Column('condition', sa.Enum('excellent', 'good', 'fair', 'poor', 'needs_repair', name='condition', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('room', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('floor', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('service_interval_months', sa.Integer(), nullable=True),
    sa.Column('tuning_pending_days', sa.Integer(), nullable=True),
    sa.Column('tuning_urgent_days', sa.Integer(), nullable=True),
    sa.Column('regulation_pending_days', sa.Integer(), nullable=True),
    sa.Column('regulation_urgent_days', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('search_text', sqlmodel.sql.sqltypes.AutoString(length=1024), nullable=False),
    sa.CheckConstraint('service_interval_months IS NULL OR service_interval_months BETWEEN 0 AND 60', name=op.f('ck_pianos_interval_range')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_pianos_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_pianos_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pianos'))
    )
    with op.batch_alter_table('pianos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pianos_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_pianos_tech_archived_brand', ['technician_id', 'archived', 'brand'], unique=False)
        batch_op.create_index('ix_pianos_tech_category', ['technician_id', 'category'], unique=False)
        batch_op.create_index('ix_pianos_tech_condition', ['technician_id', 'condition'], unique=False)
        batch_op.create_index('ix_pianos_tech_created', ['technician_id', 'created_at'], unique=False)
        batch_op.create_index('ix_pianos_tech_serial', ['technician_id', 'serial_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_pianos_technician_id'), ['technician_id'], unique=False)

    op.create_table('appointments',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('piano_id', sa.Integer(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('starts_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('service_type', sa.Enum('tuning', 'repair', 'regulation', 'maintenance_basic', 'maintenance_complete', 'maintenance_premium', 'inspection', 'restoration', 'other', name='service_type', native_enum=False, create_constraint=True, length=28), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'confirmed', 'completed', 'cancelled', name='status', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_appointments_duration_positive')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_appointments_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['piano_id'], ['pianos.id'], name=op.f('fk_appointments_piano_id_pianos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_appointments_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_piano_id'), ['piano_id'], unique=False)
        batch_op.create_index('ix_appointments_tech_starts', ['technician_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_appointments_tech_status_starts', ['technician_id', 'status', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_technician_id'), ['technician_id'], unique=False)

    op.create_table('piano_photos',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('piano_id', sa.Integer(), nullable=False),
    sa.Column('file_path', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('caption', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['piano_id'], ['pianos.id'], name=op.f('fk_piano_photos_piano_id_pianos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_piano_photos_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_piano_photos'))
    )
    with op.batch_alter_table('piano_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_piano_photos_piano_id'), ['piano_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_piano_photos_technician_id'), ['technician_id'], unique=False)

    op.create_table('quotes',
    sa.Column('subtotal', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('piano_id', sa.Integer(), nullable=True),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('quote_date', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'sent', 'accepted', 'rejected', 'expired', 'converted', name='status', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('converted_invoice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_quotes_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['piano_id'], ['pianos.id'], name=op.f('fk_quotes_piano_id_pianos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_quotes_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quotes')),
    sa.UniqueConstraint('technician_id', 'number', name=op.f('uq_quotes_technician_id_number'))
    )
    with op.batch_alter_table('quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quotes_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_piano_id'), ['piano_id'], unique=False)
        batch_op.create_index('ix_quotes_tech_date', ['technician_id', 'quote_date'], unique=False)
        batch_op.create_index('ix_quotes_tech_status_date', ['technician_id', 'status', 'quote_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_quotes_technician_id'), ['technician_id'], unique=False)

    op.create_table('reminders',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('piano_id', sa.Integer(), nullable=True),
    sa.Column('reminder_type', sa.Enum('call', 'visit', 'email', 'whatsapp', 'follow_up', name='reminder_type', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('source', sa.Enum('manual', 'due_service', 'follow_up', name='source', native_enum=False, create_constraint=True, length=19), nullable=False),
    sa.Column('due_cycle_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('done_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_reminders_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['piano_id'], ['pianos.id'], name=op.f('fk_reminders_piano_id_pianos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_reminders_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('piano_id', 'due_cycle_date', 'source', name=op.f('uq_reminders_piano_id_due_cycle_date_source'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_piano_id'), ['piano_id'], unique=False)
        batch_op.create_index('ix_reminders_tech_done_due', ['technician_id', 'done', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_technician_id'), ['technician_id'], unique=False)

    op.create_table('quote_lines',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('service', 'part', 'labor', 'travel', 'material', 'other', name='kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('discount_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('tax_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('discount_pct >= 0 AND discount_pct <= 100', name=op.f('ck_quote_lines_discount_range')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_quote_lines_quantity_positive')),
    sa.CheckConstraint('tax_rate >= 0 AND tax_rate <= 100', name=op.f('ck_quote_lines_tax_range')),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_quote_lines_quote_id_quotes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_quote_lines_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_lines'))
    )
    with op.batch_alter_table('quote_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_lines_quote_id'), ['quote_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quote_lines_technician_id'), ['technician_id'], unique=False)

    op.create_table('services',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('piano_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('service_type', sa.Enum('tuning', 'repair', 'regulation', 'maintenance_basic', 'maintenance_complete', 'maintenance_premium', 'inspection', 'restoration', 'other', name='service_type', native_enum=False, create_constraint=True, length=28), nullable=False),
    sa.Column('status', sa.Enum('pending', 'in_progress', 'completed', 'cancelled', name='status', native_enum=False, create_constraint=True, length=19), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('humidity_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('temperature_c', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('technician_notes', sa.Text(), nullable=False),
    sa.CheckConstraint('cost >= 0', name=op.f('ck_services_cost_not_negative')),
    sa.CheckConstraint('duration_minutes >= 0', name=op.f('ck_services_duration_not_negative')),
    sa.CheckConstraint('humidity_pct IS NULL OR (humidity_pct >= 0 AND humidity_pct <= 100)', name=op.f('ck_services_humidity_range')),
    sa.CheckConstraint('temperature_c IS NULL OR (temperature_c >= -30 AND temperature_c <= 60)', name=op.f('ck_services_temperature_range')),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_services_appointment_id_appointments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_services_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['piano_id'], ['pianos.id'], name=op.f('fk_services_piano_id_pianos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_services_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_services_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_services_piano_id'), ['piano_id'], unique=False)
        batch_op.create_index('ix_services_piano_type_date', ['piano_id', 'service_type', 'service_date'], unique=False)
        batch_op.create_index('ix_services_tech_date', ['technician_id', 'service_date'], unique=False)
        batch_op.create_index('ix_services_tech_status_date', ['technician_id', 'status', 'service_date'], unique=False)
        batch_op.create_index('ix_services_tech_type_date', ['technician_id', 'service_type', 'service_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_services_technician_id'), ['technician_id'], unique=False)

    op.create_table('invoices',
    sa.Column('subtotal', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('tax_total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('piano_id', sa.Integer(), nullable=True),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('quote_id', sa.Integer(), nullable=True),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('draft', 'sent', 'paid', 'cancelled', name='status', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('client_name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('client_tax_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('client_email', sqlmodel.sql.sqltypes.AutoString(length=191), nullable=False),
    sa.Column('client_address', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('issuer_name', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('issuer_tax_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('issuer_address', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('issuer_email', sqlmodel.sql.sqltypes.AutoString(length=191), nullable=False),
    sa.Column('issuer_phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('issuer_iban', sqlmodel.sql.sqltypes.AutoString(length=42), nullable=False),
    sa.Column('paid_date', sa.Date(), nullable=True),
    sa.Column('payment_method', sa.Enum('transfer', 'card', 'cash', 'bizum', 'stripe', 'other', name='payment_method', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('payment_reference', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('payment_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('payment_flag', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('sent_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.Column('cancelled_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_invoices_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['piano_id'], ['pianos.id'], name=op.f('fk_invoices_piano_id_pianos'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['quote_id'], ['quotes.id'], name=op.f('fk_invoices_quote_id_quotes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_invoices_service_id_services'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_invoices_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('payment_token', name=op.f('uq_invoices_payment_token')),
    sa.UniqueConstraint('technician_id', 'number', name=op.f('uq_invoices_technician_id_number'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_piano_id'), ['piano_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_quote_id'), ['quote_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_invoices_tech_date', ['technician_id', 'issue_date'], unique=False)
        batch_op.create_index('ix_invoices_tech_paid', ['technician_id', 'paid_date'], unique=False)
        batch_op.create_index('ix_invoices_tech_status_date', ['technician_id', 'status', 'issue_date'], unique=False)
        batch_op.create_index('ix_invoices_tech_status_due', ['technician_id', 'status', 'due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_technician_id'), ['technician_id'], unique=False)

    op.create_table('maintenance_alerts',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('piano_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('tuning', 'regulation', 'repair', name='kind', native_enum=False, create_constraint=True, length=18), nullable=False),
    sa.Column('level', sa.Enum('pending', 'urgent', name='level', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('status', sa.Enum('open', 'acknowledged', 'resolved', 'dismissed', name='status', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('days_since', sa.Integer(), nullable=False),
    sa.Column('acknowledged_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.Column('dismissed_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.Column('resolved_at', piano_emotion.models.types.UtcDateTime(), nullable=True),
    sa.Column('resolved_by_service_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['piano_id'], ['pianos.id'], name=op.f('fk_maintenance_alerts_piano_id_pianos'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_service_id'], ['services.id'], name=op.f('fk_maintenance_alerts_resolved_by_service_id_services'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_maintenance_alerts_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_maintenance_alerts'))
    )
    with op.batch_alter_table('maintenance_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_maintenance_alerts_piano_id'), ['piano_id'], unique=False)
        batch_op.create_index('ix_maintenance_alerts_piano_kind_status', ['piano_id', 'kind', 'status'], unique=False)
        batch_op.create_index('ix_maintenance_alerts_tech_status_level', ['technician_id', 'status', 'level'], unique=False)
        batch_op.create_index(batch_op.f('ix_maintenance_alerts_technician_id'), ['technician_id'], unique=False)

    op.create_table('service_materials',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_service_materials_quantity_positive')),
    sa.ForeignKeyConstraint(['item_id'], ['inventory_items.id'], name=op.f('fk_service_materials_item_id_inventory_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_materials_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_service_materials_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_materials'))
    )
    with op.batch_alter_table('service_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_materials_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_materials_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_materials_technician_id'), ['technician_id'], unique=False)

    op.create_table('service_tasks',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_tasks_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_service_tasks_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_tasks'))
    )
    with op.batch_alter_table('service_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_tasks_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_tasks_technician_id'), ['technician_id'], unique=False)

    op.create_table('stock_movements',
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('purchase', 'service_use', 'service_return', 'adjustment', name='reason', native_enum=False, create_constraint=True, length=22), nullable=False),
    sa.Column('quantity_delta', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('quantity_after', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['inventory_items.id'], name=op.f('fk_stock_movements_item_id_inventory_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_stock_movements_service_id_services'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_stock_movements_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    with op.batch_alter_table('stock_movements', schema=None) as batch_op:
        batch_op.create_index('ix_stock_movements_item_created', ['item_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_movements_technician_id'), ['technician_id'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('service', 'part', 'labor', 'travel', 'material', 'other', name='kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('discount_pct', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('net_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('tax_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('total_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('updated_at', piano_emotion.models.types.UtcDateTime(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('technician_id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('discount_pct >= 0 AND discount_pct <= 100', name=op.f('ck_invoice_lines_discount_range')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_invoice_lines_quantity_positive')),
    sa.CheckConstraint('tax_rate >= 0 AND tax_rate <= 100', name=op.f('ck_invoice_lines_tax_range')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['technician_id'], ['users.id'], name=op.f('fk_invoice_lines_technician_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines'))
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_lines_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_lines_technician_id'), ['technician_id'], unique=False)



def downgrade() -> None:
    op.drop_table('invoice_lines')
    op.drop_table('stock_movements')
    op.drop_table('service_tasks')
    op.drop_table('service_materials')
    op.drop_table('maintenance_alerts')
    op.drop_table('invoices')
    op.drop_table('services')
    op.drop_table('quote_lines')
    op.drop_table('reminders')
    op.drop_table('quotes')
    op.drop_table('piano_photos')
    op.drop_table('appointments')
    op.drop_table('pianos')
    op.drop_table('service_rates')
    op.drop_table('owner_notifications')
    op.drop_table('message_templates')
    op.drop_table('maintenance_settings')
    op.drop_table('inventory_items')
    op.drop_table('document_counters')
    op.drop_table('clients')
    op.drop_table('business_info')
    op.drop_table('users')
    op.drop_table('stripe_events')
    op.drop_table('login_attempts')
    op.drop_table('job_runs')
    op.drop_table('cache_metric_snapshots')
    op.drop_table('cache_alert_settings')
    op.drop_table('cache_alert_events')
