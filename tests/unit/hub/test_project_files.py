"""The README and the compose file stay true to the code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hub.settings import Settings

ROOT = Path(__file__).resolve().parents[3]


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [f"HUB_{name.upper()}" for name in Settings.model_fields if f"`HUB_{name.upper()}`" not in readme]
    assert not missing, f"README lacks settings: {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    lines = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("make ")]
    assert [line.split()[:2] for line in lines[:2]] == [["make", "run"], ["make", "test"]]


def test_docker_compose_file_is_valid() -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose); .ci/run installs it")
    result = subprocess.run(["docker-compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    scaled = subprocess.run(["docker-compose", "--profile", "scale", "config", "-q"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert scaled.returncode == 0, scaled.stderr


def test_dockerfile_installs_the_same_extras_as_make_run() -> None:
    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "-e '.[embedded]'" in makefile
    assert 'pip install ".[embedded]"' in dockerfile
