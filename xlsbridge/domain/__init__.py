"""The functional core: pure rules over pydantic models, no file or Excel access."""

from . import catalog as _catalog  # noqa: F401  (registers every finding type)
