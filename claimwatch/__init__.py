"""claimwatch: monitor health-blog articles, archive every version, diff claims and references."""

import os

# No internet here or at many users' sites: Prefect's telemetry would only log errors.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Prefect gives its temporary server 20 s to start; on a busy 2-core machine (load 7) it took
# longer and `claimwatch demo` / `run` failed before checking anything. A slow start beats none.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

__version__ = "0.1.0"
