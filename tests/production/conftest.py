"""One production mode for the whole module set: two Rasa processes behind HAProxy.

Starting it costs a minute or two on a 2-core machine (every Rasa process loads the model),
so the tests share it and each leaves it working: a test that stops a service starts it
again in a ``finally`` block, with the machine's own start command (python-svc.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.production import (
    Deployment,
    ensure_postgres_running,
    ensure_rabbitmq_running,
    ensure_redis_running,
    postgres_database,
    start_production,
    stop_production,
)

pytestmark = pytest.mark.production


@pytest.fixture(scope="session")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    ensure_postgres_running()
    ensure_redis_running()
    ensure_rabbitmq_running()
    with postgres_database() as url:
        try:
            started = start_production(url, tmp_path_factory.mktemp("prod-var"), processes=2)
        except RuntimeError as exc:
            pytest.fail(str(exc))
        try:
            yield started
        finally:
            stop_production(started)


@pytest.fixture(autouse=True)
def services_left_running() -> Iterator[None]:
    """Whatever a test did, PostgreSQL, Redis and RabbitMQ run again after it."""
    try:
        yield
    finally:
        ensure_postgres_running()
        ensure_redis_running()
        ensure_rabbitmq_running()
