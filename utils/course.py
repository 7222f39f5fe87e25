"""Datos del curso que viven en un único sitio.

La dirección del repositorio en GitHub está solo aquí. Las insignias de Colab y la
celda de configuración de cada cuaderno se escriben a partir de este módulo con
``python scripts/sync_notebooks.py``; cambia ``REPO_SLUG`` y vuelve a ejecutarlo.
"""

from __future__ import annotations

from pathlib import PurePosixPath

# Dueño/nombre del repositorio en GitHub (la única copia de la dirección).
REPO_SLUG = "vit-desde-cero/vit-desde-cero"
BRANCH = "main"

REPO_URL = f"https://github.com/{REPO_SLUG}"

# Los cuadernos del curso, en orden: (archivo, título). Una letra tras el número (``02b_…``) marca una
# parte opcional, que un profesor puede saltarse: el camino 00 → 06 está completo sin ellas.
NOTEBOOKS = [
    ("00_introduccion_y_datos.ipynb", "Introducción y datos"),
    ("01_parches_y_embedding.ipynb", "Parches y embedding"),
    ("02_atencion.ipynb", "Atención"),
    ("02b_atencion_a_fondo.ipynb", "Atención a fondo"),
    ("03_bloque_transformer.ipynb", "El bloque Transformer"),
    ("03b_bloque_a_fondo.ipynb", "El bloque a fondo"),
    ("04_vit_completo.ipynb", "El ViT completo"),
    ("05_entrenamiento.ipynb", "Entrenamiento"),
    ("05b_entrenamiento_a_fondo.ipynb", "Entrenamiento a fondo"),
    ("06_visualizacion.ipynb", "Qué mira el ViT"),
    ("06b_fidelidad.ipynb", "¿Explican los mapas la decisión?"),
    ("07_mas_alla.ipynb", "Más allá del curso"),
]


# Las soluciones de cada lección viven aparte, en ``notebooks/soluciones/`` (un profesor puede repartir
# las lecciones sin ellas).
SOLUTIONS_DIR = "soluciones"


def lesson_number(notebook: str) -> str:
    """El número de un cuaderno tal como se escribe en su título: ``"02"``, ``"02b"``."""
    return PurePosixPath(notebook).name.split("_")[0]


def is_optional(notebook: str) -> bool:
    """``True`` para una parte opcional (``02b_…``)."""
    return not lesson_number(notebook).isdigit()


def solutions_notebook(notebook: str) -> str:
    """La ruta, dentro de ``notebooks/``, del cuaderno de soluciones de la lección ``notebook``."""
    return f"{SOLUTIONS_DIR}/{PurePosixPath(notebook).stem}_soluciones.ipynb"


# Los cuadernos de soluciones: (ruta dentro de notebooks/, título), uno por lección.
SOLUTIONS = [(solutions_notebook(name), f"Soluciones: {title}") for name, title in NOTEBOOKS]

# Todos los cuadernos (lecciones y soluciones), con su ruta dentro de ``notebooks/``.
ALL_NOTEBOOKS = NOTEBOOKS + SOLUTIONS


def colab_url(notebook: str) -> str:
    """Devuelve la dirección de Colab que abre ``notebooks/<notebook>`` del repositorio (``notebook`` puede
    ser ``soluciones/…``)."""
    return f"https://colab.research.google.com/github/{REPO_SLUG}/blob/{BRANCH}/notebooks/{notebook}"


def colab_badge(notebook: str) -> str:
    """Devuelve la insignia «Abrir en Colab» en Markdown para ``notebook``."""
    return f"[![Abrir en Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook)})"
