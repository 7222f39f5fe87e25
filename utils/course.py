"""Datos del curso que viven en un único sitio.

La dirección del repositorio en GitHub está solo aquí. Las insignias de Colab y la
celda de configuración de cada cuaderno se escriben a partir de este módulo con
``python scripts/sync_notebooks.py``; cambia ``REPO_SLUG`` y vuelve a ejecutarlo.
"""

from __future__ import annotations

# Dueño/nombre del repositorio en GitHub (la única copia de la dirección).
REPO_SLUG = "vit-desde-cero/vit-desde-cero"
BRANCH = "main"

REPO_URL = f"https://github.com/{REPO_SLUG}"

# Los cuadernos del curso, en orden: (archivo, título).
NOTEBOOKS = [
    ("00_introduccion_y_datos.ipynb", "Introducción y datos"),
    ("01_parches_y_embedding.ipynb", "Parches y embedding"),
    ("02_atencion.ipynb", "Atención"),
    ("03_bloque_transformer.ipynb", "El bloque Transformer"),
    ("04_vit_completo.ipynb", "El ViT completo"),
    ("05_entrenamiento.ipynb", "Entrenamiento"),
    ("06_visualizacion.ipynb", "Qué mira el ViT"),
]


def colab_url(notebook: str) -> str:
    """Devuelve la dirección de Colab que abre ``notebooks/<notebook>`` del repositorio."""
    return f"https://colab.research.google.com/github/{REPO_SLUG}/blob/{BRANCH}/notebooks/{notebook}"


def colab_badge(notebook: str) -> str:
    """Devuelve la insignia «Abrir en Colab» en Markdown para ``notebook``."""
    return f"[![Abrir en Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab_url(notebook)})"
