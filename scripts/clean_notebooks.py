"""Limpia los metadatos personales o de la máquina de los cuadernos (rutas, usuarios, estado de widgets).

Deja en el cuaderno solo ``kernelspec`` y ``language_info`` (con valores genéricos) y
``vit_desde_cero`` (el tiempo de la última ejecución completa, que escribe run_notebooks.py) y, en cada
celda, solo ``tags``, ``collapsed``, ``jupyter`` (lo que oculta las soluciones) y ``slideshow`` (las
diapositivas, que asigna scripts/slides.py). Borra los metadatos de las salidas y los tiempos de
ejecución de cada celda. Las salidas en sí no se tocan.

Uso: ``python scripts/clean_notebooks.py [cuaderno ...]`` (sin argumentos, todos los de notebooks/).
Con ``--check`` no escribe nada: dice qué cuadernos cambiarían y sale con 1 si alguno cambiaría.
Lo usan pre-commit (``.pre-commit-config.yaml``) y ``scripts/run_notebooks.py``.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KEEP_NB_METADATA = {"kernelspec", "language_info", "vit_desde_cero"}
KEEP_CELL_METADATA = {"tags", "collapsed", "jupyter", "slideshow"}
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "version": "3"}


def clean(nb) -> None:
    """Deja solo los metadatos útiles del cuaderno, de cada celda y de cada salida (en el sitio)."""
    nb.metadata = nbformat.NotebookNode({k: v for k, v in nb.metadata.items() if k in KEEP_NB_METADATA})
    nb.metadata["kernelspec"] = nbformat.NotebookNode(dict(KERNELSPEC))
    nb.metadata["language_info"] = nbformat.NotebookNode(dict(LANGUAGE_INFO))
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode({k: v for k, v in cell.metadata.items() if k in KEEP_CELL_METADATA})
        for out in cell.get("outputs", []):
            if "metadata" in out:
                out["metadata"] = nbformat.NotebookNode()


def clean_file(path: Path, check: bool = False) -> bool:
    """Limpia ``path``; devuelve ``True`` si cambiaba algo (y, sin ``check``, lo escribe)."""
    nb = nbformat.read(path, as_version=4)
    before = copy.deepcopy(nb)
    clean(nb)
    changed = nb != before
    if changed and not check:
        nbformat.write(nb, path)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Limpia los metadatos de los cuadernos.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="cuadernos (por defecto, todos los de notebooks/)")
    parser.add_argument("--check", action="store_true", help="solo comprobar; sale con 1 si alguno cambiaría")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    changed = [p for p in paths if clean_file(p, args.check)]
    for path in changed:
        print(f"{path}: {'tiene metadatos que limpiar' if args.check else 'limpiado'}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
