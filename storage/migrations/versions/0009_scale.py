"""host leases: several workers split a pass by host; version blocks stored without their text

Existing versions' blocks are rewritten in the packed form (storage/blockstore.py): each
block's text becomes a span of the version's text. Both forms read the same, so a row left
unpacked is still readable.

Revision ID: scale
Revises: hardening_pass
Create Date: 2026-11-29 17:30:00
"""

import json

from alembic import op
import sqlalchemy as sa
import storage.models
from storage.blockstore import pack_blocks, unpack_blocks

BATCH = 500


revision = 'scale'
down_revision = 'hardening_pass'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('host_lease',
    sa.Column('host', sa.Text(), nullable=False),
    sa.Column('holder', sa.Text(), nullable=False),
    sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('host')
    )
    _repack(pack=True)


def _repack(*, pack: bool) -> None:
    connection = op.get_bind()
    version = sa.table(
        "version", sa.column("id", sa.Integer), sa.column("text", sa.Text),
        sa.column("blocks", sa.JSON),
    )
    last = 0
    while True:
        rows = connection.execute(
            sa.select(version.c.id, version.c.text, version.c.blocks)
            .where(version.c.id > last).order_by(version.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row_id, text, blocks in rows:
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            full = unpack_blocks(blocks, text)
            new = pack_blocks(full, text) if pack else full
            if new != blocks:
                connection.execute(
                    version.update().where(version.c.id == row_id).values(blocks=new)
                )
        last = rows[-1][0]


def downgrade() -> None:
    _repack(pack=False)
    op.drop_table('host_lease')
