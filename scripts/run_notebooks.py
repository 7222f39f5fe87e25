"""Vuelve a ejecutar los cuadernos de arriba abajo en modo completo y reescribe sus salidas.

Uso (desde la raíz del repositorio, con el entorno del curso):

    python scripts/run_notebooks.py                      # todos, en el orden de utils/course.py
    python scripts/run_notebooks.py notebooks/02_atencion.ipynb
    VIT_FAST=1 python scripts/run_notebooks.py           # modo rápido: ejecuta, pero no guarda nada

Cada cuaderno se ejecuta en un kernel de Jupyter nuevo, con la carpeta ``notebooks/`` como directorio de
trabajo, y se guarda limpio (``scripts/clean_notebooks.py``) con los números de ejecución 1, 2, 3...
Imprime el tiempo de cada uno. Si una celda falla, el cuaderno no se guarda (queda como estaba),
se muestra el error y se sigue con los demás; al final sale con 1. El tiempo de la ejecución completa
queda en los metadatos del cuaderno (``vit_desde_cero.tiempo_completo_s``), para scripts/class_time.py.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.class_time import METADATA_KEY, RUNTIME_KEY  # noqa: E402
from scripts.clean_notebooks import clean  # noqa: E402
from utils.course import NOTEBOOKS  # noqa: E402


def run(path: Path, save: bool = True, timeout: int = 1800) -> float:
    """Ejecuta ``path`` en un kernel de Jupyter nuevo; si ``save``, guarda las salidas. Devuelve los segundos que tardó.

    Lanza ``CellExecutionError`` si una celda falla (y entonces no guarda nada).
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    seconds = time.perf_counter() - start
    if save:
        clean(nb)
        nb.metadata[METADATA_KEY] = {RUNTIME_KEY: round(seconds, 1)}  # para scripts/class_time.py
        nbformat.write(nb, path)
    return seconds


def resolve(name: str) -> Path:
    """Acepta una ruta o solo el nombre del cuaderno (``02_atencion.ipynb``)."""
    path = Path(name)
    return path if path.exists() else ROOT / "notebooks" / path.name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Ejecuta los cuadernos de arriba abajo y guarda sus salidas.")
    parser.add_argument("notebooks", nargs="*", help="cuadernos (por defecto, todos los de utils/course.py)")
    parser.add_argument("--timeout", type=int, default=1800, help="segundos máximos por celda (por defecto 1800)")
    args = parser.parse_args(argv)
    names = args.notebooks or [name for name, _ in NOTEBOOKS]
    from utils.train import is_fast_mode  # el mismo criterio que los cuadernos

    fast = is_fast_mode()
    failed, total = [], 0.0
    for name in names:
        path = resolve(name)
        if not path.exists():
            print(f"{path.name}: no existe todavía, se salta")
            continue
        try:
            seconds = run(path, save=not fast, timeout=args.timeout)
        except CellExecutionError as err:
            failed.append(path.name)
            print(f"{path.name}: ERROR, no se guarda.\n{err}", flush=True)
            continue
        total += seconds
        print(f"{path.name}: {seconds:.1f} s ({'rápido, sin guardar' if fast else 'completo, guardado'})", flush=True)
    print(f"Total: {total:.1f} s.")
    if failed:
        print(f"Fallaron: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
