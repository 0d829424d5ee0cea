"""The receiver's request-level error, mapped by each protocol to its own error form."""

from __future__ import annotations

from backchannel.errors import BackchannelError


class RequestProblem(BackchannelError):  # noqa: N818 - a problem with the request, not ours
    """A request cannot be served: bad input, too big, rate limited, disk trouble."""

    def __init__(self, reason: str, status: int = 400, headers: dict[str, str] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.headers = headers or {}
