# Scrapy settings for claimwatch, from Scrapy's project template; values that an operator may
# change come from storage.settings (env CLAIMWATCH_*).
#
#     https://docs.scrapy.org/en/latest/topics/settings.html

from storage.settings import get_settings

_settings = get_settings()

BOT_NAME = "claimwatch"

SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

ADDONS: dict[str, int] = {}

# Crawl responsibly by identifying yourself (and your website) on the user-agent
USER_AGENT = _settings.user_agent

# Obey robots.txt rules (with Scrapy's middleware fixed for requests queued behind the fetch)
ROBOTSTXT_OBEY = _settings.obey_robots
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.robots.RobotsTxtMiddleware": 100,
    # Above RetryMiddleware (550): a refused address is named at once, never retried.
    "crawler.guard.AddressGuardMiddleware": 560,
}

# The SSRF guard (crawler/guard.py): every resolved address is checked before connecting.
TWISTED_DNS_RESOLVER = "crawler.guard.GuardedResolver"
CLAIMWATCH_ALLOW_PRIVATE_ADDRESSES = _settings.allow_private_addresses
CLAIMWATCH_ALLOWED_NETWORKS = _settings.allowed_networks

# Concurrency and throttling: many sites at once, little load on each.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = _settings.autothrottle
# Scrapy's AutoThrottle, except that a 304 may lower the delay too (crawler/throttle.py).
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.throttle.NotModifiedAwareAutoThrottle": 0,
}
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# AutoThrottle never goes below this. Switched off (local fixture sites, the demo) a small delay
# stays: with a zero delay Scrapy 2.19 starts every queued request of a slot at once (the
# per-domain limit is checked before the started downloads count), e.g. all the requests that
# waited for robots.txt.
DOWNLOAD_DELAY = 0.5 if _settings.autothrottle else 0.05

DOWNLOAD_TIMEOUT = _settings.download_timeout
DOWNLOAD_MAXSIZE = _settings.download_maxsize

# Retry what a moment may cure (timeouts, refused connections, gateway errors); a 503 or 429
# asks us to back off, so it is recorded and left to the next scheduled check.
RETRY_TIMES = 2
RETRY_HTTP_CODES = [502, 504, 522, 524, 408]
# Every HTTP status is data (404/410 mean the article is gone): the spider sees them all.
HTTPERROR_ALLOW_ALL = True

# A monitor needs no sessions, and cookies would make captures depend on earlier ones.
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's code-execution HTTP server: nothing for an unattended monitor to expose.
REMOTE_CONTROL_ENABLED = False

ITEM_PIPELINES = {
    "crawler.pipelines.archive.ArchivePipeline": 100,
    "crawler.pipelines.capture.CapturePipeline": 200,
}
CLAIMWATCH_ARCHIVE_URL = _settings.effective_archive_url
CLAIMWATCH_SPOOL_DIR = str(_settings.spool_dir)
CLAIMWATCH_DATABASE_URL = _settings.effective_database_url
# Captures are committed in batches of this many items (and at the end of the crawl).
CLAIMWATCH_COMMIT_EVERY = 50

LOG_LEVEL = "INFO"

# Set settings whose default value is deprecated to a future-proof value
FEED_EXPORT_ENCODING = "utf-8"
