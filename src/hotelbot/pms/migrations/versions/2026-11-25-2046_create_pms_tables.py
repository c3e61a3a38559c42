"""create pms tables

Revision ID: de421392af78
Revises:
Create Date: 2026-11-25 20:46:27.259295
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "de421392af78"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pms_properties",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("check_in_time", sa.String(length=5), nullable=False),
        sa.Column("check_out_time", sa.String(length=5), nullable=False),
        sa.Column("pms_adapter", sa.String(length=32), nullable=False),
        sa.Column("pms_settings", sa.JSON(), nullable=False),
        sa.Column("tax_rules", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_properties")),
        sa.UniqueConstraint("slug", name=op.f("uq_pms_properties_slug")),
    )
    op.create_table(
        "pms_guests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=False),
        sa.Column("last_name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email_index", sa.String(length=64), nullable=True),
        sa.Column("phone_index", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=12), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["pms_properties.id"],
            name=op.f("fk_pms_guests_property_id_pms_properties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_guests")),
    )
    with op.batch_alter_table("pms_guests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pms_guests_email_index"), ["email_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pms_guests_phone_index"), ["phone_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pms_guests_property_id"), ["property_id"], unique=False
        )

    op.create_table(
        "pms_idempotency_keys",
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("result_ref", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["pms_properties.id"],
            name=op.f("fk_pms_idempotency_keys_property_id_pms_properties"),
        ),
        sa.PrimaryKeyConstraint("property_id", "key", name=op.f("pk_pms_idempotency_keys")),
    )
    op.create_table(
        "pms_rate_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("refundable", sa.Boolean(), nullable=False),
        sa.Column("breakfast_included", sa.Boolean(), nullable=False),
        sa.Column("deadline_days_before", sa.Integer(), nullable=True),
        sa.Column("fee_nights", sa.Integer(), nullable=False),
        sa.Column("fee_percent", sa.Integer(), nullable=False),
        sa.Column("policy_description", sa.Text(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["pms_properties.id"],
            name=op.f("fk_pms_rate_plans_property_id_pms_properties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_rate_plans")),
        sa.UniqueConstraint("property_id", "code", name=op.f("uq_pms_rate_plans_property_id_code")),
    )
    op.create_table(
        "pms_room_types",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("max_adults", sa.Integer(), nullable=False),
        sa.Column("max_children", sa.Integer(), nullable=False),
        sa.Column("max_occupancy", sa.Integer(), nullable=False),
        sa.Column("beds", sa.JSON(), nullable=False),
        sa.Column("size_m2", sa.Integer(), nullable=True),
        sa.Column("amenities", sa.JSON(), nullable=False),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["pms_properties.id"],
            name=op.f("fk_pms_room_types_property_id_pms_properties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_room_types")),
        sa.UniqueConstraint("property_id", "code", name=op.f("uq_pms_room_types_property_id_code")),
    )
    op.create_table(
        "pms_services",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("hours", sa.String(length=64), nullable=False),
        sa.Column("dietary", sa.JSON(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["pms_properties.id"],
            name=op.f("fk_pms_services_property_id_pms_properties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_services")),
        sa.UniqueConstraint("property_id", "code", name=op.f("uq_pms_services_property_id_code")),
    )
    op.create_table(
        "pms_inventory",
        sa.Column("room_type_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("sold", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "sold >= 0 AND sold <= total", name=op.f("ck_pms_inventory_sold_within_total")
        ),
        sa.ForeignKeyConstraint(
            ["room_type_id"],
            ["pms_room_types.id"],
            name=op.f("fk_pms_inventory_room_type_id_pms_room_types"),
        ),
        sa.PrimaryKeyConstraint("room_type_id", "date", name=op.f("pk_pms_inventory")),
    )
    op.create_table(
        "pms_prices",
        sa.Column("rate_plan_id", sa.Integer(), nullable=False),
        sa.Column("room_type_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rate_plan_id"],
            ["pms_rate_plans.id"],
            name=op.f("fk_pms_prices_rate_plan_id_pms_rate_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["room_type_id"],
            ["pms_room_types.id"],
            name=op.f("fk_pms_prices_room_type_id_pms_room_types"),
        ),
        sa.PrimaryKeyConstraint("rate_plan_id", "room_type_id", "date", name=op.f("pk_pms_prices")),
    )
    op.create_table(
        "pms_reservations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("guest_id", sa.Uuid(), nullable=False),
        sa.Column("room_type_id", sa.Integer(), nullable=False),
        sa.Column("rate_plan_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("check_in", sa.Date(), nullable=False),
        sa.Column("check_out", sa.Date(), nullable=False),
        sa.Column("adults", sa.Integer(), nullable=False),
        sa.Column("children_ages", sa.JSON(), nullable=False),
        sa.Column("rooms", sa.Integer(), nullable=False),
        sa.Column("subtotal_cents", sa.BigInteger(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("taxes", sa.JSON(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancellation_fee_cents", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["guest_id"], ["pms_guests.id"], name=op.f("fk_pms_reservations_guest_id_pms_guests")
        ),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["pms_properties.id"],
            name=op.f("fk_pms_reservations_property_id_pms_properties"),
        ),
        sa.ForeignKeyConstraint(
            ["rate_plan_id"],
            ["pms_rate_plans.id"],
            name=op.f("fk_pms_reservations_rate_plan_id_pms_rate_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["room_type_id"],
            ["pms_room_types.id"],
            name=op.f("fk_pms_reservations_room_type_id_pms_room_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_reservations")),
        sa.UniqueConstraint("reference", name=op.f("uq_pms_reservations_reference")),
    )
    with op.batch_alter_table("pms_reservations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pms_reservations_property_id"), ["property_id", "guest_id"], unique=False
        )

    op.create_table(
        "pms_rooms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("room_type_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["pms_properties.id"],
            name=op.f("fk_pms_rooms_property_id_pms_properties"),
        ),
        sa.ForeignKeyConstraint(
            ["room_type_id"],
            ["pms_room_types.id"],
            name=op.f("fk_pms_rooms_room_type_id_pms_room_types"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_rooms")),
        sa.UniqueConstraint("property_id", "number", name=op.f("uq_pms_rooms_property_id_number")),
    )
    op.create_table(
        "pms_reservation_nights",
        sa.Column("reservation_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["pms_reservations.id"],
            name=op.f("fk_pms_reservation_nights_reservation_id_pms_reservations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reservation_id", "date", name=op.f("pk_pms_reservation_nights")),
    )
    op.create_table(
        "pms_service_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("property_id", sa.Uuid(), nullable=False),
        sa.Column("reservation_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("room_number", sa.String(length=16), nullable=True),
        sa.Column("service_code", sa.String(length=64), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id"],
            ["pms_properties.id"],
            name=op.f("fk_pms_service_requests_property_id_pms_properties"),
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["pms_reservations.id"],
            name=op.f("fk_pms_service_requests_reservation_id_pms_reservations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pms_service_requests")),
    )
    with op.batch_alter_table("pms_service_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pms_service_requests_property_id"), ["property_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pms_service_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pms_service_requests_property_id"))

    op.drop_table("pms_service_requests")
    op.drop_table("pms_reservation_nights")
    op.drop_table("pms_rooms")
    with op.batch_alter_table("pms_reservations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pms_reservations_property_id"))

    op.drop_table("pms_reservations")
    op.drop_table("pms_prices")
    op.drop_table("pms_inventory")
    op.drop_table("pms_services")
    op.drop_table("pms_room_types")
    op.drop_table("pms_rate_plans")
    op.drop_table("pms_idempotency_keys")
    with op.batch_alter_table("pms_guests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pms_guests_property_id"))
        batch_op.drop_index(batch_op.f("ix_pms_guests_phone_index"))
        batch_op.drop_index(batch_op.f("ix_pms_guests_email_index"))

    op.drop_table("pms_guests")
    op.drop_table("pms_properties")
