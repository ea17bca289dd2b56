"""sources keyed by the new canonical URL form (IDNA, RFC 3986 paths, IPv6 brackets)

Revision ID: hardening_net
Revises: webui
Create Date: 2026-11-29 14:00:00

`Source.normalized_url` is recomputed with analysis.urls.normalize_url. Sources that the new
form shows to be one address (an IDN host and its punycode, `%31` and `1`, `./` segments)
keep one row under the canonical form: the first active one (lowest id), else the first one;
each other one keeps its history and captures, is untracked (active = false) and keeps a
unique `normalized_url` that names it: `<canonical>#source-<id>-duplicates-<kept id>`.
A URL the new rules refuse (longer than 2,083 characters) keeps its old form; the crawler
records the problem on its next capture.
"""

import logging

import sqlalchemy as sa
from alembic import op

from analysis.urls import InvalidURL, normalize_url

revision = "hardening_net"
down_revision = "webui"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
source = sa.table(
    "source",
    sa.column("id", sa.Integer),
    sa.column("url", sa.Text),
    sa.column("normalized_url", sa.Text),
    sa.column("active", sa.Boolean),
)


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(source.c.id, source.c.url, source.c.normalized_url, source.c.active)
    ).all()
    new_forms: dict[int, str] = {}
    owners: dict[str, int] = {}
    for row in rows:
        try:
            new_forms[row.id] = normalize_url(row.url)
        except InvalidURL:
            owners[row.normalized_url] = row.id  # stays as it is
    final: dict[int, tuple[str, bool]] = {}
    for row in sorted(rows, key=lambda r: (not r.active, r.id)):
        if row.id not in new_forms:
            continue
        form = new_forms[row.id]
        if form not in owners:
            owners[form] = row.id
            final[row.id] = (form, row.active)
        else:
            final[row.id] = (f"{form}#source-{row.id}-duplicates-{owners[form]}", False)
            log.warning(
                "source %s (%s) is the same address as source %s: untracked, history kept",
                row.id,
                row.url,
                owners[form],
            )
    before = {row.id: (row.normalized_url, row.active) for row in rows}
    changed = {sid: value for sid, value in final.items() if value != before[sid]}
    # Two steps: a new form may be what another row holds until its own update.
    for sid in changed:
        conn.execute(
            source.update().where(source.c.id == sid).values(normalized_url=f"migrating:{sid}")
        )
    for sid, (form, active) in changed.items():
        conn.execute(
            source.update().where(source.c.id == sid).values(normalized_url=form, active=active)
        )


def downgrade() -> None:
    # The new forms are valid keys for the old code too; merged duplicates stay untracked.
    pass
