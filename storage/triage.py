"""Triage of changes: reviewed or not, labels and notes (keyword-only; the caller commits)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from analysis.timestamps import utc_z
from storage.models import Change, ChangeLabel, ChangeNote, ChangeReview

# Offered in the UI; any other label is allowed.
SUGGESTED_LABELS = ("misleading", "correction issued", "needs follow-up", "benign edit")
MAX_LABEL = 60
MAX_NOTE = 10_000


class UnknownChange(LookupError):
    """No change has this id."""


@dataclass
class Triage:
    """What analysts recorded about one change."""

    change_id: int
    reviewed_at: datetime | None = None
    reviewer: str = ""
    labels: list[str] = field(default_factory=list)
    notes: list[ChangeNote] = field(default_factory=list)

    @property
    def reviewed(self) -> bool:
        """True once an analyst marked the change reviewed."""
        return self.reviewed_at is not None

    def to_json(self) -> dict[str, Any]:
        """The triage as the REST API and the exports show it."""
        return {
            "change_id": self.change_id,
            "reviewed": self.reviewed,
            "reviewed_at": utc_z(self.reviewed_at),
            "reviewer": self.reviewer,
            "labels": self.labels,
            "notes": [note_json(n) for n in self.notes],
        }


def note_json(note: ChangeNote) -> dict[str, Any]:
    """A note as JSON."""
    return {
        "id": note.id,
        "text": note.text,
        "author": note.author,
        "created_at": utc_z(note.created_at),
    }


def clean_label(label: str) -> str:
    """A label as stored: control characters dropped, spaces collapsed, lower case, ≤ 60 chars;
    ValueError when nothing is left."""
    printable = "".join(
        " " if ch.isspace() else ch
        for ch in label
        if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    cleaned = " ".join(printable.split()).casefold()[:MAX_LABEL].strip()
    if not cleaned:
        raise ValueError("a label needs at least one visible character")
    return cleaned


def _require(db: Session, change_id: int) -> None:
    if db.get(Change, change_id) is None:
        raise UnknownChange(f"no change {change_id}")


def set_reviewed(db: Session, *, change_id: int, reviewed: bool, reviewer: str = "") -> None:
    """Mark a change reviewed (keeping the first review's time) or not reviewed."""
    _require(db, change_id)
    existing = db.get(ChangeReview, change_id)
    if reviewed and existing is None:
        db.add(ChangeReview(change_id=change_id, reviewer=reviewer))
    elif not reviewed and existing is not None:
        db.delete(existing)
    db.flush()


def set_labels(db: Session, *, change_id: int, labels: Iterable[str]) -> list[str]:
    """Replace a change's labels; returns them as stored, sorted."""
    _require(db, change_id)
    wanted = sorted({clean_label(label) for label in labels})
    current = set(
        db.exec(select(ChangeLabel.label).where(ChangeLabel.change_id == change_id)).all()
    )
    gone = current - set(wanted)
    if gone:
        db.execute(
            delete(ChangeLabel).where(
                col(ChangeLabel.change_id) == change_id, col(ChangeLabel.label).in_(gone)
            )
        )
    for label in wanted:
        if label not in current:
            db.add(ChangeLabel(change_id=change_id, label=label))
    db.flush()
    return wanted


def add_label(db: Session, *, change_id: int, label: str) -> list[str]:
    """Add one label to a change; returns its labels."""
    current = triage_for(db, change_ids=[change_id]).get(change_id, Triage(change_id)).labels
    return set_labels(db, change_id=change_id, labels=[*current, label])


def add_note(db: Session, *, change_id: int, text: str, author: str = "") -> ChangeNote:
    """Add a note to a change (blank notes are refused with ValueError)."""
    _require(db, change_id)
    body = text.strip()
    if not body:
        raise ValueError("a note cannot be empty")
    if len(body) > MAX_NOTE:
        raise ValueError(f"a note is at most {MAX_NOTE} characters")
    note = ChangeNote(change_id=change_id, text=body, author=author.strip()[:100])
    db.add(note)
    db.flush()
    return note


def triage_for(db: Session, *, change_ids: Sequence[int]) -> dict[int, Triage]:
    """The triage of each given change (three queries, whatever the number of changes)."""
    ids = list(dict.fromkeys(change_ids))
    found = {i: Triage(change_id=i) for i in ids}
    if not ids:
        return found
    for review in db.exec(select(ChangeReview).where(col(ChangeReview.change_id).in_(ids))):
        found[review.change_id].reviewed_at = review.reviewed_at
        found[review.change_id].reviewer = review.reviewer
    labels = select(ChangeLabel.change_id, ChangeLabel.label).where(
        col(ChangeLabel.change_id).in_(ids)
    )
    for change_id, label in db.exec(labels.order_by(col(ChangeLabel.label))):
        found[change_id].labels.append(label)
    notes = select(ChangeNote).where(col(ChangeNote.change_id).in_(ids))
    for note in db.exec(notes.order_by(col(ChangeNote.created_at), col(ChangeNote.id))):
        found[note.change_id].notes.append(note)
    return found


def label_counts(db: Session) -> list[tuple[str, int]]:
    """Every label in use with how many changes carry it, most used first."""
    query = (
        select(ChangeLabel.label, func.count())
        .group_by(col(ChangeLabel.label))
        .order_by(func.count().desc(), col(ChangeLabel.label))
    )
    return [(label, int(count)) for label, count in db.exec(query)]


def get_triage(db: Session, *, change_id: int) -> Triage:
    """The triage of one change; UnknownChange when there is no such change."""
    _require(db, change_id)
    return triage_for(db, change_ids=[change_id])[change_id]
