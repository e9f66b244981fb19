"""Importing customers, invoices and payments from CSV or XLSX: read, check every row, plan, then write
everything in one transaction or nothing. The entry points are `relance.ledger.actions.do_import` and
`do_import_rows`."""

from relance.ledger.importing.report import ImportReport, RowError
from relance.ledger.importing.rows import KINDS

__all__ = ["KINDS", "ImportReport", "RowError"]
