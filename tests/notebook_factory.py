"""Cuadernos sintéticos para los tests de calidad: uno correcto y variantes con un fallo cada una."""

from __future__ import annotations

import nbformat
from nbformat import v4

from scripts.clean_notebooks import KERNELSPEC, LANGUAGE_INFO
from scripts.sync_notebooks import SETUP_TEMPLATE
from utils.course import NOTEBOOKS, colab_badge

NAME = "02_atencion.ipynb"


def good_notebook(name: str = NAME, executed: bool = True):
    """Un cuaderno mínimo que cumple la estructura y la higiene del curso."""
    title = dict(NOTEBOOKS)[name]
    first = (
        f"{colab_badge(name)}\n\n# {name[:2]} · {title}\n\nUna línea que resume el cuaderno.\n\n"
        "## Objetivos\n\nAl terminar sabrás:\n\n- calcular la atención a mano.\n\n"
        "**Requisitos previos:** el cuaderno anterior.\n\n**Tiempo estimado:** 30 minutos."
    )
    cells = [
        v4.new_markdown_cell(first),
        v4.new_code_cell(SETUP_TEMPLATE),
        v4.new_markdown_cell("## 1. Una idea\n\nLa atención mezcla los tokens con pesos $w_{ij}$."),
        v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(1 + 1)"),
        v4.new_markdown_cell("## Resumen\n\n- La atención es una media ponderada."),
        v4.new_markdown_cell(
            "## Ejercicios\n\nLas soluciones están en [su cuaderno](soluciones/02_atencion_soluciones.ipynb).\n\n"
            "1. *(fácil)* Calcula la suma de una fila de pesos."
        ),
        v4.new_code_cell("respuesta = None  # tu código aquí"),
        v4.new_code_cell("print(respuesta)"),
        v4.new_markdown_cell(
            "## Referencias\n\n"
            "- A. Dosovitskiy *et al.* (2021). *An Image is Worth 16x16 Words: Transformers for Image Recognition "
            "at Scale*. ICLR.\n- A. Vaswani *et al.* (2017). *Attention Is All You Need*. NeurIPS."
        ),
    ]
    nb = v4.new_notebook(cells=cells)
    nb.metadata = nbformat.NotebookNode({"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)})
    if executed:
        count = 0
        for cell in nb.cells:
            if cell.cell_type == "code":
                count += 1
                cell.execution_count = count
        nb.cells[1].outputs = [v4.new_output("stream", name="stdout", text="PyTorch · dispositivo: cpu\n")]
        nb.cells[3].outputs = [v4.new_output("stream", name="stdout", text="2\n")]
    return nb


def with_markdown(text: str, name: str = NAME):
    """El cuaderno correcto con una celda Markdown más (la tercera) con ``text``."""
    nb = good_notebook(name)
    nb.cells.insert(2, v4.new_markdown_cell(text))
    return nb


def write(nb, folder, name: str = NAME):
    """Guarda ``nb`` en ``folder/name`` y devuelve la ruta."""
    path = folder / name
    nbformat.write(nb, path)
    return path
