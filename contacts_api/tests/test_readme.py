"""The README as a newcomer follows it: its curl walk-through, run top to bottom against a
fresh `make run` layout with the demo data, answers each command with the status written
at the end of its line."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
EXPECTED = re.compile(r"#\s*(\d{3})\b[^\n]*$")


def curl_block() -> str:
    text = README.read_text()
    section = text[text.index("## The API in curl"):]
    return section[section.index("```sh\n") + len("```sh\n"):section.index("```", section.index("```sh\n") + 5)]


def commands(block: str) -> list[tuple[str, str]]:
    """(command, expected status) for each command of the block: its lines up to the one
    that ends with the status it answers."""
    found, current = [], ""
    for line in block.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line + "\n"
        match = EXPECTED.search(line)
        if match:
            found.append((current, match.group(1)))
            current = ""
    assert not current, f"no status written after: {current}"
    return found


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_curl_walk_through_runs_on_make_runs_demo_data(served):
    walk = commands(curl_block())
    assert len(walk) >= 25
    statuses = []
    for command, expected in walk:
        command = command.replace("http://127.0.0.1:8000", served["base"])
        # Each command as written, plus the status: curl's -w, after the command's own flags.
        result = subprocess.run(["bash", "-c", f"curl() {{ command curl -o /dev/null -w '%{{http_code}}' \"$@\"; }}; {command}"],
                                env={**os.environ, "KEY": served["key"], "API": f"{served['base']}/api/v1"},
                                capture_output=True, text=True, timeout=30)
        statuses.append((command.split('"$API')[-1][:60].strip(), result.stdout.strip()[-3:], expected))
    assert [(where, got) for where, got, expected in statuses] == [(where, expected) for where, got, expected in statuses]
