"""Sample ledgers and the committed workbooks, built by code (the generator and the workbook builders)."""
