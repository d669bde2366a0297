"""The README and docs/ stay true: generated parts match the code, every command is documented,
and CI runs exactly the README's test command."""

import re
from pathlib import Path

import pytest

from peacemonitor import docs

REPO = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_quick_start_has_exactly_two_commands():
    commands = quick_start_commands()
    assert len(commands) == 2
    assert commands[0] == "pip install . && peacemonitor serve"
    assert commands[1].startswith("pip install -e '.[test]'")


def test_ci_runs_the_readme_test_command():
    assert quick_start_commands()[1] in (REPO / ".ci" / "run").read_text()


@pytest.mark.parametrize("name", ["categories.md", "json.md", "views.md"])
def test_generated_docs_match_the_code(name):
    generate = docs._generators()[name]
    text = (REPO / "docs" / name).read_text()
    assert docs.splice(text, name, generate()) == text, "run: python -m peacemonitor.docs"


def _command_names(group, prefix=""):
    for name, command in sorted(group.commands.items()):
        sub = getattr(command, "commands", None)
        if sub:
            yield from _command_names(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}"


def test_every_cli_command_is_documented():
    import typer

    from peacemonitor.cli import app

    group = typer.main.get_command(app)
    text = (REPO / "docs" / "cli.md").read_text()
    missing = [n for n in _command_names(group) if f"`peacemonitor {n}" not in text]
    assert missing == []


def test_library_answers_as_frames():
    from peacemonitor import registry as reg
    from peacemonitor.shapes import to_frame
    from peacemonitor.tables import list_tables

    fixture = REPO / "tests" / "data" / "registry"
    import datetime as dt

    frame = to_frame(list_tables(reg.load(fixture), dt.date(2024, 10, 1)))
    assert frame.loc[0, ["id", "status", "status_since"]].tolist() == [
        "national-table",
        "suspended",
        "2024-09-17",
    ]


def test_the_quick_start_serves_a_useful_overview_on_a_fresh_store(tmp_path):
    """The README's first command, after its install: `peacemonitor serve` in an empty folder
    creates the store and answers with the overview (tables from the bundled registry, and what
    to load for the map)."""
    import os
    import shutil
    import socket
    import subprocess
    import time

    import httpx

    executable = shutil.which("peacemonitor")
    if executable is None:
        pytest.skip("the peacemonitor command is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k != "PEACEMONITOR_DB"}
    server = subprocess.Popen(
        [executable, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        page = None
        deadline = time.monotonic() + 60
        while page is None and time.monotonic() < deadline and server.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/?lang=en", timeout=30)
            except httpx.TransportError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200
        assert "Negotiation tables by level and status" in page.text
        assert "<td>national</td>" in page.text  # tables counted from the bundled registry
        assert "peacemonitor data load path/to/divipola" in page.text
        assert (tmp_path / "peacemonitor.duckdb").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)
