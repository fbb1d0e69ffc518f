"""The worker: a single pass from the command line, periodic tasks shared by every worker,
SIGTERM, a thread in the web server's process, and two workers claiming at once."""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from homeward.notifications.delivery import notifications_deliver_due
from homeward.notifications.models import Notification, PeriodicTaskState
from homeward.notifications.services import notifications_for_event
from homeward.notifications.worker import (
    PeriodicTask,
    Worker,
    periodic_tasks_from_settings,
    retry_after,
    worker_start_in_thread,
)

from .conftest import TEAM, Inbox, london

CALLS: list[str] = []


def count_call() -> None:
    CALLS.append("called")


def explode() -> None:
    raise RuntimeError("the obligations refresh fell over")


@pytest.fixture(autouse=True)
def no_periodic_tasks(settings: Any) -> None:
    """Only the tasks a test names: other apps' periodic tasks (the weekly report) send mail."""
    settings.HOMEWARD_PERIODIC_TASKS = []


@pytest.fixture
def reported(contacts: dict[str, Any], people: dict[str, Any], make_child: Callable[..., Any],
             report: Callable[..., Any]) -> Callable[[int], list[Any]]:
    """`reported(n)`: n children reported missing on a Friday night, notifications recorded."""

    def make(n: int) -> list[Any]:
        episodes = []
        for _ in range(n):
            child = make_child(placement={"authority": "855"}, allocated_worker="sam", team=TEAM)
            episode = report(child, london(2025, 3, 14, 23, 0))
            notifications_for_event(episode=episode, event="reported")
            episodes.append(episode)
        return episodes

    return make


@pytest.mark.django_db
def test_worker_once_delivers_what_is_due_and_says_so(reported: Callable[[int], list[Any]]) -> None:
    reported(1)
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert len(mail.outbox) == 5
    assert "notifications: 5 claimed, 5 sent, 0 to retry, 0 failed" in out.getvalue()
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_worker_stops_after_its_pass_on_sigterm(reported: Callable[[int], list[Any]]) -> None:
    reported(1)
    out = io.StringIO()
    before = signal.getsignal(signal.SIGTERM)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    call_command("worker", "--interval", "30", stdout=out)
    assert "Received SIGTERM" in out.getvalue() and out.getvalue().endswith("Worker stopped.\n")
    assert len(mail.outbox) == 5
    assert signal.getsignal(signal.SIGTERM) == before


@pytest.mark.django_db
def test_a_periodic_task_runs_once_per_interval_however_many_workers(settings: Any) -> None:
    settings.HOMEWARD_PERIODIC_TASKS = [(f"{__name__}.count_call", 300)]
    CALLS.clear()
    first, second = Worker(), Worker()
    now = timezone.now()
    assert first.run_pass(now=now).tasks_run == (f"{__name__}.count_call",)
    assert second.run_pass(now=now).tasks_run == ()
    assert second.run_pass(now=now + timedelta(seconds=299)).tasks_run == ()
    assert second.run_pass(now=now + timedelta(seconds=300)).tasks_run == (f"{__name__}.count_call",)
    assert CALLS == ["called", "called"]


@pytest.mark.django_db
def test_a_failing_periodic_task_is_recorded_and_the_worker_carries_on() -> None:
    worker = Worker(tasks=(PeriodicTask("explode", explode, timedelta(minutes=1)),))
    assert worker.run_pass().tasks_run == ("explode",)
    state = PeriodicTaskState.objects.get(name="explode")
    assert state.last_error == "RuntimeError: the obligations refresh fell over"
    assert state.last_finished_at is not None


@pytest.mark.parametrize("entry, message", [
    (("homeward.nowhere.task", 60), "cannot import homeward.nowhere.task"),
    ((f"{__name__}.count_call", 0), "seconds must be a positive integer"),
    ("just-a-path", "is not (dotted path, seconds)"),
])
def test_a_mistake_in_the_periodic_tasks_setting_stops_the_worker_at_start(
    settings: Any, entry: Any, message: str
) -> None:
    settings.HOMEWARD_PERIODIC_TASKS = [entry]
    with pytest.raises(ImproperlyConfigured, match="HOMEWARD_PERIODIC_TASKS"):
        try:
            periodic_tasks_from_settings()
        except ImproperlyConfigured as exc:
            assert message in str(exc)
            raise


def _wait_until(condition: Callable[[], bool], seconds: float = 15.0) -> bool:
    """Poll `condition`. A read that meets the worker's write in the shared-cache in-memory
    SQLite of the test run is told "table is locked" at once: that only means "not yet"."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass
        time.sleep(0.1)
    return False


def test_the_worker_thread_of_the_web_server_delivers_and_wakes_on_commit(
    reference_data_restored: None, transactional_db: Any, smtp_server: Inbox,
    reported: Callable[[int], list[Any]],
) -> None:
    from django.db import transaction

    reported(1)
    handle = worker_start_in_thread(interval=30)
    try:
        assert _wait_until(lambda: len(smtp_server.received) == 5 and handle.worker.passes >= 1)
        # The worker now sleeps for 30 seconds unless a commit that queues mail wakes it.
        with transaction.atomic():
            reported(1)
        assert _wait_until(lambda: len(smtp_server.received) == 10, seconds=10)
        assert _wait_until(lambda: not Notification.objects.exclude(status="sent").exists())
    finally:
        handle.stop()
    assert not handle.thread.is_alive()
    assert set(Counter(smtp_server.ids()).values()) == {1}


def test_two_workers_claiming_at_once_send_each_message_once(
    reference_data_restored: None, transactional_db: Any, smtp_server: Inbox,
    reported: Callable[[int], list[Any]],
) -> None:
    from django.db import connection

    reported(4)
    total = Notification.objects.filter(status="queued").count()
    assert total == 20
    start = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def claimer() -> None:
        try:
            start.wait()
            while (report := notifications_deliver_due(limit=3)).claimed:
                sent.append(report.sent)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(sent) == total
    assert set(Counter(smtp_server.ids()).values()) == {1} and len(smtp_server.received) == total
    assert not Notification.objects.exclude(status="sent").exists()


SLOW_TASK_RUNNING = threading.Event()
SLOW_TASK_RELEASE = threading.Event()


def slow_task() -> None:
    """Stands for a large import: busy until the test lets it go."""
    SLOW_TASK_RUNNING.set()
    SLOW_TASK_RELEASE.wait(30)


def test_a_long_periodic_task_never_delays_notifications(
    reference_data_restored: None, transactional_db: Any, smtp_server: Inbox, settings: Any,
    reported: Callable[[int], list[Any]],
) -> None:
    """Issue 14: a 300,000-row import held up delivery for 165 s on its worker; the periodic
    tasks now have a thread of their own."""
    from django.db import transaction

    settings.HOMEWARD_PERIODIC_TASKS = [("homeward.notifications.tests.test_worker.slow_task", 3600)]
    SLOW_TASK_RUNNING.clear()
    SLOW_TASK_RELEASE.clear()
    handle = worker_start_in_thread(interval=30)
    try:
        assert _wait_until(SLOW_TASK_RUNNING.is_set)
        with transaction.atomic():
            reported(1)
        assert _wait_until(lambda: len(smtp_server.received) == 5, seconds=10)
        assert not SLOW_TASK_RELEASE.is_set()
    finally:
        SLOW_TASK_RELEASE.set()
        handle.stop()
    assert not handle.thread.is_alive()


def test_a_step_that_fails_is_tried_again_soon_not_after_a_whole_interval() -> None:
    """A moment's lock ("database table is locked") cost the tasks thread its 30-second
    interval; the next try now comes after half a second, doubling while failures go on."""
    assert [retry_after(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 4.0]
    assert retry_after(50) == retry_after(11)  # bounded; the loop's own pause caps it further
    worker = Worker(interval=30, tasks=())
    tries: list[float] = []
    done = threading.Event()

    def step() -> str:
        tries.append(time.monotonic())
        if len(tries) == 1:
            raise OperationalError("database table is locked")
        done.set()
        return ""

    thread = threading.Thread(target=worker._loop, args=("test", step), kwargs={"waits_for_work": False})
    thread.start()
    try:
        assert done.wait(5)
    finally:
        worker.stop()
        thread.join(5)
    assert not thread.is_alive()
    assert 0.4 <= tries[1] - tries[0] < 5
