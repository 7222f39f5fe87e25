"""Estructura: cada cuaderno tiene título, insignia, celda de configuración y las secciones del curso.

Y el repositorio es coherente: los cuadernos de ``notebooks/`` están en ``utils.course.NOTEBOOKS``, el
README los nombra a todos, y la dirección de GitHub solo vive en utils/course.py. Para revisar a mano:
``python scripts/quality.py estructura``.
"""

from __future__ import annotations

import pytest
from nbformat import v4

from notebook_factory import NAME, good_notebook
from scripts import quality
from scripts.sync_notebooks import SETUP_TEMPLATE
from utils.course import NOTEBOOKS, REPO_SLUG, colab_badge, solutions_notebook

LISTED = [name for name, _ in NOTEBOOKS]


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in quality.notebook_paths()])
def test_notebook_structure(path):
    problems = quality.check_structure(quality.read_notebook(path), quality.notebook_name(path))
    assert not problems, f"{quality.rel(path)}:\n" + "\n".join(problems)


def test_sync_notebooks_check_passes():
    """Como ``python scripts/sync_notebooks.py --check``: insignias y celdas de configuración al día."""
    problems = quality.sync_check()
    assert not problems, "\n".join(problems)


def test_every_notebook_file_is_listed():
    problems = quality.check_notebook_list(quality.notebook_name(p) for p in quality.notebook_paths())
    assert not problems, "\n".join(problems)


def test_readme_lists_the_notebooks():
    assert quality.README.exists(), "falta README.md"
    problems = quality.check_readme(quality.README.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_repo_slug_only_in_course_module():
    problems = quality.check_slug_files()
    assert not problems, "\n".join(problems)


# --- Cada comprobación detecta el fallo para el que está -----------------------------------------


def test_good_notebook_passes():
    assert quality.check_structure(good_notebook(), NAME) == []


def drop_heading(nb, heading: str):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace(heading, "Texto")
    return nb


@pytest.mark.parametrize("section", ["Resumen", "Ejercicios", "Referencias", "Objetivos"])
def test_catches_missing_section(section):
    problems = quality.check_sections(drop_heading(good_notebook(), f"## {section}"))
    assert f"falta la sección «{section}» (un encabezado Markdown `## {section}`)" in problems


def test_catches_sections_out_of_order():
    nb = good_notebook()
    nb.cells[4], nb.cells[5] = nb.cells[5], nb.cells[4]  # Ejercicios antes que Resumen
    problems = quality.check_sections(nb)
    assert any("orden" in p for p in problems)


def test_catches_content_section_after_summary():
    nb = good_notebook()
    nb.cells.insert(5, v4.new_markdown_cell("## 2. Otra idea más"))
    assert quality.check_sections(nb) == ["tras «Resumen» solo van Ejercicios y Referencias; sobra «Otra idea más»"]


def test_numbered_and_subsections_are_fine():
    nb = good_notebook()
    nb.cells[5].source += "\n\n### Ejercicio 1"
    nb.cells[2].source = "## 1. Una idea\n\n### 1.1 Un detalle"
    assert quality.check_sections(nb) == []


def test_catches_wrong_badge():
    nb = good_notebook()
    nb.cells[0].source = nb.cells[0].source.replace(colab_badge(NAME), colab_badge("01_parches_y_embedding.ipynb"))
    assert quality.check_badge(nb, NAME) == [
        "la insignia de Colab no apunta a este cuaderno: ejecuta `python scripts/sync_notebooks.py`"
    ]


def test_catches_missing_badge():
    nb = good_notebook()
    nb.cells[0].source = nb.cells[0].source.replace(colab_badge(NAME), "")
    assert "falta la insignia" in quality.check_badge(nb, NAME)[0]


def test_catches_edited_or_missing_setup_cell():
    nb = good_notebook()
    nb.cells[1].source = SETUP_TEMPLATE.replace("seed=0", "seed=1")
    assert "no coincide con la plantilla" in quality.check_setup_cell(nb)[0]
    del nb.cells[1]
    assert "segunda celda" in quality.check_setup_cell(nb)[0]


def test_catches_missing_prerequisites_and_time():
    nb = good_notebook()
    nb.cells[0].source = nb.cells[0].source.replace("Requisitos previos", "Antes").replace("Tiempo estimado", "Dura")
    assert quality.check_first_cell(nb) == [
        "la primera celda no dice «Requisitos previos»",
        "la primera celda no dice «Tiempo estimado»",
    ]


def test_catches_wrong_title():
    nb = good_notebook()
    nb.cells[0].source = nb.cells[0].source.replace("# 02 · Atención", "# 2 · Atención")
    assert "debe empezar por «# 02 · Título»" in quality.check_title(nb, NAME)[0]
    nb.cells[0].source = nb.cells[0].source.replace("# 2 · Atención", "# 02 · La atención")
    assert "en utils/course.py es '# 02 · Atención'" in quality.check_title(nb, NAME)[0]


def test_catches_solutions_inside_the_lesson():
    nb = good_notebook()
    nb.cells.insert(7, v4.new_markdown_cell("## Soluciones\n\nCada fila suma 1."))
    assert quality.check_solutions_apart(nb, NAME) == [
        "la lección tiene una sección «Soluciones»: llévala a notebooks/soluciones/02_atencion_soluciones.ipynb"
    ]


def test_catches_exercises_without_link_to_solutions():
    nb = good_notebook()
    nb.cells[5].source = "## Ejercicios\n\n1. Calcula la suma de una fila de pesos."
    assert quality.check_solutions_apart(nb, NAME) == [
        "la sección «Ejercicios» no enlaza su cuaderno de soluciones (soluciones/02_atencion_soluciones.ipynb)"
    ]


def test_solutions_notebook_checks():
    name = solutions_notebook(NAME)
    nb = good_notebook()
    nb.cells[0].source = f"{colab_badge(name)}\n\n# 02 · Soluciones: Atención\n\nSoluciones de [la lección]({NAME})."
    assert quality.check_structure(nb, name) == []
    nb.cells[0].source = nb.cells[0].source.replace(NAME, "otra.ipynb")
    assert quality.check_solutions_notebook(nb, name) == [
        "el cuaderno de soluciones no enlaza su lección (02_atencion.ipynb)"
    ]
    assert quality.check_solutions_notebook(nb, "soluciones/99_nada_soluciones.ipynb")


def test_catches_missing_reference():
    nb = good_notebook()
    nb.cells[-1].source = nb.cells[-1].source.replace("Vaswani", "Otro")
    assert quality.check_references(nb) == ["las referencias no citan a Vaswani et al."]


def test_catches_repo_slug_in_a_cell():
    nb = good_notebook()
    nb.cells[2].source += f"\n\nClona https://github.com/{REPO_SLUG}."
    assert quality.check_slug_in_notebook(nb) == [
        f"celda 3: contiene la dirección del repositorio ({REPO_SLUG}); tómala de utils.course"
    ]


def test_catches_unlisted_notebook_file():
    assert quality.check_notebook_list([LISTED[0], "07_extra.ipynb"]) == [
        "notebooks/07_extra.ipynb no está en NOTEBOOKS de utils/course.py"
    ]


def test_catches_readme_out_of_sync():
    readme = "\n".join(f"| [{name}](notebooks/{name}) | tema |" for name in LISTED[:-1])
    readme += "\n| 09_borrado.ipynb | ya no existe |"
    assert quality.check_readme(readme) == [
        f"el README no nombra {LISTED[-1]}",
        "el README nombra 09_borrado.ipynb, que no está en NOTEBOOKS",
        "el README no dice dónde están las soluciones (notebooks/soluciones/)",
    ]


def test_catches_repo_slug_in_other_files(tmp_path):
    (tmp_path / "utils").mkdir()
    (tmp_path / "utils" / "course.py").write_text(f'REPO_SLUG = "{REPO_SLUG}"\n', encoding="utf-8")
    (tmp_path / "README.md").write_text(f"# Curso\n\ngit clone https://github.com/{REPO_SLUG}\n", encoding="utf-8")
    assert quality.check_slug_files(tmp_path) == [
        f"README.md:3: contiene la dirección del repositorio ({REPO_SLUG}); tómala de utils/course.py"
    ]
