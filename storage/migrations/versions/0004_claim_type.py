"""claim type (effect, association, safety, dosage, comparison)

Revision ID: 0004_claim_type
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_claim_type"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.add_column(
            sa.Column("type", sa.String(), nullable=False, server_default="effect")
        )


def downgrade() -> None:
    with op.batch_alter_table("claim") as batch:
        batch.drop_column("type")
