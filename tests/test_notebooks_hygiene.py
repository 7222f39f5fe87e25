"""Higiene de los cuadernos: válidos, sin errores, ejecutados en orden, sin metadatos de la máquina, ligeros.

Para arreglarlos: ``python scripts/run_notebooks.py notebooks/NN_x.ipynb`` (ejecuta de arriba abajo y
guarda limpio) o, solo los metadatos, ``python scripts/clean_notebooks.py``. Para revisar a mano:
``python scripts/quality.py higiene``.
"""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat import v4

from notebook_factory import good_notebook, write
from scripts import quality
from scripts.clean_notebooks import clean
from scripts.clean_notebooks import main as clean_main


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in quality.notebook_paths()])
def test_notebook_hygiene(path):
    nb = quality.read_notebook(path)
    problems = quality.check_hygiene(nb, path.stat().st_size)
    assert not problems, f"{quality.rel(path)}:\n" + "\n".join(problems)


def test_good_notebook_passes():
    assert quality.check_hygiene(good_notebook()) == []


def test_catches_invalid_notebook():
    nb = good_notebook()
    nb.cells[3]["outputs"] = [{"output_type": "stream", "text": "sin nombre"}]  # le falta "name"
    assert quality.check_valid(nb)


def test_catches_error_output():
    nb = good_notebook()
    nb.cells[3].outputs = [v4.new_output("error", ename="ValueError", evalue="mal", traceback=["..."])]
    assert quality.check_no_errors(nb) == ["celda 4: salida de error (ValueError: mal)"]


@pytest.mark.parametrize("counts", [[2, 1, 3, 4], [1, 2, None, 4], [1, 3, 4, 5], [1, 2, 3, 3]])
def test_catches_execution_out_of_order(counts):
    nb = good_notebook()
    for cell, count in zip([c for c in nb.cells if c.cell_type == "code"], counts, strict=True):
        cell.execution_count = count
    problems = quality.check_execution_order(nb)
    assert len(problems) == 1 and "de arriba abajo" in problems[0]


def test_unexecuted_notebook_is_reported():
    assert quality.check_execution_order(good_notebook(executed=False))


def test_empty_code_cells_are_skipped_but_must_stay_empty():
    nb = good_notebook()
    nb.cells.append(v4.new_code_cell(""))
    assert quality.check_execution_order(nb) == []
    nb.cells[-1].execution_count = 5
    assert quality.check_execution_order(nb)


@pytest.mark.parametrize(
    "where, key",
    [("notebook", "authors"), ("notebook", "widgets"), ("cell", "execution"), ("cell", "scrolled"), ("output", "x")],
)
def test_catches_personal_or_machine_metadata(where, key):
    nb = good_notebook()
    if where == "notebook":
        nb.metadata[key] = {"name": "Ana"}
    elif where == "cell":
        nb.cells[3].metadata[key] = {"iopub.execute_input": "2024-01-01T00:00:00Z"}
    else:
        nb.cells[3].outputs[0]["metadata"] = {key: 1}
    problems = quality.check_metadata(nb)
    assert problems and key in problems[0]
    clean(nb)
    assert quality.check_metadata(nb) == []


def test_catches_kernelspec_from_another_machine():
    nb = good_notebook()
    nb.metadata.kernelspec = {"display_name": "venv de Ana", "language": "python", "name": "ana-venv"}
    assert quality.check_metadata(nb)


@pytest.mark.parametrize("path", ["/work/main/utils/data.py", "/home/ana/curso", "/root/.cache/x", "C:\\Users\\ana"])
def test_catches_absolute_paths(path):
    nb = good_notebook()
    nb.cells[3].outputs = [v4.new_output("stream", name="stderr", text=f"Aviso en {path}: algo\n")]
    problems = quality.check_paths(nb)
    assert len(problems) == 1 and problems[0].startswith("celda 4: ruta absoluta en una salida: 'Aviso en ")


def test_relative_paths_are_fine():
    nb = good_notebook()
    nb.cells[3].outputs = [v4.new_output("stream", name="stdout", text="checkpoints/vit.pt y ../utils/data.py\n")]
    assert quality.check_paths(nb) == []


def test_catches_big_widget_state():
    nb = good_notebook()
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0, "estado": "x" * 20_000}
    nb.cells[3].outputs = [v4.new_output("display_data", data={"application/vnd.jupyter.widget-view+json": view})]
    assert quality.check_widgets(nb)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": "x" * 20_000}}
    assert len(quality.check_widgets(nb)) == 2


def test_catches_big_notebook_and_big_output():
    nb = good_notebook()
    nb.cells[3].outputs = [v4.new_output("display_data", data={"image/png": "A" * (3 * 2**20)})]
    problems = quality.check_size(nb)
    assert len(problems) == 2 and "máximo 3 MB" in problems[0] and "máximo 1 MB" in problems[1]
    assert quality.check_size(good_notebook(), size_bytes=4 * 2**20)


@pytest.mark.parametrize("mime, name", [("image/svg+xml", "SVG"), ("image/jpeg", "JPEG")])
def test_catches_svg_and_jpeg_figures(mime, name):
    nb = good_notebook()
    nb.cells[3].outputs = [v4.new_output("display_data", data={mime: "...", "text/plain": "<Figure>"})]
    assert quality.check_image_formats(nb) == [
        f"celda 4: figura en {name}; usa PNG (el formato por defecto de matplotlib en el cuaderno)"
    ]


def test_clean_notebooks_command(tmp_path):
    nb = good_notebook()
    nb.metadata["widgets"] = {"estado": 1}
    nb.cells[3].metadata["execution"] = {"tiempo": 1}
    path = write(nb, tmp_path)
    assert clean_main(["--check", str(path)]) == 1
    assert clean_main([str(path)]) == 0
    assert clean_main(["--check", str(path)]) == 0
    assert quality.check_hygiene(nbformat.read(path, as_version=4)) == []


def test_run_notebooks_executes_in_order_and_saves_clean(tmp_path):
    """scripts/run_notebooks.py ejecuta de arriba abajo en un núcleo nuevo y guarda un cuaderno limpio."""
    from scripts.run_notebooks import run

    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell("x = 20 + 1"),
            v4.new_code_cell(""),
            v4.new_code_cell("print(x * 2)"),
        ]
    )
    nb.cells[2].execution_count = 7  # números de una ejecución vieja
    nb.metadata["autor"] = "Ana"
    path = write(nb, tmp_path, "99_prueba.ipynb")
    run(path)
    done = nbformat.read(path, as_version=4)
    assert [c.execution_count for c in done.cells] == [1, None, 2]
    assert done.cells[2].outputs[0]["text"] == "42\n"
    assert quality.check_hygiene(done) == []


def test_slide_metadata_is_checked_once_assigned():
    """Los metadatos de diapositiva (scripts/slides.py) se comprueban en cuanto un cuaderno los tiene."""
    from scripts import slides

    nb = good_notebook()
    assert quality.check_slides(nb) == []  # sin asignar todavía: nada que comprobar
    slides.apply(nb)
    assert quality.check_hygiene(nb) == []
    nb.cells[2].source = "Un párrafo que ya no es un encabezado."
    problems = quality.check_slides(nb)
    assert problems and problems[0].startswith("celda 3: diapositiva slide") and "slides.py" in problems[-1]


def test_slide_metadata_in_every_lesson_or_in_none():
    """Cuando las diapositivas se asignan (``python scripts/slides.py``), se asignan en todas las lecciones."""
    from scripts import slides

    done = {p.name: slides.has_slide_metadata(quality.read_notebook(p)) for p in slides.lessons()}
    assert all(done.values()) or not any(done.values()), (
        f"lecciones sin diapositivas: {[n for n, d in done.items() if not d]}"
    )


def test_pre_commit_config_has_the_hooks():
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((quality.ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"limpiar-cuadernos", "ruff", "ruff-format"} <= set(hooks)
    assert "scripts/clean_notebooks.py" in hooks["limpiar-cuadernos"]["entry"]
    assert json.dumps(hooks["ruff"]).count("jupyter") and json.dumps(hooks["ruff-format"]).count("jupyter")
