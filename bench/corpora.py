"""Conformance of gitbench's text edit formats against third-party edit test material (issue 9).

`python -m bench.corpora` (or `make corpora`) downloads pinned source distributions with
`pip download --no-deps --no-binary :all:` into bench/results/corpora/ (git-ignored), checks their
sha256, and runs their edit test material through gitbench's parsers and pipeline as vectors
(original, model output, expected). Nothing of theirs is committed or imported: their tests are
read as data (`ast`), their case files as text. Each case ends as passed, an expected divergence
(named: gitbench refuses first-match, whitespace-flexible or partial application by design), or an
unexpected failure. Exit status 1 when there is an unexpected failure or a download failed.
"""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
import tarfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitbench.edits.apply import apply_response, shown_file
from gitbench.edits.results import Applied, NoOp, Rejection
from gitbench.edits.schema import EditProposal, ModelEditResponse, ShownFile, blob_oid
from gitbench.edits.textformat import parse_document

CACHE = Path(__file__).resolve().parent / "results" / "corpora"
BASE = "0" * 40


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    sha256: str

    @property
    def archive(self) -> str:
        return f"{self.name.replace('-', '_')}-{self.version}.tar.gz"


PINS = (
    Pin("aider-chat", "0.86.2", "f38a9d322f5609f0c13af82d50c6a11170185b3fdf26956e4a7e89ba19819159"),
    Pin(
        "whatthepatch", "1.0.7", "9eefb4ebea5200408e02d413d2b4bc28daea6b78bb4b4d53431af7245f7d7edf"
    ),
    Pin("unidiff", "1.0.1", "d9425bc516390c54743a1045b2c1c97f02d245a913a241dd499f958adb2df998"),
)

# Where gitbench differs on purpose. A case may name the divergences it is allowed to show;
# each is recognised from the Rejection (reason, hint, detail), never assumed.
DIVERGENCES: dict[str, tuple[str, Callable[[Rejection], bool]]] = {
    "first-match": (
        "the source replaces the first of several matches; gitbench requires a unique match "
        "(ambiguous_match)",
        lambda r: r.reason.value == "ambiguous_match",
    ),
    "whitespace-flexible": (
        "the source re-indents or ignores leading whitespace; gitbench matches exactly "
        "(no_match with hint whitespace_differs)",
        lambda r: (
            r.reason.value == "no_match"
            and any(d.get("hint") == "whitespace_differs" for d in r.diagnostics)
        ),
    ),
    "empty-search-create": (
        "the source reads an empty SEARCH as create or append; gitbench needs an explicit "
        "CREATE or WRITE block, and applies all blocks or none",
        lambda r: "empty SEARCH section" in r.detail,
    ),
    "bare-fence-whole-file": (
        "the source takes a path and a fenced file as a whole-file replacement; gitbench "
        "needs an explicit WRITE or CREATE block, never inferred",
        lambda r: "no SEARCH/REPLACE block" in r.detail,
    ),
    "fuzzy-filename": (
        "the source maps a near-miss file name onto a file in the chat; gitbench uses the path "
        "as written",
        lambda r: r.reason.value in ("not_in_context", "invalid_path", "schema_invalid"),
    ),
    "dev-null-edit": (
        "the source ignores --- /dev/null and edits the file; gitbench reads /dev/null as "
        "create, so a hunk with old lines is malformed",
        lambda r: "has no old lines" in r.detail,
    ),
    "not-unified": (
        "the source also applies context, ed, RCS and normal diffs; gitbench's diff format is "
        "the unified diff only",
        lambda r: "no file diff" in r.detail,
    ),
    "overlong-hunk": (
        "the source drops hunk lines beyond the counts of the hunk header; gitbench refuses the "
        "diff, since a dropped line would be a partly applied edit",
        lambda r: "more hunk lines follow" in r.detail,
    ),
    "leading-blank-line": (
        "the source skips a blank first line of SEARCH and re-indents the rest; gitbench matches "
        "exactly (no_match; its whitespace hint does not look past a blank line)",
        lambda r: r.reason.value == "no_match",
    ),
    "custom-prefix": (
        "git --src-prefix/--dst-prefix names (src://x) are not guessed; the name is refused "
        "as unsafe",
        lambda r: r.reason.value == "invalid_path",
    ),
}


@dataclass
class Case:
    name: str
    outcome: str  # passed, divergence, unexpected, not-run
    note: str = ""
    divergence: str = ""


@dataclass
class Report:
    corpus: str
    cases: list[Case] = field(default_factory=list)

    def add(self, case: Case) -> None:
        self.cases.append(case)


Files = dict[str, str | None]


# --- download --------------------------------------------------------------------------


def fetch(pin: Pin) -> Path:
    """The verified sdist of `pin`, downloaded with pip into the cache when missing."""
    CACHE.mkdir(parents=True, exist_ok=True)
    archive = CACHE / pin.archive
    if not archive.exists():
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        command += ["--dest", str(CACHE), f"{pin.name}=={pin.version}"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not archive.exists():
            raise RuntimeError(
                f"pip download {pin.name}=={pin.version} failed: {done.stderr[-400:]}"
            )
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    if digest != pin.sha256:
        raise RuntimeError(f"{archive.name}: sha256 {digest}, expected {pin.sha256}")
    return archive


def members(archive: Path, under: str) -> dict[str, str]:
    """Text of every file of the sdist under `under` (relative names), read without extracting."""
    found: dict[str, str] = {}
    with tarfile.open(archive) as tar:
        for info in tar.getmembers():
            parts = info.name.split("/", 1)
            if info.isfile() and len(parts) == 2 and parts[1].startswith(under):
                data = tar.extractfile(info)
                assert data is not None
                found[parts[1][len(under) :]] = data.read().decode(
                    "utf-8", errors="surrogateescape"
                )
    return found


# --- running a vector through gitbench ---------------------------------------------------


def apply_text(before: Files, output: str, fmt: str = "auto") -> Files | Rejection | NoOp:
    """Parse `output` and apply it to `before` through the whole pipeline, in memory."""
    response = parse_document(output, fmt)
    if response is None:
        raise AssertionError("a corpus output was detected as JSON")
    if isinstance(response, Rejection):
        return response
    return apply_parsed(before, response)


def apply_parsed(before: Files, response: ModelEditResponse) -> Files | Rejection | NoOp:
    data = {
        p: (None if t is None else t.encode("utf-8", "surrogateescape")) for p, t in before.items()
    }
    for edit in response.files:
        data.setdefault(edit.path, None)
    shown: dict[str, ShownFile] = {}
    for path, content in data.items():
        record = shown_file(path, content)
        if isinstance(record, ShownFile):
            shown[path] = record
    blobs = {p: (None if d is None else blob_oid(d)) for p, d in data.items()}
    proposal = EditProposal(
        proposal_id="corpus",
        attempt=1,
        draft_ref="refs/heads/draft",
        base_commit=BASE,
        shown=shown,
        response=response,
        model="corpus",
    )
    result = apply_response(data, proposal, blobs)
    if not isinstance(result, Applied):
        return result
    after: Files = dict(before)
    for f in result.files:
        after[f.path] = (
            None if f.new_bytes is None else f.new_bytes.decode("utf-8", "surrogateescape")
        )
    return after


def judge(
    name: str,
    result: Files | Rejection | NoOp,
    expected: Files | None,
    allowed: tuple[str, ...] = (),
) -> Case:
    """Compare a result with the expected files (None: the source refuses or changes nothing)."""
    if expected is None:
        if isinstance(result, Rejection | NoOp):
            return Case(name, "passed", "refused, as the source does")
        return Case(name, "unexpected", "applied, but the source refuses")
    if isinstance(result, dict):
        if all(result.get(p) == t for p, t in expected.items()):
            return Case(name, "passed")
        return Case(name, "unexpected", "applied, but the bytes differ from the expected text")
    if isinstance(result, NoOp):
        return Case(name, "unexpected", "no-op, but the source changes the file")
    for key in allowed:
        if DIVERGENCES[key][1](result):
            return Case(name, "divergence", f"{result.reason.value}: {result.detail}", key)
    return Case(name, "unexpected", f"{result.reason.value}: {result.detail}")


# --- aider: reading its unit tests as data ------------------------------------------------

SUBSTITUTE = {"Path(file1).name": "file.txt", "coder.fence[0]": "````", "coder.fence[1]": "````"}


class Unknown(Exception):  # a value the harness cannot evaluate statically
    pass


def value(node: ast.expr, env: dict[str, Any]) -> Any:
    """A literal, a name bound earlier, or an f-string over those (SUBSTITUTE for the rest)."""
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        raise Unknown(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return value(node.left, env) + value(node.right, env)
    if isinstance(node, ast.JoinedStr):
        return "".join(_piece(v, env) for v in node.values)
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "Path" and node.args:
        return value(node.args[0], env)
    if ast.unparse(node) in SUBSTITUTE:
        return SUBSTITUTE[ast.unparse(node)]
    try:
        return ast.literal_eval(node)
    except ValueError as exc:
        raise Unknown(ast.unparse(node)) from exc


def _piece(node: ast.expr, env: dict[str, Any]) -> str:
    if isinstance(node, ast.FormattedValue):
        return str(value(node.value, env))
    return str(value(node, env))


@dataclass
class TestFacts:
    """What one test function states: bindings, writes, assertions, expected errors."""

    name: str
    env: dict[str, Any] = field(default_factory=dict)
    writes: list[tuple[str, str]] = field(default_factory=list)  # (target expression, text)
    equals: list[tuple[str, Any]] = field(default_factory=list)  # (expression, expected value)
    raises: bool = False
    response: str | None = None
    unknown: list[str] = field(default_factory=list)


def read_tests(source: str) -> Iterator[TestFacts]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            yield _facts(node)


def _facts(fn: ast.FunctionDef) -> TestFacts:
    facts = TestFacts(fn.name)
    nodes = sorted(
        (n for n in ast.walk(fn) if isinstance(n, ast.Assign | ast.Call | ast.With)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    for node in nodes:
        try:
            _fact(facts, node)
        except Unknown as exc:
            facts.unknown.append(str(exc))
    return facts


def _fact(facts: TestFacts, node: ast.AST) -> None:
    env = facts.env
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = ast.unparse(node.targets[0])
        if target == "coder.partial_response_content":
            facts.response = value(node.value, env)
        elif isinstance(node.targets[0], ast.Name):
            env[target] = value(node.value, env)
    elif isinstance(node, ast.With):
        facts.raises = facts.raises or "assertRaises" in ast.unparse(node.items[0].context_expr)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        method, args = node.func.attr, node.args
        if method in ("write", "write_text") and args:
            facts.writes.append((ast.unparse(node.func.value), value(args[0], env)))
        elif method == "assertEqual" and len(args) == 2:
            facts.equals.append((ast.unparse(args[0]), value(args[1], env)))


BLOCK_TESTS = (
    "test_find_original_update_blocks",
    "test_deepseek_coder_v2_filename_mangling",
    "test_new_file_created_in_same_folder",
    "test_incomplete_edit_block_missing_filename",
)


def aider_editblock(source: str, report: Report) -> None:
    for facts in read_tests(source):
        if facts.name.startswith(BLOCK_TESTS):
            report.add(_edit_case(facts))
        elif {"whole", "part", "replace", "expected_output"} <= facts.env.keys():
            report.add(_chunk_case(facts))
        elif facts.name in ("test_full_edit", "test_create_new_file_with_other_file_in_chat"):
            report.add(_full_case(facts))
        elif facts.name == "test_find_filename":
            for case in _filename_cases(source):
                report.add(case)


def _edit_case(facts: TestFacts) -> Case:
    name, edit = f"editblock/{facts.name}", facts.env["edit"]
    response = parse_document(edit, "blocks")
    if facts.raises:
        return judge(name, response if isinstance(response, Rejection) else {}, None)
    tuples = next((v for e, v in facts.equals if e == "edits"), None)
    if tuples is None:  # the test checks paths or that parsing succeeds
        paths = [v for e, v in facts.equals if e.startswith("edits[") and e.endswith("[0]")]
        if isinstance(response, Rejection):
            allowed = ("empty-search-create",) if ("edits[0][1]", "") in facts.equals else ()
            return judge(name, response, {"?": ""}, allowed)
        got = [f.path for f in response.files for _ in f.ops]
        ok = all(p in got for p in paths)
        return Case(name, "passed" if ok else "unexpected", "" if ok else f"paths {got} != {paths}")
    return _tuples_case(name, edit, tuples)


def _tuples_case(name: str, edit: str, tuples: list[tuple[str, str, str]]) -> Case:
    """Expected blocks become a vector: each file is its searches, the result its replaces."""
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for i, (path, search, replace) in enumerate(tuples):
        before.setdefault(path, []).append(f"<separator {i}>\n{search}")
        after.setdefault(path, []).append(f"<separator {i}>\n{replace}")
    original: Files = {p: "".join(parts) for p, parts in before.items()}
    expected: Files = {p: "".join(parts) for p, parts in after.items()}
    allowed = ("empty-search-create",) if any(t[1] == "" for t in tuples) else ()
    return judge(name, apply_text(original, edit, "blocks"), expected, allowed)


def _block(path: str, search: str, replace: str) -> str:
    return f"{path}\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n"


def _chunk_case(facts: TestFacts) -> Case:
    env = facts.env
    output = _block("file.txt", env["part"], env["replace"])
    result = apply_text({"file.txt": env["whole"]}, output, "blocks")
    allowed: tuple[str, ...] = ("first-match", "whitespace-flexible")
    if env["part"].startswith("\n"):
        allowed += ("leading-blank-line",)
    return judge(f"editblock/{facts.name}", result, {"file.txt": env["expected_output"]}, allowed)


def _full_case(facts: TestFacts) -> Case:
    name = f"editblock/{facts.name}"
    if facts.response is None or not facts.writes:
        return Case(name, "not-run", f"cannot read the test statically: {facts.unknown}")
    original: Files = {"file.txt": facts.writes[0][1]}
    expected: Files = {"file.txt": facts.writes[0][1]}
    for expression, text in facts.equals:
        if expression == "content":
            expected["newfile.txt" if "newfile" in facts.response else "file.txt"] = text
    allowed = ("empty-search-create",)
    return judge(name, apply_text(original, facts.response, "blocks"), expected, allowed)


def _filename_cases(source: str) -> Iterator[Case]:
    """test_find_filename: the lines before a block, and the file name aider finds from them."""
    fn = next(
        n
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.FunctionDef) and n.name == "test_find_filename"
    )
    lines: list[str] = []
    valid: list[str] = []
    for i, stmt in enumerate(fn.body):
        if isinstance(stmt, ast.Assign) and ast.unparse(stmt.targets[0]) == "lines":
            lines = ast.literal_eval(stmt.value)
        elif isinstance(stmt, ast.Assign) and ast.unparse(stmt.targets[0]) == "valid_fnames":
            valid = ast.literal_eval(stmt.value)
        elif isinstance(stmt, ast.Expr) and "find_filename" in ast.unparse(stmt):
            call = stmt.value
            assert isinstance(call, ast.Call)
            expected = next(ast.literal_eval(a) for a in call.args if isinstance(a, ast.Constant))
            yield _filename_case(f"editblock/test_find_filename[{i}]", lines, expected, valid)


def _filename_case(name: str, lines: list[str], expected: str, valid: list[str]) -> Case:
    fenced = sum(1 for x in lines if x.startswith("```")) % 2 == 1
    text = (
        "\n".join(lines)
        + "\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n"
        + ("```\n" if fenced else "")
    )
    response = parse_document(text, "blocks")
    in_chat: Files = {p: "a\n" for p in valid if "\\" not in p}
    if isinstance(response, ModelEditResponse) and response.files[0].path == expected:
        return judge(name, apply_parsed(in_chat | {expected: "a\n"}, response), {expected: "b\n"})
    if isinstance(response, ModelEditResponse):
        result = apply_parsed({p: t for p, t in in_chat.items()}, response)
        return judge(name, result, {expected: "b\n"}, ("fuzzy-filename",))
    return judge(name, response, {expected: "b\n"}, ("fuzzy-filename",))


def aider_udiff(source: str, report: Report) -> None:
    for facts in read_tests(source):
        name, content = f"udiff/{facts.name}", facts.env.get("content")
        if content is None:
            report.add(Case(name, "not-run", "no diff text in the test"))
            continue
        response = parse_document(content, "udiff")
        expected = dict(facts.equals)
        if isinstance(response, Rejection):
            report.add(judge(name, response, {"?": ""}, ("dev-null-edit",)))
        elif "edit[1]" in expected:
            report.add(_hunk_case(name, response, expected["edit[0]"], expected["edit[1]"]))
        else:
            count = expected.get("len(edits)")
            ok = count == len(response.files)
            report.add(Case(name, "passed" if ok else "unexpected", f"{len(response.files)} files"))


def _hunk_case(name: str, response: ModelEditResponse, path: str, hunk: list[str]) -> Case:
    old = "".join(x[1:] for x in hunk if x[0] in " -")
    new = "".join(x[1:] for x in hunk if x[0] in " +")
    if response.files[0].path != path:
        return Case(name, "unexpected", f"path {response.files[0].path!r}, expected {path!r}")
    return judge(
        name,
        apply_parsed({path: f"before\n{old}after\n"}, response),
        {path: f"before\n{new}after\n"},
    )


NOT_EDITS = {"test_update_files_live_diff": "checks the length of aider's live diff display"}


def aider_wholefile(source: str, report: Report) -> None:
    for facts in read_tests(source):
        name = f"wholefile/{facts.name}"
        if facts.response is None or facts.name in NOT_EDITS:
            report.add(Case(name, "not-run", NOT_EDITS.get(facts.name, "no model response")))
            continue
        originals: Files = {_file_of(t, facts.env): text for t, text in facts.writes}
        expected: Files | None = {
            _file_of(e, facts.env): v for e, v in facts.equals if isinstance(v, str)
        } or None
        result = apply_text(originals, facts.response, "blocks")
        report.add(judge(name, result, expected, ("bare-fence-whole-file",)))


def _file_of(expression: str, env: dict[str, Any]) -> str:
    for name in ("sample_file", "fname_a", "fname_b"):
        if name in expression:
            return str(env.get(name, name))
    return str(env.get("sample_file", "file"))


# --- whatthepatch and unidiff: case files --------------------------------------------------


def reverse(diff: str) -> str:
    """The same diff from new to old: swap the header names, the hunk ranges and -/+."""
    lines, out, i = diff.split("\n"), [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            out += ["--- " + lines[i + 1][4:], "+++ " + line[4:]]
            i += 2
            continue
        if line.startswith("@@ "):
            head = line.split(" ")
            out.append(" ".join(["@@", "-" + head[2][1:], "+" + head[1][1:], *head[3:]]))
        elif line[:1] in ("+", "-"):
            out.append({"+": "-", "-": "+"}[line[0]] + line[1:])
        else:
            out.append(line)
        i += 1
    return "\n".join(out)


def whatthepatch(cases: dict[str, str], report: Report) -> None:
    lao, tzu, abc, efg = (cases[n] for n in ("lao", "tzu", "abc", "efg"))
    vectors = [
        ("diff-unified.diff", lao, tzu, "lao"),
        ("diff-unified2.diff", abc, efg, "abc"),
    ]
    for diff_name, old, new, path in vectors:
        diff = cases[diff_name]
        report.add(
            judge(f"{diff_name} forward", apply_text({path: old}, diff, "udiff"), {path: new})
        )
        back = apply_text({path: new}, _swap_names(reverse(diff), path), "udiff")
        report.add(judge(f"{diff_name} reversed", back, {path: old}))
    for bad in ("diff-unified-bad.diff", "diff-unified-bad2.diff"):
        report.add(judge(f"{bad} refused", apply_text({"lao": lao}, cases[bad], "udiff"), None))
    back = apply_text(
        {"lao": tzu}, _swap_names(reverse(cases["diff-unified-bad2.diff"]), "lao"), "udiff"
    )
    report.add(judge("diff-unified-bad2.diff reversed refused", back, None))
    for name, text in sorted(cases.items()):
        if name.endswith((".diff", ".patch", ".comment")) and name not in dict.fromkeys(
            v[0] for v in vectors
        ):
            report.add(_case_file("whatthepatch", name, text))


def _swap_names(diff: str, path: str) -> str:
    """Point both header names at `path` (the lao/tzu diffs name two files, one file is edited)."""
    out = []
    for line in diff.split("\n"):
        if line.startswith(("--- ", "+++ ")):
            out.append(line[:4] + path)
        else:
            out.append(line)
    return "\n".join(out)


# Facts read from the corpora's own tests: the files each case file edits, as (path, action),
# or why gitbench refuses it. A case file not listed must parse into safe paths.
FACTS: dict[str, list[tuple[str, str]] | tuple[str, ...]] = {
    # whatthepatch tests/test_patch.py
    "git-oneline-add.diff": [("oneline.txt", "create")],
    "git-oneline-change.diff": [("oneline.txt", "edit")],
    "git-oneline-rm.diff": [("oneline.txt", "delete")],
    "git-new-empty-file.diff": [("somefile.txt", "create")],
    "git-bin.patch": ("refused", "GIT binary patch"),
    "git-binary-files.diff": ("refused", "Binary files"),
    "apache-attachment-28223.diff": ("refused", "Binary files"),
    "unified-header.diff": ("refused", "is absolute"),
    "unified-header-notab.diff": ("refused", "is absolute"),
    "diff-unified-blah.diff": ("divergence", "overlong-hunk"),
    "git-header.diff": ("refused", "declares"),  # header tests: a hunk header with no lines
    "git-header-long.diff": ("refused", "declares"),
    "svn-header.diff": ("refused", "declares"),
    "cvs-header.diff": ("refused", "changes nothing"),  # a header test: one blank context line
    "svn-mixed_line_ends.patch": [
        ("java/org/apache/catalina/loader/WebappClassLoader.java", "edit")
    ],
    # unidiff tests/test_parser.py
    "sample0.diff": ("refused", "is absolute"),  # --- /path/to/original
    "sample1.diff": ("refused", "is absolute"),
    "sample6.diff": ("refused", "is absolute"),
    "sample7.diff": ("refused", "is absolute"),
    # The same files with relative names (derived), so the hunks themselves are checked.
    "relative sample0.diff": [
        ("original", "edit"),
        ("another_new", "create"),
        ("existing", "delete"),
    ],
    "relative sample1.diff": ("refused", "declares"),
    "relative sample6.diff": ("refused", "declares"),
    "relative sample7.diff": ("refused", "declares"),
    "sample2.diff": (
        "refused",
        "declares",
    ),  # unused by unidiff's tests: its last hunk is cut short
    "sample8.diff": ("refused", "Binary files"),
    "binary.diff": ("refused", "GIT binary patch"),
    "debdiff.diff": ("refused", "Binary files"),
    "git_no_prefix.diff": [("file1", "delete"), ("file2", "edit"), ("file3", "create")],
    "git_quoted_filename.diff": [("A \u00e2 B.py", "create")],
    "git_quoted_filename_with_spaces.diff": [("docs/develop/Bug \u6392\u67e5.md", "edit")],
    "git_filenames_with_spaces.diff": [("has spaces/t.sql", "create")],
    "git_filenames_with_spaces_prefix.diff": ("divergence", "custom-prefix"),
    "git_delete.diff": [("somefile.c", "delete")],
    "git_rename.diff": ("refused", "rename from"),
    "git_symlink.diff": ("refused", "not a regular file"),
    "git_submodule.diff": ("refused", "not a regular file"),
    "git_cr.diff": [
        ("src/test/org/apache/commons/math/util/ExpandableDoubleArrayTest.java", "create")
    ],
}
NOT_UNIFIED = (
    "context",
    "default",
    "-ed",
    "rcs",
    "cvs-header",
    "svn-header",
    "issue39",
    "git-header",
    "mozilla-252983",
    "apache-attachment-2241",
    "eclipse-attachment-126343",
)


def _case_file(corpus: str, name: str, text: str) -> Case:
    label = f"{name}"
    response = parse_document(text, "udiff")
    fact = FACTS.get(name)
    if isinstance(fact, tuple) and fact[0] == "divergence":
        return judge(
            label, response if isinstance(response, Rejection) else {}, {"?": ""}, (fact[1],)
        )
    if isinstance(fact, tuple):
        ok = isinstance(response, Rejection) and fact[1] in response.detail
        detail = response.detail if isinstance(response, Rejection) else "parsed"
        return Case(label, "passed" if ok else "unexpected", detail)
    if isinstance(response, Rejection):
        if fact is None and any(k in name for k in NOT_UNIFIED):
            return judge(label, response, {"?": ""}, ("not-unified",))
        return Case(label, "unexpected", f"{response.reason.value}: {response.detail}")
    got = [(f.path, f.action) for f in response.files]
    if fact is not None and sorted(got) != sorted(fact):
        return Case(label, "unexpected", f"files {got}, expected {fact}")
    return Case(label, "passed", f"{len(got)} file(s)")


def unidiff_samples(cases: dict[str, str], report: Report) -> None:
    for name, text in sorted(cases.items()):
        if name.endswith(".diff"):
            report.add(_case_file("unidiff", name, text))
        if name in ("sample0.diff", "sample1.diff", "sample6.diff", "sample7.diff"):
            relative = text.replace(" /path/to/", " ")
            report.add(_case_file("unidiff", f"relative {name}", relative))
    _path_safety(cases["git.diff"], report)


def _path_safety(diff: str, report: Report) -> None:
    """Derived from a corpus diff: the same hunks under unsafe names must be invalid_path."""
    first = diff.index("--- ")
    section = diff[first:].split("\ndiff --git ", 1)[0]
    lines = section.split("\n")
    for label, name in (
        ("absolute", "/etc/passwd"),
        ("dotdot", "../outside.txt"),
        ("dotgit", ".git/config"),
    ):
        unsafe = "\n".join(
            [
                f"--- a/{name}" if name[0] != "/" else f"--- {name}",
                f"+++ b/{name}" if name[0] != "/" else f"+++ {name}",
                *lines[2:],
            ]
        )
        result = parse_document(unsafe, "udiff")
        ok = isinstance(result, Rejection) and result.reason.value == "invalid_path"
        report.add(
            Case(
                f"git.diff as {label} path",
                "passed" if ok else "unexpected",
                str(getattr(result, "detail", "")),
            )
        )


# --- main ------------------------------------------------------------------------------------


def run_corpus(pin: Pin) -> Report:
    archive = fetch(pin)
    report = Report(f"{pin.name}=={pin.version}")
    if pin.name == "aider-chat":
        tests = members(archive, "tests/basic/")
        aider_editblock(tests["test_editblock.py"], report)
        aider_udiff(tests["test_udiff.py"], report)
        aider_wholefile(tests["test_wholefile.py"], report)
    elif pin.name == "whatthepatch":
        whatthepatch(members(archive, "tests/casefiles/"), report)
    else:
        unidiff_samples(members(archive, "tests/samples/"), report)
    return report


def render(report: Report) -> list[str]:
    counts = Counter(c.outcome for c in report.cases)
    run = len(report.cases) - counts["not-run"]
    out = [
        f"{report.corpus}: {run} run, {counts['passed']} passed, "
        f"{counts['divergence']} expected divergences, {counts['unexpected']} unexpected"
        + (f" ({counts['not-run']} not run)" if counts["not-run"] else "")
    ]
    by_name = Counter(c.divergence for c in report.cases if c.outcome == "divergence")
    for key, count in sorted(by_name.items()):
        out.append(f"  divergence {key} x{count}: {DIVERGENCES[key][0]}")
        out.extend(f"    - {c.name}" for c in report.cases if c.divergence == key)
    for case in report.cases:
        if case.outcome in ("unexpected", "not-run"):
            out.append(f"  {case.outcome}: {case.name}: {case.note}")
    return out


def main() -> int:
    failed = False
    for pin in PINS:
        try:
            report = run_corpus(pin)
        except RuntimeError as exc:
            print(f"{pin.name}=={pin.version}: NOT RUN: {exc}")
            failed = True
            continue
        print("\n".join(render(report)))
        failed = failed or any(c.outcome == "unexpected" for c in report.cases)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
