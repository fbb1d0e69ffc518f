"""A report's statements run at once read one snapshot: what is committed meanwhile by
someone else is not seen by any of them (homeward.reporting.shared_snapshot)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from homeward.children.models import Child
from homeward.reporting.shared_snapshot import (
    beside_possible,
    run_together,
    shared_snapshot,
    snapshot_shared,
    written_beside,
)

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("reference_data_loaded", "reference_data_after_flush")]


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL, with three connections a report."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs a report's statements in turn on one connection: no snapshot to share")
    monkeypatch.setenv("HOMEWARD_REPORT_CONNECTIONS", "3")


def _rename_elsewhere(pk: int) -> None:
    """Another person's change, committed on a connection of its own while the report runs."""

    def rename() -> None:
        try:
            Child.objects.filter(pk=pk).update(given_name="Renamed")
        finally:
            connection.close()

    thread = threading.Thread(target=rename)
    thread.start()
    thread.join()


@pytest.mark.usefixtures("shared")
def test_every_statement_reads_the_reports_snapshot(make_child: Any) -> None:
    child = make_child(external_id="A", given_name="Original")

    def name() -> str:
        return Child.objects.get(pk=child.pk).given_name

    with shared_snapshot():
        first = name()
        _rename_elsewhere(child.pk)
        answers = run_together(name, name, name, lambda: threading.current_thread().name)
    assert first == "Original"
    assert answers[:3] == ["Original", "Original", "Original"]
    assert Child.objects.get(pk=child.pk).given_name == "Renamed"
    assert answers[3].startswith("report"), "read on a worker thread's own connection"


def test_inside_a_transaction_already_open_they_run_in_turn(make_child: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import transaction

    monkeypatch.setenv("HOMEWARD_REPORT_CONNECTIONS", "3")
    with transaction.atomic():
        # Rows not yet committed, which another connection could not see.
        child = make_child(external_id="B", given_name="Uncommitted")
        with shared_snapshot():
            answers = run_together(lambda: Child.objects.get(pk=child.pk).given_name,
                                   lambda: threading.current_thread().name)
    assert answers == ["Uncommitted", threading.current_thread().name]


@pytest.mark.usefixtures("shared")
def test_a_write_beside_the_report_reads_its_snapshot_and_is_kept_only_when_asked(make_child: Any) -> None:
    child = make_child(external_id="C", given_name="Original")
    other = make_child(external_id="E", given_name="Other")
    assert beside_possible()

    def copy(suffix: str) -> str:
        # Reads the report's snapshot, writes on its own connection (a row no one else changed:
        # its transaction is REPEATABLE READ).
        name = Child.objects.get(pk=child.pk).given_name
        Child.objects.filter(pk=other.pk).update(known_as=f"{name} {suffix}")
        return threading.current_thread().name

    with shared_snapshot():
        assert snapshot_shared()
        _rename_elsewhere(child.pk)
        with written_beside(lambda: copy("dropped")):
            pass  # not kept: rolled back
        with written_beside(lambda: copy("kept")) as kept:
            thread = kept.keep()
    assert thread.startswith("report-write")
    assert Child.objects.get(pk=child.pk).given_name == "Renamed"
    assert Child.objects.get(pk=other.pk).known_as == "Original kept"


@pytest.mark.usefixtures("shared")
def test_a_write_beside_that_fails_raises_when_kept(make_child: Any) -> None:
    child = make_child(external_id="D", given_name="Original")

    def fail() -> None:
        Child.objects.filter(pk=child.pk).update(known_as="half written")
        raise ValueError("refused")

    with shared_snapshot(), written_beside(fail) as beside, pytest.raises(ValueError, match="refused"):
        beside.keep()
    assert Child.objects.get(pk=child.pk).known_as == ""
