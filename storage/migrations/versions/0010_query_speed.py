"""query speed: a source's captures indexed newest first; stored search vectors on PostgreSQL

`ix_capture_source_fetched` (source_id, fetched_at, id) replaces `ix_capture_source_id`: a
source's last capture, its recent attempts and its captures since a moment are read from the
index in order instead of sorting every capture of the source.

PostgreSQL: claim and version get a stored `search_vector` column (the to_tsvector expression
the GIN indexes of migration `webui` were built on) and the GIN indexes move to it. A search
that checks rows one by one (a phrase, whose GIN matches are rechecked, or the newest matches
read down the primary key) then reads each row's vector instead of parsing and stemming its
text again: the difference between ~30 s and well under a second for a phrase whose words are
in most versions of a 100,000-version archive.

Revision ID: query_speed
Revises: scale
Create Date: 2026-11-29 21:10:00
"""

from alembic import op

revision = 'query_speed'
down_revision = 'scale'
branch_labels = None
depends_on = None

# The expressions of migration `webui`, unchanged (storage/search.py reads the columns).
VECTORS = {
    "claim": ("ix_claim_search", "to_tsvector('english'::regconfig, left(text, 100000))"),
    "version": (
        "ix_version_search",
        "to_tsvector('english'::regconfig, left(title || ' ' || text, 100000))",
    ),
}


def upgrade() -> None:
    with op.batch_alter_table('capture', schema=None) as batch_op:
        batch_op.create_index(
            'ix_capture_source_fetched', ['source_id', 'fetched_at', 'id'], unique=False
        )
        batch_op.drop_index('ix_capture_source_id')
    if op.get_bind().dialect.name == "postgresql":
        for table, (index, expression) in VECTORS.items():
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                f"GENERATED ALWAYS AS ({expression}) STORED"
            )
            op.execute(f"DROP INDEX IF EXISTS {index}")
            op.execute(f"CREATE INDEX {index} ON {table} USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, (index, expression) in VECTORS.items():
            op.execute(f"DROP INDEX IF EXISTS {index}")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
            op.execute(f"CREATE INDEX {index} ON {table} USING gin ({expression})")
    with op.batch_alter_table('capture', schema=None) as batch_op:
        batch_op.create_index('ix_capture_source_id', ['source_id'], unique=False)
        batch_op.drop_index('ix_capture_source_fetched')
