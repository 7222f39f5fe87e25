"""Escribe en cada cuaderno la insignia de Colab y la celda de configuración.

Ambas salen de ``utils/course.py`` (el único sitio con la dirección del repositorio).
Uso: ``python scripts/sync_notebooks.py`` (``--check`` solo comprueba, sin escribir).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.course import ALL_NOTEBOOKS, REPO_SLUG, REPO_URL, colab_badge  # noqa: E402

SETUP_MARK = "# Configuración del cuaderno"
BADGE_RE = re.compile(r"\[!\[Abrir en Colab\]\([^)]*\)\]\([^)]*\)")
REPO_DIR = REPO_SLUG.split("/")[1]

SETUP_TEMPLATE = f'''{SETUP_MARK} (igual en Colab y en local; la escribe scripts/sync_notebooks.py).
import subprocess
import sys
from pathlib import Path

REPO_URL = "{REPO_URL}"
if "google.colab" in sys.modules:  # en Colab: trae el repositorio y lo que falte, sin tocar su torch
    if not Path("{REPO_DIR}").exists():
        subprocess.run(["git", "clone", "--depth", "1", REPO_URL], check=True)
    requirements = Path("{REPO_DIR}") / "requirements-colab.txt"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(requirements)], check=True)
    ROOT = Path("{REPO_DIR}").resolve()
else:  # en local: la raíz del repositorio es la carpeta que contiene utils/
    ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "utils").is_dir())
sys.path.insert(0, str(ROOT))

from utils.notebook import setup  # noqa: E402

device = setup(seed=0)'''


def notebook_name(path: Path) -> str:
    """La ruta de un cuaderno dentro de ``notebooks/`` (``02_atencion.ipynb``, ``soluciones/…``)."""
    path = Path(path).resolve()
    folder = ROOT / "notebooks"
    return path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name


def sync(path: Path, check: bool = False) -> list[str]:
    """Pone al día la insignia y la celda de configuración de ``path``; devuelve lo que cambió."""
    nb = nbformat.read(path, as_version=4)
    changes = []
    badge = colab_badge(notebook_name(path))
    first_md = next(c for c in nb.cells if c.cell_type == "markdown")
    if badge not in first_md.source:
        new = (
            BADGE_RE.sub(badge, first_md.source)
            if BADGE_RE.search(first_md.source)
            else f"{badge}\n\n{first_md.source}"
        )
        first_md.source = new
        changes.append("insignia")
    setup_cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(SETUP_MARK)]
    if not setup_cells:
        changes.append("falta la celda de configuración (debe empezar por '# Configuración del cuaderno')")
    elif setup_cells[0].source != SETUP_TEMPLATE:
        setup_cells[0].source = SETUP_TEMPLATE
        changes.append("celda de configuración")
    if changes and not check:
        nbformat.write(nb, path)
    return changes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="solo comprobar; sale con 1 si algo no está al día")
    args = parser.parse_args()
    stale = 0
    for name, _ in ALL_NOTEBOOKS:
        path = ROOT / "notebooks" / name
        if path.exists():
            changes = sync(path, args.check)
            if changes:
                stale += 1
                print(f"{name}: {', '.join(changes)}")
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
