"""web UI: triage tables, feed indexes, full-text search over claims and article text

Revision ID: webui
Revises: 0004_claim_type

SQLite: FTS5 tables with external content (claim, version), kept current by triggers and
rebuilt here from the rows that exist. PostgreSQL: GIN indexes on to_tsvector expressions,
which PostgreSQL keeps current itself. The expressions must match storage/search.py.
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = "webui"
down_revision = "0004_claim_type"
branch_labels = None
depends_on = None

# A tsvector is limited to 1 MB: index (and search) the first 100,000 characters of a text so
# that an enormous article can never make recording its version fail.
PG_CLAIM = "to_tsvector('english'::regconfig, left(text, 100000))"
PG_VERSION = "to_tsvector('english'::regconfig, left(title || ' ' || text, 100000))"

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE claim_fts USING fts5(text, content='claim', content_rowid='id',"
    " tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE version_fts USING fts5(title, text, content='version',"
    " content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER claim_fts_ai AFTER INSERT ON claim BEGIN"
    " INSERT INTO claim_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER claim_fts_ad AFTER DELETE ON claim BEGIN"
    " INSERT INTO claim_fts(claim_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER claim_fts_au AFTER UPDATE OF text ON claim BEGIN"
    " INSERT INTO claim_fts(claim_fts, rowid, text) VALUES ('delete', old.id, old.text);"
    " INSERT INTO claim_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER version_fts_ai AFTER INSERT ON version BEGIN"
    " INSERT INTO version_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER version_fts_ad AFTER DELETE ON version BEGIN"
    " INSERT INTO version_fts(version_fts, rowid, title, text)"
    " VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER version_fts_au AFTER UPDATE OF title, text ON version BEGIN"
    " INSERT INTO version_fts(version_fts, rowid, title, text)"
    " VALUES ('delete', old.id, old.title, old.text);"
    " INSERT INTO version_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    # Backfill: index every claim and version recorded before this migration.
    "INSERT INTO claim_fts(claim_fts) VALUES ('rebuild')",
    "INSERT INTO version_fts(version_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    op.create_table(
        "change_review",
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False, server_default=""),
        sa.ForeignKeyConstraint(["change_id"], ["change.id"]),
        sa.PrimaryKeyConstraint("change_id"),
    )
    op.create_table(
        "change_label",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["change.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("change_id", "label"),
    )
    op.create_index("ix_change_label_change_id", "change_label", ["change_id"])
    op.create_index("ix_change_label_label", "change_label", ["label", "change_id"])
    op.create_table(
        "change_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(), nullable=False, server_default=""),
        sa.Column("created_at", storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["change.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_change_note_change_id", "change_note", ["change_id"])
    # The changes feed pages newest first by (detected_at, id); an article's changes likewise.
    op.create_index("ix_change_feed", "change", ["detected_at", "id"])
    op.create_index("ix_change_source_feed", "change", ["source_id", "detected_at", "id"])
    op.create_index("ix_version_capture_id", "version", ["capture_id"])

    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE INDEX ix_claim_search ON claim USING gin ({PG_CLAIM})")
        op.execute(f"CREATE INDEX ix_version_search ON version USING gin ({PG_VERSION})")
    else:
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_version_search")
        op.execute("DROP INDEX IF EXISTS ix_claim_search")
    else:
        for name in ("claim_fts_ai", "claim_fts_ad", "claim_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name in ("version_fts_ai", "version_fts_ad", "version_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS claim_fts")
        op.execute("DROP TABLE IF EXISTS version_fts")
    op.drop_index("ix_version_capture_id", table_name="version")
    op.drop_index("ix_change_source_feed", table_name="change")
    op.drop_index("ix_change_feed", table_name="change")
    op.drop_index("ix_change_note_change_id", table_name="change_note")
    op.drop_table("change_note")
    op.drop_index("ix_change_label_label", table_name="change_label")
    op.drop_index("ix_change_label_change_id", table_name="change_label")
    op.drop_table("change_label")
    op.drop_table("change_review")
