"""Generated pages as static files served by nginx on many loopback addresses (one host each).

nginx (Debian's package: `apt-get install nginx`) runs with a configuration of its own in a
temporary prefix, one `server` per host on 127.0.0.<first + n>, the same free port on each.
It answers conditional GETs from the files' mtime and size (ETag, Last-Modified), like a blog
behind any static web server; there is no robots.txt (404).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from process_group import ProcessGroup

CONFIG = """
user {user};
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 2048; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    charset utf-8;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
{servers}
}}
"""
SERVER = "    server {{ listen {host}:{port}; root {root}; index index.html; }}"


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class NginxSites(ProcessGroup):
    """`hosts` static sites under `prefix`/www/<n>, served by one nginx process."""

    stop_signal = signal.SIGQUIT  # graceful shutdown

    def __init__(self, prefix: Path, hosts: int, first: int = 101) -> None:
        self.prefix = prefix
        self.hosts = [f"127.0.0.{first + n}" for n in range(hosts)]
        self.port = _free_port(self.hosts[0])
        self.process: subprocess.Popen[bytes] | None = None

    def root(self, n: int) -> Path:
        """The document root of host number `n`."""
        return self.prefix / "www" / str(n)

    def url(self, n: int, path: str) -> str:
        """The URL of `path` on host number `n`."""
        return f"http://{self.hosts[n]}:{self.port}{path}"

    def publish(self, pages: dict[str, tuple[bytes, str]]) -> list[str]:
        """Write `pages` round-robin over the hosts (path → …/index.html); their URLs."""
        urls = []
        for number, (path, (body, _)) in enumerate(pages.items()):
            n = number % len(self.hosts)
            file = self.root(n) / path.strip("/") / "index.html"
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(body)
            urls.append(self.url(n, path))
        return urls

    def start(self) -> NginxSites:
        """Write the configuration and start nginx in its own session; wait for its port."""
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        (self.prefix / "tmp").mkdir(parents=True, exist_ok=True)
        servers = "\n".join(
            SERVER.format(host=host, port=self.port, root=self.root(n))
            for n, host in enumerate(self.hosts)
        )
        config = self.prefix / "nginx.conf"
        # Workers as this user (root's would be nobody's, who cannot read a 0700 temporary
        # directory); nginx ignores the directive when not started by root.
        user = pwd.getpwuid(os.geteuid()).pw_name
        text = CONFIG.format(user=user, prefix=self.prefix, servers=servers)
        config.write_text(text, encoding="utf-8")
        self.process = subprocess.Popen(
            [nginx, "-p", str(self.prefix), "-c", str(config)],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited with {self.process.returncode}")
            try:
                with socket.create_connection((self.hosts[-1], self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.1)  # nothing to wait on but the port
        raise TimeoutError("nginx did not open its port")
