"""host leases: several workers split a pass by host

Revision ID: scale
Revises: discovery
Create Date: 2026-11-29 17:30:00
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = 'scale'
down_revision = 'discovery'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('host_lease',
    sa.Column('host', sa.Text(), nullable=False),
    sa.Column('holder', sa.Text(), nullable=False),
    sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('host')
    )


def downgrade() -> None:
    op.drop_table('host_lease')
