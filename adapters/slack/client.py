"""The Web API client every Slack call goes through: configurable base URL and retries."""

from __future__ import annotations

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient


def web_client(base_url: str, token: str | None = None) -> AsyncWebClient:
    # Slack rate limits in bursts during a crisis (many cards updated at once): waiting Retry-After beats failing.
    retries = [
        AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncServerErrorRetryHandler(max_retry_count=2),
    ]
    return AsyncWebClient(token=token, base_url=base_url, timeout=10, retry_handlers=retries)
