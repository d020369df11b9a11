"""apply_response: envelope preconditions, all-or-nothing, no-op, results and timings."""

from __future__ import annotations

import itertools

import pytest

from gitbench.edits.apply import PHASES, apply_file, apply_response, shown_bytes, shown_file
from gitbench.edits.reasons import ReasonCode, Stage
from gitbench.edits.results import Applied, NoOp, Rejection
from gitbench.edits.schema import ShownFile, blob_oid
from gitbench.edits.settings import EditSettings
from gitbench.errors import Action, ErrorCode
from tests.edits.builders import edit, lines, one_file, proposal, replace, run, write
from tests.support.gitcli import git


def _rejected(result: object, reason: ReasonCode) -> Rejection:
    assert isinstance(result, Rejection), result
    assert result.reason is reason, result
    return result


def test_t01_replace_makes_exact_bytes_and_git_blob_ids(tmp_path):
    before = b"alpha beta gamma\n"
    prop = proposal({"notes.md": before}, edit("notes.md", replace("beta", "BETA")))
    result = run({"notes.md": before}, prop)
    assert isinstance(result, Applied)
    (file,) = result.files
    assert file.new_bytes == b"alpha BETA gamma\n"
    assert file.old_blob == git("hash-object", "--stdin", cwd=tmp_path, input=before)
    assert file.new_blob == git("hash-object", "--stdin", cwd=tmp_path, input=file.new_bytes)
    assert file.telemetry() == {
        "path": "notes.md",
        "old_blob": file.old_blob,
        "new_blob": file.new_blob,
        "ops": 1,
        "lines_added": 1,
        "lines_removed": 1,
        "bytes_before": 17,
        "bytes_after": 17,
    }


def test_t10_write_replaces_the_whole_file_exactly():
    before = b"# Doc\n\nold text\n"
    prop = proposal({"doc.md": before}, edit("doc.md", write("# Doc\n\nnew text\n")))
    assert one_file(run({"doc.md": before}, prop)) == b"# Doc\n\nnew text\n"


def test_t10_write_on_a_file_not_shown_is_not_in_context():
    prop = proposal({"doc.md": b"x\n"}, edit("other.md", write("y\n")))
    result = _rejected(run({"other.md": b"z\n"}, prop), ReasonCode.NOT_IN_CONTEXT)
    assert (result.stage, result.retryable, result.path) == (Stage.SCHEMA, False, "other.md")


def test_t11_create_and_delete_in_one_proposal():
    head = {"new.md": None, "old.md": b"old\n"}
    prop = proposal(
        head, edit("new.md", write("fresh\n"), action="create"), edit("old.md", action="delete")
    )
    result = run(head, prop)
    assert isinstance(result, Applied)
    created, deleted = result.files
    assert (created.action, created.new_bytes, created.old_blob) == ("create", b"fresh\n", None)
    assert created.new_blob == blob_oid(b"fresh\n")
    assert (deleted.action, deleted.new_bytes, deleted.new_blob) == ("delete", None, None)
    assert (deleted.lines_removed, deleted.bytes_after) == (1, 0)


def test_t11_create_of_an_existing_path_is_already_exists():
    prop = proposal({"new.md": None}, edit("new.md", write("fresh\n"), action="create"))
    result = _rejected(run({"new.md": b"made meanwhile\n"}, prop), ReasonCode.ALREADY_EXISTS)
    assert (result.stage, result.actual_blob) == (Stage.PRECONDITION, blob_oid(b"made meanwhile\n"))


def test_t11_create_of_a_path_shown_as_existing_is_already_exists():
    prop = proposal({"old.md": b"old\n"}, edit("old.md", write("fresh\n"), action="create"))
    _rejected(run({"old.md": b"old\n"}, prop), ReasonCode.ALREADY_EXISTS)


def test_t11_delete_of_a_changed_file_is_blob_mismatch():
    prop = proposal({"old.md": b"old\n"}, edit("old.md", action="delete"))
    result = _rejected(run({"old.md": b"edited by a human\n"}, prop), ReasonCode.BLOB_MISMATCH)
    assert result.expected_blob == blob_oid(b"old\n")
    assert result.actual_blob == blob_oid(b"edited by a human\n")
    assert (result.stage, result.retryable) == (Stage.PRECONDITION, True)


def test_t02_edit_of_a_changed_file_is_blob_mismatch_before_resolving():
    prop = proposal({"notes.md": b"X\n"}, edit("notes.md", replace("not there", "y")))
    result = _rejected(run({"notes.md": b"Y\n"}, prop), ReasonCode.BLOB_MISMATCH)
    assert (result.expected_blob, result.actual_blob) == (blob_oid(b"X\n"), blob_oid(b"Y\n"))


def test_edit_of_a_file_deleted_since_it_was_shown_is_blob_mismatch():
    prop = proposal({"notes.md": b"X\n"}, edit("notes.md", replace("X", "Y")))
    result = _rejected(run({"notes.md": None}, prop), ReasonCode.BLOB_MISMATCH)
    assert result.actual_blob is None


def test_edit_of_a_file_shown_as_absent_asks_for_create():
    prop = proposal({"notes.md": None}, edit("notes.md", replace("X", "Y")))
    result = _rejected(run({"notes.md": None}, prop), ReasonCode.SCHEMA_INVALID)
    assert "create" in result.detail


def test_echoed_blob_must_be_the_one_shown():
    prop = proposal(
        {"a.md": b"a\n"}, edit("a.md", replace("a", "b"), expected_blob=blob_oid(b"other\n"))
    )
    result = _rejected(run({"a.md": b"a\n"}, prop), ReasonCode.BLOB_ECHO_MISMATCH)
    assert (result.expected_blob, result.actual_blob) == (blob_oid(b"a\n"), blob_oid(b"other\n"))


def test_echoed_blob_equal_to_the_one_shown_is_accepted():
    prop = proposal(
        {"a.md": b"a\n"}, edit("a.md", replace("a", "b"), expected_blob=blob_oid(b"a\n"))
    )
    assert one_file(run({"a.md": b"a\n"}, prop)) == b"b\n"


def test_t24_one_failing_file_rejects_the_whole_proposal():
    head = {"a.md": b"alpha\n", "b.md": b"beta\n"}
    prop = proposal(
        head, edit("a.md", replace("alpha", "ALPHA")), edit("b.md", replace("nope", "x"))
    )
    result = _rejected(run(head, prop), ReasonCode.NO_MATCH)
    assert result.path == "b.md"


def test_t24_a_failing_precondition_stops_before_any_file_is_applied():
    head = {"a.md": b"alpha\n", "b.md": b"beta\n"}
    prop = proposal(head, edit("a.md", replace("nope", "x")), edit("b.md", replace("beta", "B")))
    result = _rejected(run({**head, "b.md": b"changed\n"}, prop), ReasonCode.BLOB_MISMATCH)
    assert result.path == "b.md"


def test_noop_proposal_is_reported_not_applied():
    before = b"one\ntwo\n"
    prop = proposal({"a.md": before}, edit("a.md", lines(1, 1, "one", "one")))
    assert run({"a.md": before}, prop) == NoOp(files=["a.md"])


def test_unchanged_files_are_listed_beside_changed_ones():
    head = {"a.md": b"one\n", "b.md": b"two\n"}
    prop = proposal(head, edit("a.md", write("one\n")), edit("b.md", write("TWO\n")))
    result = run(head, prop)
    assert isinstance(result, Applied)
    assert ([f.path for f in result.files], result.unchanged) == (["b.md"], ["a.md"])


def test_deletion_by_empty_replace_is_accepted():
    before = b"keep this. drop this. keep that.\n"
    prop = proposal({"a.md": before}, edit("a.md", replace(" drop this.", "")))
    assert one_file(run({"a.md": before}, prop)) == b"keep this. keep that.\n"


def test_t22_binary_and_latin1_files_are_unsupported_encoding():
    head = {"bin.dat": b"\x00\x01\x02abc", "latin1.txt": "caf\xe9\n".encode("latin-1")}
    for path, data in head.items():
        record = ShownFile(path=path, blob=blob_oid(data), eol="none", bom=False)
        prop = proposal({path: record}, edit(path, replace("abc", "x")))
        result = _rejected(run({path: data}, prop), ReasonCode.UNSUPPORTED_ENCODING)
        assert (result.retryable, result.path) == (False, path)
        assert _rejected(shown_file(path, data), ReasonCode.UNSUPPORTED_ENCODING)


def test_shown_file_records_blob_eol_and_bom():
    assert shown_file("a", b"\xef\xbb\xbfx\r\ny\r\n") == ShownFile(
        path="a", blob=blob_oid(b"\xef\xbb\xbfx\r\ny\r\n"), eol="crlf", bom=True
    )
    assert shown_file("a", None) == ShownFile(path="a", blob=None, eol="none", bom=False)


def test_a_kept_record_gives_its_bytes_only_while_the_tree_holds_the_shown_blob():
    data = "caf\u00e9 au lait\n".encode()
    record = shown_file("a.md", data, blob="1" * 40, keep=True)
    assert isinstance(record, ShownFile) and record.blob == "1" * 40  # the tree's id, not rehashed
    assert shown_bytes({"a.md": record}, "a.md", "1" * 40) is data
    assert shown_bytes({"a.md": record}, "a.md", "2" * 40) is None  # the file changed since
    assert shown_bytes({"a.md": record}, "a.md", None) is None
    assert shown_bytes({}, "a.md", "1" * 40) is None
    plain = shown_file("a.md", data)
    assert isinstance(plain, ShownFile) and shown_bytes({"a.md": plain}, "a.md", plain.blob) is None
    assert record.model_dump() == {"path": "a.md", "blob": "1" * 40, "eol": "lf", "bom": False}
    same = shown_file("a.md", data, blob="1" * 40)
    assert record == same and hash(record) == hash(same)  # what is kept is not the record
    assert record != shown_file("a.md", data) and record != "a.md"


def test_an_apply_from_a_kept_record_equals_one_from_the_bytes():
    data = b"alpha beta gamma\n"
    record = shown_file("n.md", data, keep=True)
    assert isinstance(record, ShownFile)
    prop = proposal({"n.md": record}, edit("n.md", replace("beta", "BETA")))
    assert one_file(run({"n.md": data}, prop)) == b"alpha BETA gamma\n"
    # Bytes that are not the kept ones, or another sniff setting, are decoded afresh.
    assert one_file(run({"n.md": bytes(bytearray(data))}, prop)) == b"alpha BETA gamma\n"
    sniff = EditSettings(binary_sniff_bytes=10)
    assert one_file(run({"n.md": data}, prop, sniff)) == b"alpha BETA gamma\n"


def test_an_empty_create_and_a_write_of_the_same_text_are_fine():
    prop = proposal({"e.md": None}, edit("e.md", write(""), action="create"))
    result = run({"e.md": None}, prop)
    assert isinstance(result, Applied) and result.files[0].new_bytes == b""
    same = proposal({"s.md": b"x\n"}, edit("s.md", write("x\n")))
    assert isinstance(run({"s.md": b"x\n"}, same), NoOp)


def test_timings_cover_every_phase_and_take_the_callers_parse_time():
    ticks = itertools.count(step=1_000_000)  # each clock read is 1 ms later
    prop = proposal({"a.md": b"a b\n"}, edit("a.md", replace("a", "c")))
    result = run({"a.md": b"a b\n"}, prop, parse_ms=2.5, timer=lambda: next(ticks))
    assert isinstance(result, Applied)
    assert set(result.timings_ms) == set(PHASES)
    assert result.timings_ms["parse"] == 2.5
    assert all(result.timings_ms[phase] >= 1.0 for phase in PHASES if phase != "parse")
    later = result.with_timings(write=3.0, ref=1.0)
    assert (later.timings_ms["write"], later.timings_ms["parse"]) == (3.0, 2.5)


def test_a_path_missing_from_the_callers_mappings_is_a_bug_not_absence():
    prop = proposal({"a.md": None}, edit("a.md", write("x\n"), action="create"))
    with pytest.raises(AssertionError, match="caller must pass"):
        apply_response({}, prop, {})
    with pytest.raises(AssertionError, match="disagree"):
        apply_response({"a.md": b"x\n"}, prop, {"a.md": None})


def test_rejection_becomes_an_edit_rejected_error():
    prop = proposal({"a.md": b"a\n"}, edit("a.md", replace("zzz", "y")))
    error = _rejected(run({"a.md": b"a\n"}, prop), ReasonCode.NO_MATCH).to_error()
    assert (error.code, error.phase, error.subphase) == (
        ErrorCode.EDIT_REJECTED,
        "resolve",
        "no_match",
    )
    assert error.retryable is True
    assert error.actions == (Action.RETRY,)
    assert error.detail["path"] == "a.md"
    assert error.detail["reason"] == "no_match"
    assert error.to_dict()["exit_status"] == 8


def test_non_retryable_rejection_points_at_the_report():
    error = _rejected(shown_file("x", b"\x00"), ReasonCode.UNSUPPORTED_ENCODING).to_error()
    assert (error.retryable, error.actions, error.phase) == (False, (Action.VIEW_REPORT,), "schema")
    assert "in x" in error.message


def test_apply_file_alone_hashes_the_old_bytes():
    result = apply_file("a.md", b"a b\n", [replace("a", "c")])
    assert not isinstance(result, Rejection)
    assert (result.old_blob, result.new_bytes) == (blob_oid(b"a b\n"), b"c b\n")


def test_apply_file_alone_reports_an_unchanged_file_with_equal_blobs():
    result = apply_file("a.md", b"one\n", [lines(1, 1, "one", "one")])
    assert not isinstance(result, Rejection)
    assert result.old_blob == result.new_blob == blob_oid(b"one\n")


def test_write_keeps_the_final_newline_and_says_so():
    result = apply_file("a.md", b"one\n", [write("two")])
    assert not isinstance(result, Rejection)
    assert result.new_bytes == b"two\n"
    assert result.diagnostics == [{"check": "final_newline", "op_index": 0, "action": "added"}]
