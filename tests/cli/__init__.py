"""Tests of the command line (xlsbridge/cli), end to end on real files."""
