"""The WhatsApp Web tests need neonize (the `web` extra, also in `dev`); without it they
are not collected rather than failing on import."""

from __future__ import annotations

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("neonize") else ["test_*.py"]
