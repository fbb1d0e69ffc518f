"""The embedded default: one laptop, SQLite, demonstration data."""

from .base import *  # noqa: F403
from .base import SECRET_KEY as _SECRET_KEY

# A fixed development key is acceptable only here: production refuses to start without one.
SECRET_KEY = _SECRET_KEY or "homeward-local-development-key-not-for-production"
DEBUG = False
