"""Files the service writes are its own: sessions, job records and videos hold a person's listening.

A umask of 077 makes every file and folder the process creates (DuckDB files, job records, ffmpeg's
output, scratch folders) readable by the service's user only: 0600 files in 0700 folders. The
umask cannot tighten a folder that already exists (a Docker volume, a folder an operator made), so
UPLOAD_DIR is also set to 0700 itself.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FOLDER_MODE = 0o700
log = logging.getLogger(__name__)


def keep_new_files_private() -> None:
    """Make every file and folder this process creates from now on private to its user."""
    os.umask(PRIVATE_UMASK)


def make_folder_private(folder: Path) -> None:
    """Create the folder if needed and set it to 0700; a folder owned by someone else is only logged."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        folder.chmod(PRIVATE_FOLDER_MODE)
    except PermissionError:
        log.warning("Cannot make the storage folder private (it belongs to another user); "
                    "give it to the service's user or set its mode to 0700")
