"""La comprobación del entorno antes de clase (``python -m utils.env``): dice lo que ve y cómo arreglarlo."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from utils import env

ROOT = Path(__file__).resolve().parents[1]


def test_this_machine_is_ready():
    checks = env.check_environment()
    names = [c.name for c in checks]
    for name in ("Python", "torch", "torchvision", "ipywidgets", "matplotlib", "dispositivo", "datos (Fashion-MNIST)"):
        assert name in names
    assert all(c.ok is not False for c in checks), env.report(checks)
    data = next(c for c in checks if c.name.startswith("datos"))
    assert "60000 + 10000" in data.detail and ":" in data.detail  # de dónde salen


def test_minimums_come_from_requirements():
    minimums = env.minimum_versions()
    assert minimums["torch"] == "2.4" and "ipywidgets" in minimums


def test_old_or_missing_package_says_how_to_fix(monkeypatch):
    old = env.check_package("torch", "2.4", version="2.1.0+cpu")
    assert old.ok is False and "2.4" in old.detail and "--upgrade" in old.fix
    missing = env.check_package("paquete-que-no-existe-vit")
    assert missing.ok is False and missing.detail == "no está instalado" and "requirements.txt" in missing.fix

    def not_installed(name):
        raise env.importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(env.importlib.metadata, "version", not_installed)
    torch_missing = env.check_package("torch", "2.4")
    assert torch_missing.ok is False and env.CPU_INDEX in torch_missing.fix  # sin GPU, la línea de solo CPU


def test_old_python_is_a_problem():
    assert env.check_python((3, 12, 1)).ok
    old = env.check_python((3, 8, 10))
    assert old.ok is False and "3.10" in old.fix


def test_cuda_build_without_gpu_is_a_warning_with_the_cpu_line():
    warning = env.check_torch_build(cuda_build="12.4", cuda_available=False)
    assert warning.ok is None and "5 GB" in warning.detail and env.CPU_INDEX in warning.fix
    assert env.check_torch_build(cuda_build="", cuda_available=False).ok is True


def test_missing_data_names_the_variable_and_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path / "vacia"))
    check = env.check_data()
    assert check.ok is False and "FASHION_MNIST_DIR" in check.detail and check.fix


def test_report_is_in_spanish_and_lists_the_fix():
    checks = [env.Check("Python", True, "3.11.7"), env.Check("datos", False, "no se encuentra", "instala el paquete")]
    text = env.report(checks)
    assert "✓ Python: 3.11.7" in text and "✗ datos: no se encuentra" in text
    assert "arreglo: instala el paquete" in text and "Hay 1 problema:" in text


def test_command_line():
    done = subprocess.run([sys.executable, "-m", "utils.env"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Comprobación del entorno" in done.stdout and "Todo listo" in done.stdout
