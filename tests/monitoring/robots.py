"""Loopback stand-ins for the group robots: 钉钉, 企业微信 and 飞书 as HTTPS servers on 127.0.0.1,
reached through a forward proxy on loopback.

Apprise's robot plugins post to their vendor's host (https://oapi.dingtalk.com/robot/send …), written
into the plugin.  Rather than patch that, the test does what an office behind a proxy does:
HTTPS_PROXY names a proxy (here on loopback) that tunnels CONNECT oapi.dingtalk.com:443 to the
stand-in, whose certificate for oapi.dingtalk.com is issued by a test CA (trustme) that
REQUESTS_CA_BUNDLE trusts.  So the plugins run unchanged: the real URL, query, signature, TLS and
payload, and the stand-in sees exactly what the vendor would.  The proxy refuses every other host,
so nothing can leave the machine.
"""

from __future__ import annotations

import json
import select
import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import trustme

from nianbao.sample.server import Answer, Request, Site, start, stop

HOSTS = {"dingtalk": "oapi.dingtalk.com", "wecom": "qyapi.weixin.qq.com", "feishu": "open.feishu.cn"}
PATHS = {"dingtalk": "/robot/send", "wecom": "/cgi-bin/webhook/send", "feishu": "/open-apis/bot/v2/hook/"}
OK = {
    "dingtalk": b'{"errcode":0,"errmsg":"ok"}',
    "wecom": b'{"errcode":0,"errmsg":"ok"}',
    "feishu": b'{"code":0,"msg":"success","data":{}}',
}
# the secrets the tests put in the environment: distinct, so a leak of any one is found by a search
TOKENS = {
    "NIANBAO_DINGTALK_TOKEN": "d1ngta1ktoken0a9b8c7d6e5f4",
    "NIANBAO_DINGTALK_SECRET": "SECd1ngta1ksecret5e6f7a8b9",
    "NIANBAO_WECOM_KEY": "693a91f6-7d1c-4bc4-97a0-0ec2a1fa5aaa",
    "NIANBAO_FEISHU_TOKEN": "f3ishu-hook-7c1e2d3f4a5b6c7d",
}
URLS = {
    "dingtalk": "dingtalk://{NIANBAO_DINGTALK_TOKEN}/",  # a robot secured by a keyword (自定义关键词: 年报)
    "wecom": "wecombot://{NIANBAO_WECOM_KEY}",
    "feishu": "feishu://{NIANBAO_FEISHU_TOKEN}",
}

SIGNED = "dingtalk://{NIANBAO_DINGTALK_SECRET}@{NIANBAO_DINGTALK_TOKEN}/"  # a robot secured by 加签


class _Tunnel(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, routes: dict[str, int]) -> None:
        self.routes = routes
        self.refused: list[str] = []
        super().__init__(("127.0.0.1", 0), _Connect)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-tunnel is expected


class _Connect(socketserver.BaseRequestHandler):
    """CONNECT host:443 → the stand-in's loopback port; any other host or method: 403."""

    server: _Tunnel

    def handle(self) -> None:
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        host, _, port = target.rpartition(":")
        if method != "CONNECT" or port != "443" or host not in self.server.routes:
            self.server.refused.append(target)
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.server.routes[host]), timeout=10)
        except OSError:
            self.request.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with upstream:
            _pump(self.request, upstream)


def _pump(a: socket.socket, b: socket.socket, seconds: float = 30.0) -> None:
    """Copy bytes both ways until either side closes (or `seconds` of silence)."""
    peers = {a: b, b: a}
    while True:
        ready, _, _ = select.select(list(peers), [], [], seconds)
        if not ready:
            return
        for sock in ready:
            try:
                data = sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            peers[sock].sendall(data)


@dataclass
class Robots:
    """The three vendors' stand-ins (their request logs in `sites`) and the proxy before them."""

    sites: dict[str, Site]
    tunnel: _Tunnel
    ca_file: Path

    def posts(self, vendor: str) -> list[Request]:
        path = PATHS[vendor]
        return [r for r in self.sites[vendor].log if r.method == "POST" and r.path.startswith(path)]

    def payloads(self, vendor: str) -> list[dict[str, object]]:
        return [json.loads(r.body) for r in self.posts(vendor)]

    def answer(self, vendor: str, answer: Answer | None = None) -> None:
        """What the vendor answers from now on (its success by default)."""
        ok = Answer(200, OK[vendor], {"Content-Type": "application/json"})
        route = PATHS[vendor] + (TOKENS["NIANBAO_FEISHU_TOKEN"] + "/" if vendor == "feishu" else "")
        self.sites[vendor].add(route, answer or ok)

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.tunnel.server_address[1]}"

    def environment(self) -> dict[str, str]:
        """What the process sending to the robots needs: the tokens, the proxy, the CA."""
        return {
            **TOKENS,
            "HTTPS_PROXY": self.proxy,
            "https_proxy": self.proxy,
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            "REQUESTS_CA_BUNDLE": str(self.ca_file),
        }


def _port(site: Site) -> int:
    """The loopback port a started site listens on."""
    port = urlsplit(site.base).port
    assert port is not None, site.base
    return port


@pytest.fixture()
def robots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Robots]:
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*HOSTS.values()).configure_cert(server)
    ca_file = tmp_path / "robots-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    sites = {vendor: Site(vendor, validators=False) for vendor in HOSTS}
    start(list(sites.values()), tls=server)
    tunnel = _Tunnel({HOSTS[v]: _port(s) for v, s in sites.items()})
    threading.Thread(target=tunnel.serve_forever, name="robots-proxy", daemon=True).start()
    running = Robots(sites, tunnel, ca_file)
    for vendor in HOSTS:
        running.answer(vendor)
    for key, value in running.environment().items():
        monkeypatch.setenv(key, value)
    for vendor, host in HOSTS.items():  # before anything is sent: every vendor host goes through the proxy
        assert requests.utils.get_environ_proxies(f"https://{host}{PATHS[vendor]}").get("https") == running.proxy
    try:
        yield running
    finally:
        tunnel.shutdown()
        tunnel.server_close()
        stop(list(sites.values()))
        assert tunnel.refused == [], f"the proxy was asked for other hosts: {tunnel.refused}"
