"""gunicorn settings for ``leadcapture serve``: production's (``capture.gunicorn_conf``)
with what differs on a newcomer's machine. ``serve`` sets the bind address,
2 workers, 4 threads and no access log through the GUNICORN_* variables that
the production config reads; this module adds only what has no variable."""

from __future__ import annotations

from capture.gunicorn_conf import *  # noqa: F403 (the production settings and hooks, unchanged)

# The terminal shows the banner and one line per submission; gunicorn's start-up
# and worker-boot lines stay out of it (its warnings and errors do not).
loglevel = "warning"
# gunicorn >= 25.1 opens a control socket at one per-user path
# ($XDG_RUNTIME_DIR/gunicorn.ctl); nothing here uses it, and two instances would
# share it. Older gunicorn ignores a setting it does not know.
control_socket_disable = True
