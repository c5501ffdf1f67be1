"""Tests of the ribbon entry points (xlsbridge/excel) through xlwings' remote engine."""
