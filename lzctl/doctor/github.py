"""The doctor's GitHub access: REST GETs only, through a transport tests replace with recorded answers.

The token is the one the program's GitHub provider uses too: pulumi_github reads `GITHUB_TOKEN` when
`github:token` is not set (pulumi_github config/vars.py), so `GITHUB_TOKEN=<githubToken's value>` lets the
doctor see the repositories as `github.automation_login` will. Nothing here can write: `GitHub` has no
method that sends anything but GET, and the transport is only ever handed a path.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any, Callable, Iterator, Mapping, Optional
from urllib.parse import quote

API = "https://api.github.com"
API_VERSION = "2022-11-28"
"""The REST API version the requests name (GitHub docs, "API Versions")."""
TOKEN_VARIABLE = "GITHUB_TOKEN"
PER_PAGE = 100
"""The largest page the list endpoints read here give (GitHub docs, "Using pagination in the REST API")."""

Transport = Callable[[str], tuple[int, Any, Mapping[str, str]]]
"""A path under the API with its query (`/repos/o/r/rulesets/1`) -> (HTTP status, the decoded JSON body, the response
headers with lower-case names)."""


class GitHubError(Exception):
    """GitHub answered a read with an error status, or (`status` None) gave no answer that could be read."""

    def __init__(self, status: Optional[int], path: str, message: str):
        said = f"GitHub answered {status} to GET {path}" if status is not None else f"GitHub gave no readable answer to GET {path}"
        super().__init__(f"{said}: {message}")
        self.status, self.path, self.message = status, path, message


def segment(value: str) -> str:
    """One path segment: a branch (`release/1`) or an environment name with spaces or slashes stays one."""
    return quote(value, safe="")


def urllib_transport(token: str, base: str = API, timeout: float = 30.0) -> Transport:
    headers = {"Accept": "application/vnd.github+json", "Authorization": f"Bearer {token}", "X-GitHub-Api-Version": API_VERSION, "User-Agent": "lzctl-doctor"}

    def get(path: str) -> tuple[int, Any, Mapping[str, str]]:
        request = urllib.request.Request(base + path, headers=headers, method="GET")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (a fixed https base)
                status, body, received = answer.status, answer.read(), answer.headers
        except urllib.error.HTTPError as err:
            status, body, received = err.code, err.read(), err.headers
        except OSError as err:
            # No answer at all (DNS, refused, timeout, TLS: URLError and socket errors are OSErrors): the check
            # fails saying so, rather than the doctor ending in a traceback.
            raise GitHubError(None, path, str(getattr(err, "reason", None) or err)) from err
        names = {name.lower(): value for name, value in (received or {}).items()}
        try:
            return status, json.loads(body or b"null"), names
        except ValueError:
            if 200 <= status < 300:
                raise GitHubError(None, path, f"a {status} whose body is not JSON (a proxy's page?)") from None
            return status, {"message": body.decode("utf-8", "replace")[:200]}, names

    return get


class GitHub:
    """Read-only REST client; `requests` lists every path read, for `--json`."""

    def __init__(self, transport: Transport):
        self._transport = transport
        self.requests: list[str] = []

    def get(self, path: str) -> Any:
        return self.read(path)[0]

    def read(self, path: str) -> tuple[Any, Mapping[str, str]]:
        """(the body, the response headers with lower-case names) of a read GitHub answered with a 2xx."""
        self.requests.append(path)  # before the read: one that got no answer is listed too
        status, body, headers = self._transport(path)
        if not 200 <= status < 300:
            message = body.get("message", "") if isinstance(body, dict) else ""
            raise GitHubError(status, path, message or "no message")
        return body, headers

    def find(self, path: str) -> Optional[Any]:
        """The resource, or None when GitHub answers 404 (absent, or hidden from the token)."""
        try:
            return self.get(path)
        except GitHubError as err:
            if err.status == 404:
                return None
            raise

    def pages(self, path: str, key: Optional[str] = None) -> Iterator[Any]:
        """Every item of a paginated list (the body itself, or its `key` field), page by page until a short one."""
        page = 1
        while True:
            body = self.get(f"{path}{'&' if '?' in path else '?'}per_page={PER_PAGE}&page={page}")
            items = body.get(key, []) if key is not None else body
            yield from items
            if len(items) < PER_PAGE:
                return
            page += 1


def from_environment(environ: Mapping[str, str] = os.environ) -> Optional[GitHub]:
    """A client with the token of `GITHUB_TOKEN`; None without one (the GitHub checks are then skipped)."""
    token = environ.get(TOKEN_VARIABLE)
    return GitHub(urllib_transport(token)) if token else None
