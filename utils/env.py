"""Comprobación del entorno antes de clase: versiones, dispositivo y datos, con el arreglo de cada problema.

Uso, desde la raíz del repositorio (o en la primera celda de un cuaderno)::

    python -m utils.env

Imprime una línea por comprobación (✓ bien, ! aviso, ✗ problema) y, bajo cada problema, cómo
arreglarlo. Sale con 1 si hay algún problema; los avisos no impiden seguir el curso.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .fmt import comma

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
INSTALL = "pip install -r requirements.txt"
# Los paquetes que el curso necesita en un cuaderno (el resto de requirements.txt es para desarrollar).
PACKAGES = ("torch", "torchvision", "numpy", "matplotlib", "ipywidgets")
MIN_PYTHON = (3, 10)


@dataclass(frozen=True)
class Check:
    """Una comprobación: qué (``name``), si está bien (``ok``: True, False o None para un aviso), lo visto
    (``detail``) y el arreglo (``fix``, vacío si no hace falta)."""

    name: str
    ok: bool | None
    detail: str
    fix: str = ""


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", text.split("+")[0])[:3])


def minimum_versions(requirements: Path = ROOT / "requirements.txt") -> dict[str, str]:
    """La versión mínima (``>=``) de cada paquete de ``requirements.txt``, la única lista del entorno."""
    found = {}
    if requirements.exists():
        for line in requirements.read_text(encoding="utf-8").splitlines():
            m = re.match(r"^([A-Za-z0-9_.\-]+)\s*>=\s*([0-9][\w.]*)", line.split("#")[0].strip())
            if m:
                found[m.group(1).lower()] = m.group(2)
    return found


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> Check:
    shown = ".".join(map(str, version))
    if tuple(version[:2]) >= MIN_PYTHON:
        return Check("Python", True, shown)
    need = ".".join(map(str, MIN_PYTHON))
    return Check(
        "Python", False, f"{shown}, y el curso necesita {need} o posterior", f"instala Python {need} o posterior"
    )


def check_package(name: str, minimum: str | None = None, version: str | None = None) -> Check:
    """Que ``name`` esté instalado y sea al menos ``minimum``. ``version`` sustituye a la instalada (tests)."""
    try:
        installed = version or importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        fix = f"{INSTALL} (sin GPU, antes la línea de solo CPU del README: --index-url {CPU_INDEX})"
        return Check(name, False, "no está instalado", fix if name in ("torch", "torchvision") else INSTALL)
    if minimum and _version_tuple(installed) < _version_tuple(minimum):
        return Check(name, False, f"{installed}, y el curso necesita {minimum} o posterior", f"{INSTALL} --upgrade")
    return Check(name, True, installed)


def check_torch_build(cuda_build: str | None = None, cuda_available: bool | None = None) -> Check:
    """Avisa si la versión de PyTorch es la de CUDA (unos 5 GB) en una máquina sin GPU."""
    import torch

    cuda_build = torch.version.cuda if cuda_build is None else cuda_build
    cuda_available = torch.cuda.is_available() if cuda_available is None else cuda_available
    if cuda_build and not cuda_available:
        return Check(
            "versión de PyTorch",
            None,
            f"la de CUDA {cuda_build} en una máquina sin GPU: funciona, pero ocupa unos 5 GB",
            f"para ahorrar espacio: pip install torch torchvision --index-url {CPU_INDEX}",
        )
    return Check("versión de PyTorch", True, f"CUDA {cuda_build}" if cuda_build else "solo CPU")


def check_device() -> Check:
    import torch

    from utils.train import get_device

    device = get_device("auto", allow_mps=False)
    if device.type == "cuda":
        return Check("dispositivo", True, f"GPU CUDA: {torch.cuda.get_device_name(0)}")
    return Check("dispositivo", True, f"CPU con {torch.get_num_threads()} hilos (basta para el curso)")


def check_data() -> Check:
    """Que Fashion-MNIST esté en algún sitio local (sin descargar nada) y de dónde sale."""
    from utils.data import DatasetError, load_fashion_mnist

    try:
        data = load_fashion_mnist(download=False)
    except DatasetError as err:
        first, _, rest = str(err).partition("\n")
        fix = rest.strip() or first
        return Check("datos (Fashion-MNIST)", False, first, fix)
    return Check(
        "datos (Fashion-MNIST)", True, f"{len(data.train_labels)} + {len(data.test_labels)} imágenes ({data.source})"
    )


def check_checkpoint(path: Path = ROOT / "checkpoints" / "vit_fashion_mnist.pt") -> Check:
    if path.exists():
        return Check("modelo entrenado", True, f"{path.relative_to(ROOT)} ({comma(path.stat().st_size / 2**20, 1)} MB)")
    return Check(
        "modelo entrenado",
        None,
        f"no está {path.relative_to(ROOT)}: el cuaderno 06 tendrá que usar el tuyo del 05",
        "clona el repositorio completo (git clone) en vez de copiar solo los cuadernos",
    )


def check_environment() -> list[Check]:
    """Todas las comprobaciones, en el orden en que se imprimen."""
    minimums = minimum_versions()
    checks = [check_python()] + [check_package(name, minimums.get(name)) for name in PACKAGES]
    if checks[1].ok:  # con torch instalado
        checks += [check_torch_build(), check_device()]
    return checks + [check_data(), check_checkpoint()]


SYMBOL = {True: "✓", None: "!", False: "✗"}


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def report(checks: list[Check]) -> str:
    """El informe en español: una línea por comprobación y el arreglo de cada problema o aviso."""
    lines = ["Comprobación del entorno del curso ViT desde cero:"]
    for check in checks:
        lines.append(f"  {SYMBOL[check.ok]} {check.name}: {check.detail}")
        if check.fix and check.ok is not True:
            lines.append(f"      arreglo: {check.fix}")
    problems = sum(c.ok is False for c in checks)
    warnings = sum(c.ok is None for c in checks)
    if problems:
        lines.append(f"Hay {_count(problems, 'problema')}: arréglalos antes de clase.")
    else:
        extra = f" ({_count(warnings, 'aviso')}, que no impiden seguir)" if warnings else ""
        lines.append(f"Todo listo para el curso{extra}.")
    return "\n".join(lines)


def main() -> int:
    checks = check_environment()
    print(report(checks))
    return 1 if any(c.ok is False for c in checks) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
