"""claimwatch: monitor health-blog articles, archive every version, diff claims and references."""

import os

# No internet here or at many users' sites: Prefect's telemetry would only log errors.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

__version__ = "0.1.0"
