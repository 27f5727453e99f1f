"""`--out FILE`: a new path or an existing regular file, never a file the run itself reads."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from config import ConfigError
from lzctl.stackfile import PROJECT_FILE, PROJECT_ROOT, read_stack


def _read_by_the_run(stack: Optional[str], config_dir: Optional[Path], project_dir: Path) -> tuple[list[Path], list[Path]]:
    """(files, folders) a plan of `stack` reads: the project and stack files, the config folder."""
    files = [project_dir / PROJECT_FILE, *project_dir.glob("Pulumi.*.yaml")]
    folders = [Path(config_dir)] if config_dir is not None else [project_dir / "config"]
    if config_dir is None and stack:
        try:
            settings = read_stack(stack, project_dir)
        except ConfigError:
            pass  # the plan reports it; the default folder is still protected
        else:
            folders.append(project_dir / settings.config.get(f"{settings.project}:configDir", "config"))
    return files, folders


def out_problem(
    out: Path, stack: Optional[str] = None, config_dir: Optional[Path] = None, also_read: tuple[Path, ...] = (), project_dir: Path = PROJECT_ROOT
) -> Optional[str]:
    """Why `out` must not be written (to follow "cannot write ... to OUT: "), or None."""
    if out.exists() and not out.is_file():
        kind = "a folder" if out.is_dir() else "not a regular file (a device, a pipe or a socket)"
        return f"it is {kind}; give --out a new path or a regular file to overwrite"
    if not out.parent.is_dir():
        return f"no such folder {out.parent}"
    target = out.resolve()
    files, folders = _read_by_the_run(stack, config_dir, project_dir)
    for path in [*files, *also_read]:
        if path.exists() and path.resolve() == target:
            return f"it is {path}, which this run reads; give --out another path"
    for folder in folders:
        if target.exists() and target.is_relative_to(folder.resolve()):
            return f"it would overwrite a file of the config folder {folder}; give --out another path"
    return None
