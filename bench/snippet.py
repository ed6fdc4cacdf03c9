"""How heavy and how fast is the embed snippet, against the real service?

    python bench/snippet.py            # 11 runs of each
    python bench/snippet.py --quick    # 1 run
    python bench/snippet.py --runs 20

Starts the real capture app (embedded Redis, SQLite in a temporary directory,
one published form) and a host page on another origin, then loads that page in
headless Debian chromium, each run in a fresh context with the cache disabled,
and reports embed.js's compressed size and the time from the script's arrival
to an interactive form (see bench/README.md, "Snippet").

The baseline, loaded in turn with the snippet in the same run, is the floor any
embed script has on this browser and machine: a 0.4 KB script from the same
server that builds the same five fields from a definition written into it (no
request, no validation, no styles)."""

from __future__ import annotations

import argparse
import gzip
import logging
import os
import secrets
import statistics
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server

from capture.app import create_app
from capture.embedded_redis import EmbeddedRedis, free_port
from capture.public.form_cache import publish
from crm_core.db import make_engine, make_session_factory, transaction
from crm_core.forms.definition import form_definition
from crm_core.forms.services import create_form
from crm_core.lists.services import ensure_default_lists
from crm_core.migrate import upgrade
from crm_core.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

from services import FORM_CONFIG

CHROMIUM = os.environ.get("LEADCAPTURE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BUDGET = 5120

# Host-page instrumentation, run before any page script: every shadow root the
# snippet attaches is watched, and the first moment its form's first input can
# take focus is recorded. MutationObserver callbacks run right after the
# snippet's DOM work, so no polling delay is added.
PROBE = """
window.__lc = {};
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  __lc.attach = __lc.attach || performance.now();
  const root = attach.call(this, init);
  const check = () => {
    const input = root.querySelector('form input:not([type=hidden]):not([tabindex="-1"]), form textarea');
    if (!input || __lc.ready) return;
    input.focus();
    if (root.activeElement === input) { __lc.ready = performance.now(); observer.disconnect(); }
  };
  const observer = new MutationObserver(check);
  observer.observe(root, { childList: true, subtree: true });
  return root;
};
"""


# The floor: the least an embed script can do. Same fields, built from an
# inline definition, in an open shadow root (so the same probe times it).
FLOOR_JS = b"""(() => {
  const d = document, s = d.currentScript, host = d.createElement('div');
  s.after(host);
  const form = d.createElement('form');
  for (const [label, tag] of [['Name', 'input'], ['Email', 'input'], ['Phone', 'input'], ['Company', 'input'], ['Message', 'textarea']]) {
    const l = d.createElement('label');
    l.textContent = label;
    form.append(l, d.createElement(tag));
  }
  const b = d.createElement('button');
  b.textContent = 'Send';
  form.append(b);
  host.attachShadow({ mode: 'open' }).append(form);
})();
"""
FLOOR_PATH = "/bench-floor.js"


def host_page(script_url: str, key: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title></head><body>'
        "<h1>Acme</h1><p>Any website.</p>"
        f'<script id="lc" src="{script_url}" data-form="{key}" async'
        ' onload="__lc.load = performance.now()"></script>'
        "</body></html>"
    )


def with_floor_script(app: Callable[..., Any]) -> Callable[..., Any]:
    """The app, plus the floor script at FLOOR_PATH (bench only)."""

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ["PATH_INFO"] != FLOOR_PATH:
            return app(environ, start_response)
        start_response("200 OK", [("Content-Type", "application/javascript"), ("Cache-Control", "no-store")])
        return [FLOOR_JS]

    return wsgi


class Server:
    def __init__(self, app: Callable[..., Any], host: str, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        self._server = make_server(host, self.port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._thread.join(5)


@contextmanager
def service(workdir: Path) -> Iterator[tuple[str, str]]:
    """The real app with one form; yields (base URL, form key)."""
    redis_server = EmbeddedRedis(workdir / "redis").start()
    database_url = f"sqlite:///{workdir / 'leadcapture.db'}"
    upgrade(database_url)
    port = free_port()
    settings = Settings(
        database_url=database_url,
        redis_url=redis_server.url,
        secret_key=secrets.token_urlsafe(48),
        public_base_url=f"http://127.0.0.1:{port}",
        environment="development",
    )
    app = create_app(settings)
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as session:
            ensure_default_lists(session)
            # The bench form, allowed on the host page's origin.
            form = create_form(session, {**FORM_CONFIG, "allowed_domains": ["localhost"]})
            definition = form_definition(form)
        publish(app.extensions["lc_redis"], definition)
        with Server(with_floor_script(app), "127.0.0.1", port) as server:
            yield server.url, definition["key"]
    finally:
        engine.dispose()
        app.extensions["lc_redis"].close()
        app.extensions["lc_engine"].dispose()
        redis_server.stop()


def static_site(pages: dict[str, bytes]) -> Callable[..., list[bytes]]:
    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = pages.get(environ["PATH_INFO"])
        if body is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        start_response(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
        )
        return [body]

    return wsgi


def measure(browser: Any, page_url: str, script_url: str, definition_url: str | None) -> dict[str, float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.add_init_script(PROBE)
        page.goto(page_url)
        page.wait_for_function("window.__lc.ready && window.__lc.load", timeout=15_000)
        mark = page.evaluate(
            """([script, definition]) => {
              const s = performance.getEntriesByName(script)[0], d = definition && performance.getEntriesByName(definition)[0];
              return {...__lc, fetch: s.fetchStart, arrived: s.responseEnd, defStart: d && d.startTime, defEnd: d && d.responseEnd};
            }""",
            [script_url, definition_url],
        )
    finally:
        context.close()
    times = {
        "script responseEnd → interactive": mark["ready"] - mark["arrived"],
        "script load event → interactive": mark["ready"] - mark["load"],
        "script request → interactive": mark["ready"] - mark["fetch"],
        "page navigation → interactive": mark["ready"],
        "  responseEnd → shadow root attached": mark["attach"] - mark["arrived"],
    }
    if definition_url:
        times["  definition request starts (after responseEnd)"] = mark["defStart"] - mark["arrived"]
        times["  definition fetch (/f/KEY.json)"] = mark["defEnd"] - mark["defStart"]
        times["  definition arrived → interactive"] = mark["ready"] - mark["defEnd"]
    return times


def sizes(script: bytes) -> list[tuple[str, str]]:
    rows = [
        ("embed.js raw", f"{len(script)} B"),
        ("embed.js gzip -9", f"{len(gzip.compress(script, 9))} B (budget {BUDGET} B)"),
    ]
    try:
        import brotli
    except ImportError:
        rows.append(("embed.js brotli -11", "skipped (pip install brotli)"))
    else:
        rows.append(("embed.js brotli -11", f"{len(brotli.compress(script, quality=11))} B"))
    return rows


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.0f}-{max(values):.0f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one run only")
    parser.add_argument("--runs", type=int, default=11, help="page loads to time, each (default 11)")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else max(1, args.runs)
    if not Path(CHROMIUM).exists():
        print(f"no chromium at {CHROMIUM}; set LEADCAPTURE_CHROMIUM", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request

    samples: dict[str, dict[str, list[float]]] = {"snippet": {}, "floor": {}}
    with tempfile.TemporaryDirectory(prefix="lc-bench-") as tmp, service(Path(tmp)) as (base, key):
        with urllib.request.urlopen(f"{base}/embed.js") as response:  # noqa: S310 - our loopback server
            script = response.read()
        pages: dict[str, bytes] = {}
        with Server(static_site(pages), "localhost") as host, sync_playwright() as playwright:
            pages["/snippet.html"] = host_page(f"{base}/embed.js", key).encode()
            pages["/floor.html"] = host_page(f"{base}{FLOOR_PATH}", key).encode()
            urls = {
                "snippet": (f"{host.url}/snippet.html", f"{base}/embed.js", f"{base}/f/{key}.json"),
                "floor": (f"{host.url}/floor.html", f"{base}{FLOOR_PATH}", None),
            }
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                for which in urls.values():
                    measure(browser, *which)  # warm-up: not counted
                for run in range(runs):
                    # Taking turns, in alternating order, so host noise hits both alike.
                    for which in sorted(urls, reverse=bool(run % 2)):
                        for name, value in measure(browser, *urls[which]).items():
                            samples[which].setdefault(name, []).append(value)
            finally:
                browser.close()

    print(f"Leadcapture snippet — {runs} run(s) each, headless chromium, cache disabled, loopback\n")
    rows = sizes(script)
    width = max(len(name) for name in [n for n, _ in rows] + list(samples["snippet"]))
    print(f"{'size':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print(
        f"\n{'time (ms), median (min-max)':<{width}}  {'snippet':>19}  {'floor':>19}  {'snippet - floor':>15}"
    )
    for name, values in samples["snippet"].items():
        floor = samples["floor"].get(name)
        cells = [_spread(values), _spread(floor) if floor else "", ""]
        if floor:
            cells[2] = f"{statistics.median(values) - statistics.median(floor):.1f}"
        print(f"{name:<{width}}  {cells[0]:>19}  {cells[1]:>19}  {cells[2]:>15}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
