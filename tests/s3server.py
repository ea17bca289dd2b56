"""A real S3-compatible server on 127.0.0.1 for tests: moto's standalone server, in a thread."""

from __future__ import annotations

import uuid
from types import TracebackType

# moto accepts any credentials; these are what the tests export as AWS_* variables.
ACCESS_KEY = "claimwatch-test-key"
SECRET_KEY = "claimwatch-test-secret"
REGION = "us-east-1"


class S3Server:
    """moto's S3 server on a free port of 127.0.0.1; `new_bucket()` gives each test its own."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer  # imported here: moto takes ~1 s to import

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""

    def __enter__(self) -> S3Server:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.stop()

    def client(self):  # type: ignore[no-untyped-def]
        """A boto3 S3 client on this server (to inspect or damage what claimwatch stored)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def new_bucket(self) -> str:
        """Create an empty bucket with a fresh name; its name."""
        name = f"claimwatch-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        """Every object key in `bucket`, sorted."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))
