"""Run several calls at the same moment, each on its own database connection (one thread each).

For the tests of writes racing each other (`@pytest.mark.django_db(transaction=True)`: each
thread must see what the others commit). A call's exception is returned in its place, so a test
asserts on every outcome; a call still blocked after `timeout` seconds fails the test."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection, connections

TIMEOUT = 60


def at_once(*calls: Callable[[], object], timeout: float = TIMEOUT) -> list[object]:
    """Start every call together (a barrier), wait for all; their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout)
            results[index] = call()
        except BaseException as error:  # returned to the test, not swallowed
            results[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    stuck = [thread for thread in threads if thread.is_alive()]
    assert not stuck, f"{len(stuck)} of {len(calls)} calls still blocked after {timeout} s"
    return results


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"
