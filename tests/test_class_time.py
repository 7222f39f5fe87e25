"""scripts/class_time.py: el tiempo de clase estimado de cada cuaderno (lectura, código y ejecución medida)."""

from __future__ import annotations

import nbformat
from nbformat import v4

from notebook_factory import write
from scripts import class_time
from scripts.sync_notebooks import SETUP_TEMPLATE


def _notebook(words: int = 400, code_cells: int = 3, seconds: float | None = 120.0):
    cells = [
        v4.new_markdown_cell("# 02 · Atención\n\n" + " ".join(["palabra"] * (words - 2))),
        v4.new_code_cell(SETUP_TEMPLATE),  # no cuenta
        *[v4.new_code_cell(f"x = {i}") for i in range(code_cells)],
        v4.new_code_cell(""),  # vacía: no cuenta
        v4.new_markdown_cell("## Soluciones\n\n" + " ".join(["oculta"] * 500)),
        v4.new_code_cell("print('solución')"),
        v4.new_markdown_cell("## Referencias\n\n- Vaswani [enlace](https://arxiv.org/abs/1706.03762)"),
    ]
    nb = v4.new_notebook(cells=cells)
    if seconds is not None:
        nb.metadata[class_time.METADATA_KEY] = {class_time.RUNTIME_KEY: seconds}
    return nb


def test_estimate_adds_reading_code_and_run_time():
    e = class_time.estimate(_notebook(), "02_atencion.ipynb")
    assert e.words == 400 and e.code_cells == 3 and e.run_seconds == 120.0
    assert abs(e.total - (400 / 200 + 3 * class_time.MINUTES_PER_CODE_CELL + 2)) < 1e-9
    assert not e.optional and class_time.estimate(_notebook(), "02b_atencion_a_fondo.ipynb").optional


def test_links_do_not_count_as_words():
    assert class_time.count_words("Lee [el artículo](https://arxiv.org/abs/2010.11929) de *Dosovitskiy*.") == 5


def test_run_time_from_cell_timestamps_when_not_saved():
    nb = _notebook(seconds=None)
    assert class_time.run_seconds(nb) is None
    nb.cells[2].metadata["execution"] = {"iopub.execute_input": "2026-01-01T10:00:00.000Z"}
    nb.cells[4].metadata["execution"] = {"shell.execute_reply": "2026-01-01T10:01:30.500Z"}
    assert class_time.run_seconds(nb) == 90.5


def test_table_and_check(tmp_path, capsys):
    short = write(_notebook(), tmp_path, "00_corto.ipynb")
    long_ = write(_notebook(words=9000, seconds=None), tmp_path, "01_largo.ipynb")
    assert class_time.main([str(short)]) == 0
    assert class_time.main(["--check", str(short), str(long_)]) == 1
    out = capsys.readouterr().out
    assert "| 00_corto.ipynb | 400 |" in out and "sin medir" in out and "Pasan de 45 minutos: 01_largo.ipynb" in out
    assert "NO" in out


def test_run_notebooks_saves_the_run_time(tmp_path):
    from scripts.run_notebooks import run

    path = write(v4.new_notebook(cells=[v4.new_code_cell("x = 1")]), tmp_path, "99_prueba.ipynb")
    seconds = run(path)
    saved = nbformat.read(path, as_version=4).metadata[class_time.METADATA_KEY][class_time.RUNTIME_KEY]
    assert saved == round(seconds, 1) and class_time.run_seconds(nbformat.read(path, as_version=4)) == saved


def test_runtime_claim_is_checked_against_the_full_run():
    nb = _notebook(seconds=90.0)
    nb.cells[0].source += "\n\n**Tiempo estimado:** 30 minutos; ejecutar todo el cuaderno tarda menos de un\nminuto."
    sentence = "ejecutar todo el cuaderno tarda menos de un minuto"
    assert class_time.runtime_claim(nb) == (sentence, 60.0)
    assert class_time.runtime_claim_problems({"02.ipynb": nb}) == [
        f"02.ipynb: dice «{sentence}», pero su ejecución completa tardó 90 s"
    ]
    nb.metadata[class_time.METADATA_KEY][class_time.RUNTIME_KEY] = 45.0
    assert class_time.runtime_claim_problems({"02.ipynb": nb}) == []
    del nb.metadata[class_time.METADATA_KEY]
    assert "no tiene medida" in class_time.runtime_claim_problems({"02.ipynb": nb})[0]
    assert class_time.runtime_claim(_notebook()) is None  # sin frase, nada que comprobar


def test_the_course_runtime_claims_hold():
    """«Ejecutarlo tarda menos de un minuto» en la primera celda: lo cumple la última ejecución completa guardada."""
    paths = sorted((class_time.ROOT / "notebooks").glob("*.ipynb"))
    notebooks = {p.name: nbformat.read(p, as_version=4) for p in paths}
    claims = [name for name, nb in notebooks.items() if class_time.runtime_claim(nb)]
    assert len(claims) >= 4, claims  # 03, 04, 06 y 06b: no pasa por no encontrar ninguna
    assert class_time.runtime_claim_problems(notebooks) == []
