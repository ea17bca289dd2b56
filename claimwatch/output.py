"""Render listings as a Rich table, JSON or CSV (the --format option of every listing)."""

from __future__ import annotations

import csv
import json
import re
import sys
import textwrap
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.console import Console

from analysis.terminal import terminal_text


class ListFormat(StrEnum):
    """Formats every listing offers."""

    table = "table"
    json = "json"
    csv = "csv"


console = Console()
err_console = Console(stderr=True)


def emit(
    rows: Sequence[dict[str, Any]],
    fmt: ListFormat,
    *,
    columns: Sequence[str],
    title: str = "",
) -> None:
    """Print rows: a table shows `columns`, JSON and CSV carry every field."""
    if fmt == ListFormat.json:
        sys.stdout.write(json.dumps(list(rows), indent=2, ensure_ascii=False, default=str) + "\n")
    elif fmt == ListFormat.csv:
        fields = list(dict.fromkeys(k for row in rows for k in row)) or list(columns)
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _flat(v) for k, v in row.items()})
    else:
        sys.stdout.write(table_text(rows, columns=columns, title=title, width=console.width))


def table_text(
    rows: Sequence[dict[str, Any]], *, columns: Sequence[str], title: str = "", width: int = 80
) -> str:
    """Rows as a plain text table of `columns` that fits `width`: scraped strings made inert,
    URLs shortened in the middle (host and slug stay), long text folded over lines, times to
    the minute."""
    # Written out by hand rather than with rich's Table: rich measured every cell of every
    # row (9 s for 4,000 changes) and read "[...]" in scraped text as its markup.
    cells = [[_table_cell(c, row.get(c)) for c in columns] for row in rows]
    headers = [c.replace("_", " ") for c in columns]
    # A header folds between its words ("last checked at" over three lines if need be).
    shortest = [max(cell_len(word) for word in h.split()) for h in headers]
    natural = [
        max([shortest[i], *(cell_len(line[i]) for line in cells)]) for i in range(len(headers))
    ]
    gaps = _GAP * (len(columns) - 1)
    # Text columns can fold: they claim at most _FOLD_AT characters before URLs get their room.
    fixed = sum(
        min(n, max(_FOLD_AT, least))
        for c, n, least in zip(columns, natural, shortest, strict=True)
        if c not in URL_COLUMNS
    )
    urls = [c for c in columns if c in URL_COLUMNS]
    room = max(12, (width - gaps - fixed) // max(1, len(urls)))
    widths = list(natural)
    for i, column in enumerate(columns):
        if column in URL_COLUMNS and natural[i] > room:
            widths[i] = max(room, shortest[i])
            for line in cells:
                line[i] = middle(line[i], widths[i])
    # Too wide still: fold the text columns (wider than _SHORT), narrowing the widest one
    # character at a time (so they end alike) down to 12; if that is not enough, any column
    # down to its longest word (a time then folds at its space).
    excess = sum(widths) + gaps - width
    longest_word = [
        max([shortest[i], *(cell_len(w) for line in cells for w in line[i].split())])
        for i in range(len(columns))
    ]
    for floor in (
        [max(12, least) if n > _SHORT else n for n, least in zip(natural, shortest, strict=True)],
        longest_word,
    ):
        while excess > 0:
            foldable = [
                i for i, c in enumerate(columns) if c not in URL_COLUMNS and widths[i] > floor[i]
            ]
            if not foldable:
                break
            widths[max(foldable, key=lambda i: widths[i])] -= 1
            excess -= 1
    out = [title.center(sum(widths) + gaps).rstrip()] if title else []
    out.extend(_folded(headers, widths))
    out.append("─" * (sum(widths) + gaps))
    for line in cells:
        out.extend(_folded(line, widths))
    return "\n".join(out) + "\n"


_GAP = 2  # spaces between columns
_FOLD_AT = 20
_SHORT = 16


def _line(texts: Sequence[str], widths: Sequence[int]) -> str:
    padded = [set_cell_size(t, w) for t, w in zip(texts, widths, strict=True)]
    return (" " * _GAP).join(padded).rstrip()


def _folded(line: Sequence[str], widths: Sequence[int]) -> list[str]:
    """One row over as many lines as its longest folded cell needs."""
    parts = [_fold(text, w) for text, w in zip(line, widths, strict=True)]
    height = max(len(p) for p in parts)
    return [_line([p[k] if k < len(p) else "" for p in parts], widths) for k in range(height)]


def _fold(text: str, width: int) -> list[str]:
    if cell_len(text) <= width:
        return [text]
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _table_cell(column: str, value: Any) -> str:
    text = " ".join(terminal_text(_cell(value)).split())
    if _MOMENT.match(text):
        return text[:10] + " " + text[11:16]
    return text


_SCHEME = re.compile(r"^https?://")
_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")


URL_COLUMNS = {"url", "site", "channel", "final_url"}


def middle(text: str, width: int) -> str:
    """`text` cut to `width` characters by an ellipsis in its middle (a URL that does not fit
    loses its scheme first)."""
    if len(text) <= width:
        return text
    text = _SCHEME.sub("", text)
    if len(text) <= width:
        return text
    head = (width - 1) // 2
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


def _flat(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
