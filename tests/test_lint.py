"""Estilo: ``ruff check`` y ``ruff format --check`` limpios en utils/, tests/, scripts/ y en cada cuaderno.

La configuración está en pyproject.toml ([tool.ruff]). Para arreglarlo:
``ruff check --fix utils tests scripts notebooks && ruff format utils tests scripts notebooks``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from scripts import quality
from scripts.sync_notebooks import SETUP_TEMPLATE


def ruff(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=quality.ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ruff_check_code():
    result = ruff("check", "--no-fix", *quality.LINT_PATHS)
    assert result.returncode == 0, f"ruff check falla; prueba `ruff check --fix`:\n{result.stdout}{result.stderr}"


def test_ruff_format_code():
    result = ruff("format", "--check", "--diff", *quality.LINT_PATHS)
    assert result.returncode == 0, f"Falta formato; ejecuta `ruff format utils tests scripts`:\n{result.stdout}"


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in quality.notebook_paths()])
def test_ruff_notebook(path):
    check = ruff("check", "--no-fix", str(path))
    fmt = ruff("format", "--check", "--diff", str(path))
    problems = []
    if check.returncode != 0:
        problems.append(f"ruff check:\n{check.stdout}{check.stderr}")
    if fmt.returncode != 0:
        problems.append(f"ruff format (ejecuta `ruff format {quality.rel(path)}`):\n{fmt.stdout}{fmt.stderr}")
    assert not problems, "\n".join(problems)


def test_setup_template_is_stable_under_ruff():
    """Si ruff reformateara la celda de configuración, sync_notebooks.py --check fallaría después."""
    fmt = ruff("format", "--stdin-filename", "celda.py", "-", stdin=SETUP_TEMPLATE + "\n")
    assert fmt.returncode == 0 and fmt.stdout == SETUP_TEMPLATE + "\n", fmt.stdout + fmt.stderr
    check = ruff("check", "--no-fix", "--stdin-filename", "celda.py", "-", stdin=SETUP_TEMPLATE + "\n")
    assert check.returncode == 0, check.stdout


def test_lint_findings_report_problems(tmp_path):
    bad = tmp_path / "malo.py"
    bad.write_text("import os\nx=1\n", encoding="utf-8")
    findings = quality.lint_findings([str(bad)])
    messages = " ".join(f.message for f in findings)
    assert "F401" in messages and "sin formato" in messages
