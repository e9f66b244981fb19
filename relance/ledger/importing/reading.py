"""CSV and XLSX files read into rows of text, numbered the way a spreadsheet numbers them.

CSV: UTF-8 with or without a byte-order mark; the separator, `,` or `;`, is taken from the header line
(a header holding both is refused: we do not guess). XLSX: the first sheet; real Excel dates become
`YYYY-MM-DD`, numeric cells become plain numbers (`1234.5`, `1001`). The header is line 1, the first data
row line 2.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from relance.engine.errors import InvalidInput
from relance.ledger.importing.report import RowError

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SEPARATORS = (",", ";")
_QUOTED = re.compile(r'"[^"]*"')
_FIRST_LINE = re.compile(r"[^\r\n]*")


class FileProblem(Exception):
    """The file's content cannot be read as a table: reported like a bad row, at the line where it happens."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.reason)
        self.error = error


@dataclass
class Sheet:
    header: list[str]
    # (line, cells) for every row after the header, blank rows included.
    rows: Iterator[tuple[int, list[str]]]


def read_sheet(path: Path) -> Sheet:
    """The table in `path`. InvalidInput when there is no readable file; FileProblem when its content is not a
    table we can read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path}: no such file") from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(path)
    if data.startswith(XLS_MAGIC):
        raise InvalidInput(f"{path}: an old Excel .xls file: save it as .xlsx or as CSV UTF-8")
    return read_csv_text(decode(data))


def decode(data: bytes) -> str:
    if data.startswith(UTF16_BOMS):
        raise FileProblem(RowError(1, "", "", "the file is UTF-16 text: save it as 'CSV UTF-8'"))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        byte = data[exc.start : exc.start + 1].hex()
        reason = f"not UTF-8 text (byte 0x{byte}): save the file as 'CSV UTF-8' (Excel: Save As, CSV UTF-8)"
        raise FileProblem(RowError(line, "", "", reason)) from exc


def detect_separator(header_line: str) -> str:
    bare = _QUOTED.sub("", header_line)
    found = [sep for sep in SEPARATORS if sep in bare]
    if len(found) > 1:
        reason = "the header line holds both ',' and ';': keep one of them as the separator"
        raise FileProblem(RowError(1, "", header_line.strip(), reason))
    return found[0] if found else ","


def read_csv_text(text: str) -> Sheet:
    if not text.strip():
        raise FileProblem(RowError(1, "", "", "the file is empty: expected a header line of column names"))
    first_line = _FIRST_LINE.match(text)
    separator = detect_separator(first_line.group() if first_line else "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileProblem(RowError(1, "", "", f"unreadable CSV header: {exc}")) from exc
    return Sheet(header=header, rows=_csv_rows(reader))


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    line = 1
    try:
        for line, cells in enumerate(reader, start=2):
            yield line, cells
    except csv.Error as exc:
        raise FileProblem(RowError(line + 1, "", "", f"unreadable CSV: {exc}")) from exc


def read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # Workbooks carry features openpyxl does not read (data validation, styles): only values matter.
            warnings.simplefilter("ignore")
            workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InvalidInput(f"{path}: not a readable XLSX workbook ({exc})") from exc
    rows = _xlsx_rows(workbook)
    first = next(rows, None)
    if first is None:
        workbook.close()
        raise FileProblem(
            RowError(1, "", "", "the first sheet is empty: expected a header row of column names")
        )
    return Sheet(header=first[1], rows=rows)


def _xlsx_rows(workbook: object) -> Iterator[tuple[int, list[str]]]:
    sheet = workbook.worksheets[0]  # type: ignore[attr-defined]
    try:
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            while cells and cells[-1] == "":
                cells.pop()
            yield line, cells
    finally:
        workbook.close()  # type: ignore[attr-defined]


def cell_text(value: object) -> str:
    """An XLSX cell as the text a user would have typed in a CSV file."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # What Excel shows: 15 significant digits, so a computed 1234.5600000000002 reads 1234.56.
        text = f"{value:.15g}"
        return repr(value) if "e" in text else text
    return str(value)
