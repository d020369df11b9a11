"""Installing the git hooks of `hooks/` into a workbench, and reporting whether they are active."""

from __future__ import annotations

from pathlib import Path

import gitbench
from gitbench.services.models import HooksResult, HookState
from gitbench.store import gitconfig
from gitbench.store.repo import Workbench

BACKUP_SUFFIX = ".pre-gitbench"


def shipped_hooks_dir() -> Path:
    """Where the hooks live: inside the installed package, or at the top of a source checkout."""
    package = Path(gitbench.__file__).resolve().parent
    for candidate in (package / "_hooks", package.parent / "hooks"):
        if candidate.is_dir():
            return candidate
    return package / "_hooks"


def shipped_hooks() -> dict[str, bytes]:
    folder = shipped_hooks_dir()
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and "." not in p.name  # README.md and friends are not hooks
    }


def install_hooks(wb: Workbench) -> HooksResult:
    """Install (or repair) every shipped hook; a different hook already there is kept aside
    as `<name>.pre-gitbench` rather than overwritten."""
    target = hooks_dir(wb)
    target.mkdir(parents=True, exist_ok=True)
    repaired = []
    for name, content in shipped_hooks().items():
        path = target / name
        if path.is_file() and path.read_bytes() == content and _executable(path):
            continue
        if path.exists() and path.read_bytes() != content:
            path.replace(target / (name + BACKUP_SUFFIX))
        path.write_bytes(content)
        path.chmod(0o755)
        repaired.append(name)
    return _status(wb, repaired)


def hooks_status(wb: Workbench) -> HooksResult:
    """Which shipped hooks are installed and current, with warnings when plain git would not
    run them."""
    return _status(wb, [])


def hooks_dir(wb: Workbench) -> Path:
    configured = gitconfig.get_value(wb, "core.hooksPath")
    if configured:
        path = Path(configured).expanduser()
        return path if path.is_absolute() else wb.root / path
    return wb.git_dir / "hooks"


def _status(wb: Workbench, repaired: list[str]) -> HooksResult:
    folder = hooks_dir(wb)
    states = []
    for name, content in shipped_hooks().items():
        path = folder / name
        installed = path.is_file() and _executable(path)
        states.append(
            HookState(
                name=name, installed=installed, current=installed and path.read_bytes() == content
            )
        )
    warnings = [f"hook '{s.name}' is missing or out of date" for s in states if not s.current]
    if folder != wb.git_dir / "hooks":
        warnings.append(f"core.hooksPath points git at {folder}, not at the workbench's hooks")
    return HooksResult(
        hooks_dir=str(folder),
        active=all(s.current for s in states),
        hooks=states,
        repaired=repaired,
        warnings=warnings,
    )


def _executable(path: Path) -> bool:
    return bool(path.stat().st_mode & 0o111)
