"""A webhook receiver that verifies Leadcapture's signatures — standard
library only, so it runs anywhere Python 3.9+ does:

    WEBHOOK_SECRET=whsec_... python docs/webhook_receiver.py 8080

then add ``http://<this host>:8080/`` as an endpoint in Leadcapture's admin
(Webhooks). Every request is checked the Standard Webhooks way:

1. ``webhook-timestamp`` is within 5 minutes of now (a replayed old request fails);
2. ``webhook-signature`` holds ``v1,<base64 HMAC-SHA256>`` of
   ``"{webhook-id}.{webhook-timestamp}.{raw body}"``, keyed with the base64
   decoding of the secret after ``whsec_`` (compared in constant time; while a
   secret is rotated the header may carry several, space-separated);
3. ``webhook-id`` (the event id, the same on every retry) was not seen before:
   a retry of a delivery that already arrived is answered 200 and dropped.

Answer 2xx quickly (within 15 s); anything else, or no answer, is retried
(5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h). Answer 410 to make
Leadcapture stop sending to this URL."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 5 * 60


class InvalidSignature(Exception):
    pass


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> dict:
    """The event (parsed body) if the request is genuine; raises ``InvalidSignature`` otherwise."""
    msg_id = headers.get("webhook-id", "")
    timestamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (msg_id and timestamp.isdigit() and signatures):
        raise InvalidSignature("missing webhook-id, webhook-timestamp or webhook-signature")
    if abs((time.time() if now is None else now) - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidSignature("timestamp too far from now")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return json.loads(body)
    raise InvalidSignature("no matching v1 signature")


def main() -> None:
    secret = os.environ["WEBHOOK_SECRET"]
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8080
    seen: set[str] = set()  # use your database in real life

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                event = verify(secret, headers, body)
            except InvalidSignature as exc:
                self.send_response(401)
                self.end_headers()
                self.wfile.write(str(exc).encode())
                return
            if event["id"] not in seen:
                seen.add(event["id"])
                print(event["type"], json.dumps(event["data"], ensure_ascii=False), flush=True)
            self.send_response(204)
            self.end_headers()

    print(f"listening on :{port}", flush=True)
    ThreadingHTTPServer(("", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
