"""Files that hold keys (WhatsApp Web sessions: whoever copies one is logged in as the
business number) are kept owner-only: folders 0700, files 0600. Created that way, and
checked (and fixed) at start-up in case they were copied in or made by an older version."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> None:
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
        path.chmod(DIR_MODE)


def create_private_file(path: Path) -> None:
    """Create `path` empty and owner-only if it does not exist (SQLite accepts an empty file
    as a new database, and gives its journals the same mode)."""
    ensure_private_dir(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))


def secure_tree(root: Path) -> list[Path]:
    """Make `root` and everything under it owner-only; returns what had to be fixed."""
    ensure_private_dir(root)
    fixed = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            if path.is_symlink():
                continue
            wanted = DIR_MODE if path.is_dir() else FILE_MODE
            if stat.S_IMODE(path.stat().st_mode) != wanted:
                path.chmod(wanted)
                fixed.append(path)
    if fixed:
        log.warning(
            "%s: %d session files or folders were readable by others; now owner-only",
            root,
            len(fixed),
        )
    return fixed
