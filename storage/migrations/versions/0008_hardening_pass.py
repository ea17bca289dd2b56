"""hardening pass: capture claims, one change per assessed capture, check back-off, revert alerts

Revision ID: hardening_pass
Revises: discovery
Create Date: 2026-11-29 17:30:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = "hardening_pass"
down_revision = "discovery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("capture", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.add_column(sa.Column("assessed_capture_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            "uq_change_assessed_capture_id", ["assessed_capture_id"]
        )
        batch_op.create_foreign_key(
            "fk_change_assessed_capture_id", "capture", ["assessed_capture_id"], ["id"]
        )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("retry_after", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("next_check_at", storage.models.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("error_streak", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("forbidden_streak", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("alert_channel", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reverts", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_channel", schema=None) as batch_op:
        batch_op.drop_column("reverts")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("forbidden_streak")
        batch_op.drop_column("error_streak")
        batch_op.drop_column("next_check_at")
        batch_op.drop_column("retry_after")
    with op.batch_alter_table("change", schema=None) as batch_op:
        batch_op.drop_constraint("fk_change_assessed_capture_id", type_="foreignkey")
        batch_op.drop_constraint("uq_change_assessed_capture_id", type_="unique")
        batch_op.drop_column("assessed_capture_id")
    with op.batch_alter_table("capture", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
