"""query speed: a source's captures indexed newest first

`ix_capture_source_fetched` (source_id, fetched_at, id) replaces `ix_capture_source_id`: a
source's last capture, its recent attempts and its captures since a moment are read from the
index in order instead of sorting every capture of the source.

Revision ID: query_speed
Revises: scale
Create Date: 2026-11-29 21:10:00
"""

from alembic import op

revision = 'query_speed'
down_revision = 'scale'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('capture', schema=None) as batch_op:
        batch_op.create_index(
            'ix_capture_source_fetched', ['source_id', 'fetched_at', 'id'], unique=False
        )
        batch_op.drop_index('ix_capture_source_id')


def downgrade() -> None:
    with op.batch_alter_table('capture', schema=None) as batch_op:
        batch_op.create_index('ix_capture_source_id', ['source_id'], unique=False)
        batch_op.drop_index('ix_capture_source_fetched')
