"""Configuración de Sphinx para el libro del curso (la usa ``scripts/build_book.py``; no se ejecuta nada).

Las fuentes no están aquí: ``build_book.py`` las prepara en ``_build/libro_fuente/`` a partir de los
cuadernos con sus salidas guardadas, el README y el glosario. MathJax se sirve desde la copia local
de ``node_modules/mathjax`` (sin CDN), así que el libro se lee sin red.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Las fuentes preparadas (con su _static: MathJax y la hoja de estilo); build_book.py da la carpeta.
SOURCES = Path(os.environ.get("VIT_LIBRO_FUENTE", ROOT / "_build" / "libro_fuente"))
sys.path.insert(0, str(ROOT))

from utils.course import REPO_URL  # noqa: E402

project = "ViT desde cero"
author = "El equipo de ViT desde cero"
copyright = "ViT desde cero (licencia MIT)"
language = "es"

extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# Los cuadernos se muestran con sus salidas guardadas: nunca se ejecutan al construir.
nb_execution_mode = "off"
nb_merge_streams = True
# El explorador interactivo se sustituye por una nota al preparar las fuentes: sin JavaScript de widgets.
nb_ipywidgets_js = {}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

# MathJax 3 desde _static/mathjax (copiado de node_modules por build_book.py), no desde un CDN.
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_title = "ViT desde cero"
html_static_path = [str(SOURCES / "_static")]
html_css_files = ["libro.css"]
# Un icono propio: sin él, el navegador pide /favicon.ico y la consola anota un 404.
html_favicon = str(ROOT / "book" / "_static" / "favicon.svg")
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": REPO_URL,
    "use_repository_button": False,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "home_page_in_toc": True,
}
# Sin modo por defecto, el tema anota en la consola «invalid theme mode» en la primera visita.
html_context = {"default_mode": "light"}
