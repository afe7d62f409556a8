"""The installer files agree with each other and with the package they ship.

The bundle itself is built and run by CI (``make dist`` and installer/smoke-test.sh):
PyInstaller takes minutes, too slow for the test run. These checks catch, in
milliseconds, the renames that would break it: an executable, an icon or a folder
named differently in the spec, the desktop entry, the Makefile and the Inno script.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import shlex
import tomllib
from pathlib import Path

import desk_app

ROOT = Path(__file__).resolve().parents[1]
INSTALLER = ROOT / "installer"
SPEC = INSTALLER / "desk-app.spec"


def _spec_calls(name: str) -> list[ast.Call]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name
    ]


def _keyword(call: ast.Call, key: str) -> object:
    return next(ast.literal_eval(k.value) for k in call.keywords if k.arg == key)


def _executables() -> dict[str, bool]:
    """Executable name -> whether it has a console, as the spec builds them."""
    return {str(_keyword(c, "name")): bool(_keyword(c, "console")) for c in _spec_calls("EXE")}


def _data_destinations() -> set[str]:
    """The folders the spec's ``datas`` list puts files in, inside the bundle."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            dest = node.elts[1]
            if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
                found.add(dest.value)
    return found


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(INSTALLER / "desk-app.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def _makefile_recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n|\n)+)", text, re.MULTILINE)
    assert match, f"the Makefile has no {target} target"
    return match.group(1)


def test_the_spec_builds_one_folder_with_the_command_line_executable() -> None:
    collect = _spec_calls("COLLECT")
    assert len(collect) == 1 and _keyword(collect[0], "name") == "desk-app"
    # One folder: the executables leave the libraries to COLLECT, none is one-file.
    assert all(_keyword(c, "exclude_binaries") is True for c in _spec_calls("EXE"))
    executables = _executables()
    assert executables["desk-app"] is True  # the command line needs its console
    assert executables.get("Desk") is False  # the Start menu's window, on Windows


def test_the_spec_ships_what_desk_reads_as_files() -> None:
    destinations = _data_destinations()
    for folder in (
        "desk_app/resources",
        "desk_app/db/migrations",
        "desk_app/db/migrations/versions",
        "resources",
        "docs/guide",  # the user guide, read from the bundle's data folder when frozen
    ):
        assert folder in destinations, folder
        assert (ROOT / folder).is_dir(), folder
    assert (ROOT / "desk_app/db/migrations/env.py").is_file()


def test_the_spec_keeps_the_metadata_help_about_reads() -> None:
    """Help -> About reads distribution versions; frozen, only copied metadata exists."""
    about = (ROOT / "desk_app/ui/dialogs/about_dialog.py").read_text(encoding="utf-8")
    read = set(re.findall(r'_distribution_version\("([^"]+)"\)', about))
    copied = {
        ast.literal_eval(call.args[0])
        for call in _spec_calls("copy_metadata")
        if call.args and isinstance(call.args[0], ast.Constant)
    }
    assert read <= copied, f"add copy_metadata for {sorted(read - copied)} to the spec"


def test_the_desktop_entry_starts_what_the_tarball_ships() -> None:
    entry = _desktop_entry()
    assert entry["Type"] == "Application" and entry["Name"] == "Desk"
    assert entry["Terminal"] == "false"
    program = shlex.split(entry["Exec"])[0]
    assert program == entry["TryExec"] == "desk-app"
    assert program in _executables()
    dist = _makefile_recipe("dist")
    # The tarball carries the entry and the icon under the name the entry asks for.
    assert "cp installer/desk-app.desktop" in dist
    assert f"cp resources/icons/desk.svg dist/desk-app/{entry['Icon']}.svg" in dist
    assert (ROOT / "resources/icons/desk.svg").is_file()
    note = (INSTALLER / "INSTALL-LINUX.txt").read_text(encoding="utf-8")
    assert "~/.local/share/applications" in note
    assert f"desk-app/{entry['Icon']}.svg" in note
    assert "tar -C dist -czf $(TARBALL) desk-app" in dist


def test_the_makefile_names_the_tarball_by_the_package_version() -> None:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "TARBALL  = dist/desk-app-$(VERSION)-linux-x86_64.tar.gz" in text
    sed = re.search(r"VERSION\s+= \$\(shell sed -n '(.*)' desk_app/__init__.py\)", text)
    assert sed, "VERSION is read from desk_app/__init__.py"
    # The sed expression (written for make, $$ for $) finds exactly the package's version.
    pattern = sed.group(1).replace("$$", "$").removeprefix("s/").split("/")[0]
    pattern = pattern.replace(r"\(", "(").replace(r"\)", ")")
    init = (ROOT / "desk_app/__init__.py").read_text(encoding="utf-8")
    found = [m.group(1) for line in init.splitlines() if (m := re.fullmatch(pattern, line))]
    assert found == [desk_app.__version__]


def test_the_inno_script_installs_the_bundle_with_the_version_the_build_passes() -> None:
    iss = (INSTALLER / "desk.iss").read_text(encoding="utf-8")
    # No version written in the script: the build must pass it, or iscc stops.
    assert re.search(r"#ifndef AppVersion\s*\n\s*#error", iss)
    assert "AppVersion={#AppVersion}" in iss
    assert re.search(r"^OutputBaseFilename=desk-app-\{#AppVersion\}-", iss, re.MULTILINE)
    assert 'Source: "..\\dist\\desk-app\\*"' in iss  # the spec's COLLECT folder
    shortcuts = re.findall(r'Filename: "\{app\}\\([^"]+)"', iss)
    assert shortcuts and set(shortcuts) <= {f"{name}.exe" for name in _executables()}
    assert "{uninstallexe}" in iss
    guide = (INSTALLER / "BUILD-WINDOWS.md").read_text(encoding="utf-8")
    assert "iscc /DAppVersion=$version installer\\desk.iss" in guide
    assert "import desk_app; print(desk_app.__version__)" in guide
    assert "installer\\desk-app.spec" in guide


def test_pyinstaller_is_a_build_tool_not_a_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(dep.lower().startswith("pyinstaller") for dep in project["dependencies"])
    dist = project["optional-dependencies"]["dist"]
    assert any(re.fullmatch(r"pyinstaller>=6(\.\d+)*", dep) for dep in dist), dist


def test_the_smoke_test_is_a_script_ci_runs() -> None:
    smoke = INSTALLER / "smoke-test.sh"
    assert os.access(smoke, os.X_OK)
    assert "installer/smoke-test.sh" in _makefile_recipe("smoke-dist")
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert "make dist" in ci and "make smoke-dist" in ci


def test_the_spec_excludes_no_qt_module_desk_imports() -> None:
    """A Qt module Desk starts to use must leave the spec's exclusions, or the bundle
    would fail where the venv works."""
    spec = SPEC.read_text(encoding="utf-8")
    block = spec.split("EXCLUDED_QT = [", 1)[1].split("]", 1)[0]
    excluded = set(re.findall(r"\bQt\w+", block))
    assert "QtWebEngineCore" in excluded and "QtQml" in excluded
    used: set[str] = set()
    for source in (ROOT / "desk_app").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.(Qt\w+)", source.read_text(encoding="utf-8")))
        used |= {
            name
            for names in re.findall(r"from PySide6 import ([\w, ]+)", source.read_text("utf-8"))
            for name in re.findall(r"Qt\w+", names)
        }
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    assert not used & excluded, f"the spec excludes Qt modules Desk uses: {used & excluded}"
