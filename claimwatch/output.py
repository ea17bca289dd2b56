"""Render listings as a Rich table, JSON or CSV (the --format option of every listing)."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table


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
        table = Table(
            title=title or None, box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False,
            collapse_padding=True,
        )  # fmt: skip
        # URLs are shortened in the middle (host and slug stay) to what the other columns
        # leave, rather than folded over lines; times are shown to the minute.
        cells = [[_table_cell(c, row.get(c)) for c in columns] for row in rows]
        longest = [max((len(line[i]) for line in cells), default=0) for i in range(len(columns))]
        longest = [
            max(n, *(len(word) for word in c.split("_")))
            for c, n in zip(columns, longest, strict=True)
        ]
        fixed = sum(n for c, n in zip(columns, longest, strict=True) if c not in URL_COLUMNS)
        urls = [c for c in columns if c in URL_COLUMNS]
        # Each column costs 3 characters of padding and rule beside its text.
        room = max(12, (console.width - 3 * len(columns) - fixed) // max(1, len(urls)))
        for i, column in enumerate(columns):
            header = column.replace("_", " ")
            if column in URL_COLUMNS:
                for line in cells:
                    line[i] = middle(line[i], room)
                table.add_column(header, no_wrap=True, min_width=min(longest[i], room))
            elif longest[i] <= 16:
                table.add_column(header, min_width=longest[i])
            else:
                table.add_column(header, overflow="fold")
        for line in cells:
            table.add_row(*line)
        console.print(table)


def _table_cell(column: str, value: Any) -> str:
    text = _cell(value)
    if column.endswith("_at") and _MOMENT.match(text):
        return text[:10] + " " + text[11:16]
    return text


_SCHEME = re.compile(r"^https?://")
_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


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
