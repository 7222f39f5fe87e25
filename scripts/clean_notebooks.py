"""Limpia los metadatos personales o de la máquina de los cuadernos (rutas, usuarios, estado de widgets).

Uso: ``python scripts/clean_notebooks.py [cuaderno ...]``. Lo usa también pre-commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KEEP_NB_METADATA = {"kernelspec", "language_info"}
KEEP_CELL_METADATA = {"tags", "collapsed", "jupyter"}


def clean(nb) -> None:
    """Deja solo los metadatos útiles del cuaderno y de cada celda (en el sitio)."""
    nb.metadata = {k: v for k, v in nb.metadata.items() if k in KEEP_NB_METADATA}
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    nb.metadata["language_info"] = {"name": "python", "version": "3"}
    for cell in nb.cells:
        cell.metadata = {k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA}
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).clear() if isinstance(out.get("metadata"), dict) else None


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        clean(nb)
        nbformat.write(nb, path)


if __name__ == "__main__":
    main()
