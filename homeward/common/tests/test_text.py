"""Words in sentences: lists, counts, and a label inside a sentence."""

from __future__ import annotations

from homeward.common.text import counted, listed, lower_first


def test_a_list_reads_as_a_sentence_lists() -> None:
    assert listed([]) == ""
    assert listed(["the police"]) == "the police"
    assert listed(["the IRO", "the police"]) == "the IRO and the police"
    assert listed(["the IRO", "the police", "the social worker"]) == "the IRO, the police and the social worker"


def test_a_count_takes_the_singular_for_one_alone() -> None:
    assert [counted(n, "action") for n in (0, 1, 2)] == ["0 actions", "1 action", "2 actions"]
    assert counted(1, "child", "children") == "1 child" and counted(3, "child", "children") == "3 children"


def test_a_label_inside_a_sentence_keeps_an_abbreviations_capitals() -> None:
    assert lower_first("Date of birth") == "date of birth"
    assert lower_first("MCT admin") == "MCT admin" and lower_first("IRO") == "IRO"
    assert lower_first("") == "" and lower_first("A") == "a"
