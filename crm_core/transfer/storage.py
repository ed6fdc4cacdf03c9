"""Where uploaded import files and prepared exports are kept: under the ``UPLOAD_DIR``
setting (``imports/`` and ``exports/``), named by random tokens so no name a person chose
ever reaches the file system. The web app and the workers must share this directory."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path

DEFAULT_DIR_NAME = "leadcapture-files"


def files_dir(upload_dir: str) -> Path:
    """The configured directory, or one in the system's temporary directory."""
    return Path(upload_dir) if upload_dir else Path(tempfile.gettempdir()) / DEFAULT_DIR_NAME


def new_path(upload_dir: str, kind: str, suffix: str) -> Path:
    """A fresh file path under ``<dir>/<kind>/`` (the directory is created)."""
    folder = files_dir(upload_dir) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{secrets.token_hex(16)}{suffix}"
