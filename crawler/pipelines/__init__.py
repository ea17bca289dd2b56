"""Item pipelines, one job each: archive.py writes WARC records, capture.py the database rows."""
