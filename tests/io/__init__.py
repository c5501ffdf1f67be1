"""Tests of xlsbridge/io."""
