"""Job functions. Each takes plain JSON and is safe to run more than once."""

from __future__ import annotations

import logging
from typing import Any

from crm_core.db import transaction
from crm_core.prospects import create_prospect_from_submission
from worker.runtime import session_factory

log = logging.getLogger(__name__)


def process_submission(payload: dict[str, Any]) -> dict[str, Any]:
    """Turn one accepted submission into its prospect. Database errors propagate
    so RQ retries the job with backoff; a re-run finds the prospect and stops."""
    with transaction(session_factory()) as session:
        created = create_prospect_from_submission(session, payload)
    if created:
        log.info("prospect created for submission %s", payload["submission_id"])
    else:
        log.info("submission %s already processed; nothing to do", payload["submission_id"])
    return {"created": created}
