"""xlsbridge: Excel automation for parent-child visitation support organisations (面会交流支援)."""

__version__ = "0.1.0"
