"""Vuelve a ejecutar los cuadernos de arriba abajo en modo completo y reescribe sus salidas.

Uso: ``python scripts/run_notebooks.py [cuaderno ...]`` (sin argumentos, todos).
Imprime el tiempo de cada uno. Usa ``VIT_FAST=1`` delante para el modo rápido (sin guardar).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.clean_notebooks import clean  # noqa: E402
from utils.course import NOTEBOOKS  # noqa: E402


def run(path: Path, save: bool = True) -> float:
    """Ejecuta ``path`` en un núcleo nuevo; devuelve los segundos que tardó."""
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - start
    if save:
        clean(nb)
        nbformat.write(nb, path)
    return seconds


def main() -> None:
    names = sys.argv[1:] or [name for name, _ in NOTEBOOKS]
    fast = os.environ.get("VIT_FAST") == "1"
    for name in names:
        path = Path(name) if Path(name).exists() else ROOT / "notebooks" / Path(name).name
        if not path.exists():
            print(f"{path.name}: no existe todavía, se salta")
            continue
        seconds = run(path, save=not fast)
        print(f"{path.name}: {seconds:.1f} s ({'rápido' if fast else 'completo'})", flush=True)


if __name__ == "__main__":
    main()
