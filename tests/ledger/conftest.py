"""Writing import files in tmp_path: CSV text exactly as given, XLSX from rows of Python values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

CUSTOMERS_CSV = (
    "customer_id,name,email,contact_name,language,country,timezone,segment,tags\n"
    "C1,Boulangerie Martin,compta@martin.example,Camille Martin,fr,FR,Europe/Paris,smb,bakery;paris\n"
    "C2,Acme Ltd,ap@acme.example,John Smith,en,GB,Europe/London,key,\n"
)


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[[str, Sequence[Sequence[Any]]], Path]:
    def write(name: str, rows: Sequence[Sequence[Any]]) -> Path:
        from openpyxl import Workbook

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        for row in rows:
            sheet.append(list(row))
        path = tmp_path / name
        workbook.save(path)
        return path

    return write
