"""Who may call the API: loopback-only by default; a bearer token (CLAIMWATCH_API_TOKEN) for
every write, and for every request when the service listens beyond loopback."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import JSONResponse, Response

TOKEN_COOKIE = "claimwatch_token"  # lets a browser use the web UI of a non-loopback service


class InsecureBinding(ValueError):
    """Listening beyond loopback without a token."""


@dataclass(frozen=True)
class Access:
    """The token (empty: none) and whether reads need it too."""

    token: str = ""
    reads_need_token: bool = False

    @classmethod
    def for_host(cls, host: str, token: str) -> Access:
        """The access rules for a service bound to `host`; InsecureBinding when it is not
        loopback and there is no token."""
        if not is_loopback(host) and not token:
            raise InsecureBinding(
                f"refusing to listen on {host} without CLAIMWATCH_API_TOKEN "
                "(every request must then carry `Authorization: Bearer TOKEN`)"
            )
        return cls(token=token, reads_need_token=not is_loopback(host))

    def allows(self, request: Request, *, write: bool) -> bool:
        """Whether this request may read (or write)."""
        if not self.token:
            # Only reachable on loopback (for_host refuses the rest): local users may write.
            return True
        if not (write or self.reads_need_token):
            return True
        return any(_same(given, self.token) for given in _presented(request))


def is_loopback(host: str) -> bool:
    """Whether `host` (an address or `localhost`) is reachable only from this machine."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _presented(request: Request) -> list[str]:
    found = []
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        found.append(value.strip())
    cookie = request.cookies.get(TOKEN_COOKIE)
    if cookie:
        found.append(cookie)
    return found


def _same(given: str, token: str) -> bool:
    # Constant time: the comparison must not tell how much of a guess was right.
    return hmac.compare_digest(given.encode(), token.encode())


def access_of(request: Request) -> Access:
    """The app's access rules."""
    access = getattr(request.app.state, "access", None)
    return access if isinstance(access, Access) else Access()


def require_write(request: Request) -> None:
    """Dependency of every write route: the token, whenever one is set."""
    if not access_of(request).allows(request, write=True):
        raise HTTPException(
            401, "a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )


class TokenGate(BaseHTTPMiddleware):
    """Every request (API, feeds, docs, web UI) needs the token when reads need it."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Refuse with 401 before any route runs."""
        access = access_of(request)
        if access.reads_need_token and not access.allows(request, write=False):
            return JSONResponse(
                {"detail": "a valid bearer token is required"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        return await call_next(request)
