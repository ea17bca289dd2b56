"""Prefect flows and tasks (orchestration only)."""

import os

# A Prefect worker imports flows/ without the claimwatch package: telemetry off here too (the
# temporary server a flow starts without PREFECT_API_URL would try to send it).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
