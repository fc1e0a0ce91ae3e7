"""Report tables as CSV (stdlib `csv`): one line per row, nested figures flattened into
columns (`firstResponseMedianSeconds`, ...), the column names the JSON's."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

# A spreadsheet runs a cell starting with one of these as a formula (a person's or an
# area's name could): written with a leading apostrophe, which spreadsheets show as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _flat(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flat(prefix + (key[:1].upper() + key[1:] if prefix else key), inner, out)
    else:
        out[prefix] = value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_START) else text


def table(rows: Sequence[BaseModel]) -> str:
    flat = []
    for row in rows:
        cells: dict[str, Any] = {}
        _flat("", row.model_dump(mode="json", by_alias=True), cells)
        flat.append(cells)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if flat:
        writer.writerow(list(flat[0]))
        writer.writerows([_cell(v) for v in cells.values()] for cells in flat)
    return buffer.getvalue()
