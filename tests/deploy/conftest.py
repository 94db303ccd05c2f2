"""deploy/nginx run for real: Debian's nginx, as the test user, on a temporary prefix.

The site file is included unchanged from deploy/; only what deploy/nginx/bidgram.conf
itself leaves to each host (its two included files) and the main nginx.conf around it
are written here. Without nginx the tests that need it fail and say how to get it;
they never skip (as the browser tests with Chromium).
"""

from __future__ import annotations

import asyncio
import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.test_scale_out import free_port
from tests.tls import Certificate

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "bidgram.conf"
EXAMPLE_BACKENDS = ROOT / "deploy" / "nginx" / "bidgram" / "backends.conf"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
START_TIMEOUT = 20.0


@pytest.fixture(scope="session")
def nginx_binary() -> str:
    if os.path.isfile(NGINX) and os.access(NGINX, os.X_OK):
        return NGINX
    found = shutil.which("nginx")
    if found is None:
        pytest.fail(
            f"nginx is not installed at {NGINX}: the front-door test runs deploy/nginx in it. "
            "Install it with `apt-get install -y nginx` (or `make nginx`), or point NGINX at "
            "an nginx binary.",
            pytrace=False,
        )
    return found


@dataclass
class Nginx:
    port: int
    prefix: Path
    proc: asyncio.subprocess.Process

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def log(self, name: str) -> list[str]:
        path = self.prefix / name
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def logs(self) -> str:
        parts = []
        for name in ("error.log", "access.log", "output.log"):
            path = self.prefix / name
            if path.exists():
                parts.append(f"--- nginx {name}\n{path.read_text(errors='replace')}")
        return "\n".join(parts)


def backends(ports: list[int]) -> str:
    """The shipped example's server lines, with these ports (its parameters kept)."""
    lines = re.findall(r"^server 127\.0\.0\.1:\d+ .*;$", EXAMPLE_BACKENDS.read_text(), re.M)
    assert len(lines) == len(ports), "deploy/nginx/bidgram/backends.conf changed shape"
    return "".join(
        re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", line) + "\n"
        for line, port in zip(lines, ports, strict=True)
    )


def main_conf(prefix: Path) -> str:
    """A minimal nginx.conf that includes the shipped site, everything in ``prefix``."""
    user = ""
    if os.geteuid() == 0:  # workers would switch to nobody: keep them the test's user
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    temp = prefix / "temp"
    return f"""{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{ worker_connections 256; }}
http {{
    log_format upstreams '$remote_addr "$request" $status upstream=$upstream_addr '
                         'upstream_status=$upstream_status $request_time';
    access_log {prefix}/access.log upstreams;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {SITE};
}}
"""


@contextlib.asynccontextmanager
async def running_nginx(
    binary: str, prefix: Path, ports: list[int], certificate: Certificate
) -> AsyncIterator[Nginx]:
    """nginx in the foreground (``daemon off``) in front of ``ports``, until the block ends."""
    port = free_port()
    (prefix / "bidgram").mkdir(parents=True)
    (prefix / "temp").mkdir()
    (prefix / "bidgram" / "backends.conf").write_text(backends(ports))
    (prefix / "bidgram" / "listen.conf").write_text(
        f"listen 127.0.0.1:{port} ssl;\n"
        "server_name bidgram.example;\n"
        f"ssl_certificate {certificate.cert};\n"
        f"ssl_certificate_key {certificate.key};\n"
    )
    conf = prefix / "nginx.conf"
    conf.write_text(main_conf(prefix))
    with (prefix / "output.log").open("wb") as output:
        proc = await asyncio.create_subprocess_exec(
            binary,
            "-p",
            f"{prefix}/",
            "-c",
            str(conf),
            "-e",
            str(prefix / "error.log"),
            "-g",
            "daemon off;",
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
        )
    nginx = Nginx(port, prefix, proc)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                if proc.returncode is not None or loop.time() > deadline:
                    pytest.fail(f"nginx did not start:\n{nginx.logs()}", pytrace=False)
                await asyncio.sleep(0.1)
                continue
            writer.close()
            break
        yield nginx
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGQUIT)  # graceful: finish what is in flight
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
