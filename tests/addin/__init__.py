"""Tests of the add-in builder and installer (xlsbridge/addin)."""
