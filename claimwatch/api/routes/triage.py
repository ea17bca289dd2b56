"""Triage in the REST API: a change's review state, labels and notes.

Mounted under /api/v1 by create_app. Writes need the API's token check once it lands
(branch api): add it to `router`'s dependencies there, like the other write routes.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from storage.db import session
from storage.triage import (
    UnknownChange,
    add_note,
    get_triage,
    label_counts,
    set_labels,
    set_reviewed,
)

router = APIRouter(tags=["triage"])


class Note(BaseModel):
    """A note on a change."""

    id: int
    text: str
    author: str
    created_at: datetime


class TriageOut(BaseModel):
    """What analysts recorded about a change."""

    change_id: int
    reviewed: bool
    reviewed_at: datetime | None
    reviewer: str
    labels: list[str]
    notes: list[Note]


class ReviewIn(BaseModel):
    """Mark reviewed (true) or not (false)."""

    reviewed: bool = True
    reviewer: str = Field(default="", max_length=100)


class LabelsIn(BaseModel):
    """The complete set of labels the change should carry."""

    labels: list[str] = Field(max_length=50)


class NoteIn(BaseModel):
    """A new note."""

    text: str = Field(min_length=1, max_length=10_000)
    author: str = Field(default="", max_length=100)


class LabelCount(BaseModel):
    """A label in use and how many changes carry it."""

    label: str
    changes: int


def _triage(change_id: int) -> TriageOut:
    with session() as db:
        return TriageOut.model_validate(get_triage(db, change_id=change_id).to_json())


def _missing(change_id: int) -> HTTPException:
    return HTTPException(404, f"no change {change_id}")


@router.get("/changes/{change_id}/triage", response_model=TriageOut)
def read_triage(change_id: int) -> TriageOut:
    """A change's review state, labels and notes."""
    try:
        return _triage(change_id)
    except UnknownChange:
        raise _missing(change_id) from None


@router.post("/changes/{change_id}/review", response_model=TriageOut)
def post_review(change_id: int, body: ReviewIn) -> TriageOut:
    """Mark a change reviewed or not reviewed."""
    try:
        with session() as db:
            set_reviewed(db, change_id=change_id, reviewed=body.reviewed, reviewer=body.reviewer)
    except UnknownChange:
        raise _missing(change_id) from None
    return _triage(change_id)


@router.put("/changes/{change_id}/labels", response_model=TriageOut)
def put_labels(change_id: int, body: LabelsIn) -> TriageOut:
    """Replace a change's labels."""
    try:
        with session() as db:
            set_labels(db, change_id=change_id, labels=body.labels)
    except UnknownChange:
        raise _missing(change_id) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    return _triage(change_id)


@router.post("/changes/{change_id}/notes", response_model=Note, status_code=201)
def post_note(change_id: int, body: NoteIn) -> Note:
    """Add a note to a change."""
    try:
        with session() as db:
            note = add_note(db, change_id=change_id, text=body.text, author=body.author)
            return Note.model_validate(note, from_attributes=True)
    except UnknownChange:
        raise _missing(change_id) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/labels", response_model=list[LabelCount])
def get_labels() -> list[LabelCount]:
    """Every label in use, most used first."""
    with session() as db:
        return [LabelCount(label=label, changes=n) for label, n in label_counts(db)]
