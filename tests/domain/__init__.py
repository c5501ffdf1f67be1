"""Tests of xlsbridge/domain."""
