"""``embed/embed.js`` is exactly the build of ``embed/embed.src.js`` (and
``embed.css``): an edit to the source without a rebuild, or a hand edit of the
built file, fails here instead of shipping a snippet nobody reviewed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.availability import missing

EMBED = Path(__file__).parent.parent / "embed"


def test_embed_js_is_the_build_of_its_source(tmp_path: Path) -> None:
    if shutil.which("npx") is None or shutil.which("node") is None:
        missing("Node.js (node, npx) is needed to rebuild embed.js")
    built = tmp_path / "embed.js"
    result = subprocess.run(
        ["sh", str(EMBED / "dev" / "build.sh"), str(built)], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert built.read_bytes() == (EMBED / "embed.js").read_bytes(), (
        "embed/embed.js is not the build of embed/embed.src.js: run sh embed/dev/build.sh and commit it"
    )
