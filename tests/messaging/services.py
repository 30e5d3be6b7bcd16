"""External services for messaging tests: Redis, when CONSENTRY_TEST_REDIS_URL names one."""

from __future__ import annotations

import os

import pytest


def redis_url() -> str:
    """The test Redis URL, or skip (fail when services are required); tests use own key prefixes."""
    url = os.environ.get("CONSENTRY_TEST_REDIS_URL")
    required = os.environ.get("CONSENTRY_TEST_REQUIRE_SERVICES") == "1"
    if not url:
        if required:
            pytest.fail("CONSENTRY_TEST_REDIS_URL is not set", pytrace=False)
        pytest.skip("CONSENTRY_TEST_REDIS_URL is not set")
    import redis

    try:
        client = redis.Redis.from_url(url)
        client.ping()
        client.close()
    except redis.RedisError as exc:
        message = f"test Redis {url} is unreachable: {exc}"
        if required:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return url
