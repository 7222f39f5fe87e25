"""Diapositivas de cada lección desde el propio cuaderno: metadatos por reglas y mazos reveal.js locales.

Uso (desde la raíz del repositorio, con el entorno del curso):

    python scripts/slides.py                    # asigna los metadatos de diapositiva a las lecciones
    python scripts/slides.py notebooks/02_atencion.ipynb
    python scripts/slides.py --check            # solo comprueba; sale con 1 si alguno no está al día
    python scripts/slides.py --construir        # un mazo HTML por lección en _build/diapositivas/

Cada celda recibe ``metadata.slideshow.slide_type`` (lo que leen RISE en JupyterLab y
``jupyter nbconvert --to slides``) según reglas fijas, así que el resultado solo depende del texto y
las salidas de las celdas:

- la primera celda (título y objetivos) abre el mazo; la celda de configuración se salta (``skip``);
- cada encabezado ``##`` abre una diapositiva (``slide``) y cada ``###``, una subdiapositiva;
- las secciones «Ejercicios» y «Soluciones» se saltan (se hacen fuera de la clase);
- una celda con figura va en su propia subdiapositiva, y lo que la sigue, en la siguiente;
- el código largo sin figura (más de ``LONG_CODE`` líneas) o con una salida enorme va a las notas del
  orador (``notes``); el código corto que sigue a la prosa aparece después, como ``fragment``;
- cuando lo acumulado ya no cabe en el marco de 16:9, empieza una subdiapositiva.

Al construir los mazos (sin tocar los cuadernos): la prosa que no cabe en una diapositiva pasa a las
notas tras su primer párrafo, el código de una figura grande va a las notas y la figura se ajusta al
marco, la insignia de Colab es un enlace de texto, el explorador interactivo es una nota, y reveal.js
y MathJax se sirven desde ``node_modules`` (``npm ci``): los mazos funcionan sin red.
"""

from __future__ import annotations

import argparse
import copy
import math
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.sync_notebooks import SETUP_MARK  # noqa: E402
from utils.course import NOTEBOOKS  # noqa: E402

DEFAULT_OUT = ROOT / "_build" / "diapositivas"
TEMPLATE_DIR = ROOT / "book" / "plantillas"
TEMPLATE = "diapositivas"
REVEAL = ROOT / "node_modules" / "reveal.js"
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"

# El marco: 16:9 en píxeles de CSS de reveal.js (se escala al proyector). Las alturas de abajo son
# estimaciones en esos píxeles, calibradas con el test de desbordamiento (tests/test_slides.py).
WIDTH, HEIGHT = 1280, 720
BUDGET = 640  # lo que cabe de contenido en una diapositiva, con margen
CAPTION = 140  # la prosa que puede ir bajo una figura, como su pie
CHARS_PER_LINE = 100
PROSE_LINE, CODE_LINE, CELL_GAP = 30, 26, 22
HEADING = {1: 80, 2: 66, 3: 54, 4: 42}
IMAGE_MAX = 460  # la altura de la caja de una figura en el mazo (la de la plantilla)
LONG_CODE = 15  # líneas de código a partir de las que la celda va a las notas
SKIP_SECTIONS = ("ejercicios", "soluciones")
SLIDE_TYPES = ("slide", "subslide", "fragment", "-", "skip", "notes")
HIDE_INPUT_TAG = "diapositiva-sin-codigo"
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BADGE = re.compile(r"\[!\[Abrir en Colab\]\([^)]*\)\]\(([^)]*)\)")


class SlidesError(RuntimeError):
    """Los mazos no se pueden construir (falta algo que se puede instalar)."""


# ---------------------------------------------------------------------------------------------
# Estimación de alturas
# ---------------------------------------------------------------------------------------------


def _prose_height(text: str) -> int:
    """Altura aproximada de un texto Markdown en la diapositiva."""
    height = 0
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        m = _HEADING.match(lines[0])
        if m and len(lines) == 1:
            height += HEADING.get(len(m.group(1)), 40)
            continue
        if block.lstrip().startswith("|"):  # una tabla: una fila por línea
            height += len(lines) * PROSE_LINE + 10
            continue
        for line in lines:
            height += PROSE_LINE * max(1, math.ceil(len(line) / CHARS_PER_LINE))
        height += 12
    return height


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def _outputs_height(cell) -> int:
    height = 0
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data:
            height += IMAGE_MAX + 10  # el mazo la ajusta a una caja de IMAGE_MAX de alto
        elif "text/markdown" in data:
            height += _prose_height(_text(data["text/markdown"]))
        elif "text/html" in data:
            height += CODE_LINE * _text(data["text/html"]).count("<tr") or 3 * CODE_LINE
        elif out.get("output_type") == "stream" or "text/plain" in data:
            text = _text(out.get("text", data.get("text/plain", "")))
            height += CODE_LINE * sum(max(1, math.ceil(len(ln) / 110)) for ln in text.rstrip("\n").split("\n"))
    return height


def _code_lines(source: str) -> list[str]:
    """Las líneas de código que se ven en la diapositiva (sin las marcas de nbval)."""
    return [ln for ln in source.rstrip().split("\n") if not ln.lstrip().startswith("# NBVAL")]


def _figure_height(cell) -> int:
    """Lo que ocupa una celda con figura en el mazo: solo sus salidas (el código va a las notas)."""
    return _outputs_height(cell) + CELL_GAP


def _has_figure(cell) -> bool:
    return any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def _headings(text: str) -> list[tuple[int, str, int]]:
    """Los encabezados de un texto Markdown (fuera de los bloques de código): (nivel, título, línea)."""
    found, fence = [], False
    for n, line in enumerate(text.split("\n")):
        if line.lstrip().startswith("```"):
            fence = not fence
        m = None if fence else _HEADING.match(line)
        if m:
            found.append((len(m.group(1)), m.group(2).strip(), n))
    return found


def _skipped(title: str) -> bool:
    """Si una sección ``##`` con este título se salta (Ejercicios, Soluciones)."""
    return re.sub(r"^\d+(\.\d+)*\.?\s*", "", title.lower()).startswith(SKIP_SECTIONS)


def _starts_with_heading(text: str) -> bool:
    return bool(_HEADING.match(text.lstrip().split("\n", 1)[0]))


# ---------------------------------------------------------------------------------------------
# Las reglas
# ---------------------------------------------------------------------------------------------


def assign(nb) -> list[str]:
    """El tipo de diapositiva de cada celda de ``nb``, según las reglas del módulo."""
    types: list[str] = []
    used = 0  # altura acumulada en la diapositiva actual
    skipping = False
    after_figure = False
    for i, cell in enumerate(nb.cells):
        heads = _headings(cell.source) if cell.cell_type == "markdown" else []
        if heads and heads[0][0] == 2 and _starts_with_heading(cell.source):
            skipping = _skipped(heads[0][1])  # la celda abre una sección
        # Un encabezado en cualquier punto de la celda cuenta (a veces la prosa de antes lo precede).
        level = min((lvl for lvl, _, _ in heads if lvl <= 3), default=0)
        if i == 0:
            kind, used = "slide", min(BUDGET, _prose_height(cell.source))
        elif skipping or (cell.cell_type == "code" and cell.source.startswith(SETUP_MARK)):
            kind = "skip"
        elif cell.cell_type == "code" and not cell.source.strip():
            kind = "skip"
        elif cell.cell_type == "raw":
            kind = "skip"
        elif level in (1, 2):
            kind, used = "slide", _prose_height(cell.source)
        elif level == 3:
            kind, used = "subslide", _prose_height(cell.source)
        elif cell.cell_type == "code" and _has_figure(cell):
            kind, used = "subslide", _figure_height(cell)  # la figura abre su diapositiva
        elif cell.cell_type == "code":
            lines = _code_lines(cell.source)
            out = _outputs_height(cell)
            height = len(lines) * CODE_LINE + out + CELL_GAP
            if len(lines) > LONG_CODE or out > BUDGET // 2:
                kind = "notes"
            elif used + height > BUDGET or after_figure:
                kind, used = "subslide", height
            else:
                kind = "fragment" if used else "-"  # tras la prosa, el código aparece después
                used += height
        else:  # prosa sin encabezado propio: tras una figura, solo si es un pie corto
            height = _prose_height(cell.source) + CELL_GAP
            if used + height > BUDGET or (after_figure and height > CAPTION):
                kind, used = "subslide", height
            else:
                kind, used = "-", used + height
        after_figure = cell.cell_type == "code" and _has_figure(cell) and kind != "skip"
        for lvl, title, _ in heads:  # la sección en la que queda lo que sigue
            if lvl == 2:
                skipping = _skipped(title)
        types.append(kind)
    return types


def apply(nb) -> int:
    """Escribe en ``nb`` los metadatos de diapositiva; devuelve cuántas celdas cambiaron."""
    changed = 0
    for cell, kind in zip(nb.cells, assign(nb), strict=True):
        if cell.metadata.get("slideshow") != {"slide_type": kind}:
            cell.metadata["slideshow"] = {"slide_type": kind}
            changed += 1
    return changed


def check(nb) -> list[str]:
    """Las celdas cuyos metadatos de diapositiva no son los que dan las reglas (vacía si están al día)."""
    problems = []
    for i, (cell, kind) in enumerate(zip(nb.cells, assign(nb), strict=True)):
        have = cell.metadata.get("slideshow")
        if have != {"slide_type": kind}:
            now = have.get("slide_type") if isinstance(have, dict) else None
            problems.append(f"celda {i + 1}: diapositiva {now or 'sin asignar'!s} y las reglas dan {kind}")
    if problems:
        problems[-1] += " → ejecuta `python scripts/slides.py`"
    return problems


def has_slide_metadata(nb) -> bool:
    """``True`` si alguna celda ya lleva metadatos de diapositiva."""
    return any("slideshow" in cell.metadata for cell in nb.cells)


# ---------------------------------------------------------------------------------------------
# Los mazos
# ---------------------------------------------------------------------------------------------


_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d+\.)\s")


def _blocks(text: str) -> list[str]:
    """Los bloques de un texto Markdown: párrafos y, dentro de una lista, cada elemento."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        if not _ITEM.match(lines[0]):
            blocks.append(block)
            continue
        for line in lines:
            if _ITEM.match(line) or not blocks:
                blocks.append(line)
            else:
                blocks[-1] += "\n" + line
    return blocks


def _split_prose(source: str, budget: int) -> tuple[str, str]:
    """Parte una prosa larga: lo que cabe en ``budget`` (al menos un bloque) y el resto."""
    blocks = _blocks(source)
    keep, used = [], 0
    for block in blocks:
        height = _prose_height(block)
        if keep and used + height > budget:
            break
        keep.append(block)
        used += height
    return _join(keep), _join(blocks[len(keep) :])


def _join(blocks: list[str]) -> str:
    """Une bloques: los elementos seguidos de una lista, en líneas seguidas; lo demás, con una línea en blanco."""
    text = ""
    for i, block in enumerate(blocks):
        if i:
            text += "\n" if _ITEM.match(block) and _ITEM.match(blocks[i - 1]) else "\n\n"
        text += block
    return text


def _one_figure_per_cell(cell) -> list:
    """Una celda con figuras, partida en celdas sin código con una figura cada una (cada una, su diapositiva).

    Lo que se imprime antes de una figura va con ella si caben juntos; si no, en su propia diapositiva.
    """
    groups, current = [], []
    for out in cell.outputs:
        if "image/png" in out.get("data", {}):
            before = nbformat.NotebookNode(outputs=current)
            if current and _outputs_height(before) + _outputs_height(nbformat.NotebookNode(outputs=[out])) > BUDGET:
                groups.append(current)
                current = []
            groups.append([*current, out])
            current = []
        else:
            current.append(out)
    if current:
        groups[-1] += current
    result = []
    for i, outputs in enumerate(groups):
        part = copy.deepcopy(cell)
        part.outputs = outputs
        part.metadata.setdefault("tags", []).append(HIDE_INPUT_TAG)
        if i:
            part.metadata["slideshow"] = {"slide_type": "subslide"}
            part["id"] = f"{cell.get('id', 'figura')}-{i}"
        result.append(part)
    return result


def _notes_cell(text: str):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["slideshow"] = {"slide_type": "notes"}
    return cell


def split_at_headings(nb) -> None:
    """Parte (en el sitio) cada celda Markdown en sus encabezados ``##`` y ``###``: en el mazo, la prosa de
    antes de un encabezado se queda en la diapositiva anterior y cada sección empieza la suya."""
    cells = []
    for cell in nb.cells:
        starts = [n for lvl, _, n in _headings(cell.source) if lvl in (2, 3)] if cell.cell_type == "markdown" else []
        lines = cell.source.split("\n")
        bounds = [0, *[n for n in starts if n > 0], len(lines)]
        if len(bounds) <= 2:
            cells.append(cell)
            continue
        for j, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
            text = "\n".join(lines[a:b]).strip("\n")
            if text.strip():
                part = copy.deepcopy(cell)
                part.source = text
                if j:
                    part["id"] = f"{cell.get('id', 'texto')}-{j}"
                cells.append(part)
    nb.cells = cells


def deck_notebook(nb):
    """Una copia de ``nb`` lista para el mazo: reglas aplicadas y celdas ajustadas al marco."""
    from scripts.build_book import prepare_notebook

    nb = copy.deepcopy(nb)
    split_at_headings(nb)
    apply(nb)
    prepare_notebook(nb, "notebooks/x.ipynb", pages=set())  # enlaces, insignia y widget, como en el libro
    cells = []
    used = 0
    for cell in nb.cells:
        kind = cell.metadata["slideshow"]["slide_type"]
        if kind == "skip":
            continue
        if kind in ("slide", "subslide"):
            used = 0
        if cell.cell_type == "code":
            cell.source = "\n".join(_code_lines(cell.source))
            if _has_figure(cell) and kind != "notes":
                figures = _one_figure_per_cell(cell)
                cells += [figures[0], _notes_cell(f"```python\n{cell.source}\n```"), *figures[1:]]
                used = _figure_height(figures[-1])
                continue
        elif cell.cell_type == "markdown" and kind != "notes":
            room = max(BUDGET - used, 0) if kind not in ("slide", "subslide") else BUDGET
            if _prose_height(cell.source) > room:
                # Lo que no cabe sigue en una subdiapositiva; si tampoco cabe ahí, el resto va a las notas.
                cell.source, rest = _split_prose(cell.source, room)
                cells.append(cell)
                used = BUDGET
                if rest:
                    more, rest = _split_prose(rest, BUDGET)
                    cont = nbformat.v4.new_markdown_cell(more)
                    cont.metadata["slideshow"] = {"slide_type": "subslide"}
                    cells.append(cont)
                    used = _prose_height(more) + CELL_GAP
                if rest:
                    cells.append(_notes_cell(rest))
                    used = BUDGET
                continue
            used += _prose_height(cell.source) + CELL_GAP
        cells.append(cell)
    nb.cells = cells
    return nb


ASSETS = {
    "reveal.js": (REVEAL, ("dist", "plugin/notes")),
    "mathjax": (MATHJAX, ("tex-chtml.js", "input", "output", "ui", "a11y", "adaptors", "sre")),
}


def _copy_assets(out: Path) -> None:
    """Copia reveal.js y MathJax de ``node_modules`` a ``out/_static``."""
    from scripts.build_book import _shown

    for name, (src, parts) in ASSETS.items():
        if not src.exists():
            raise SlidesError(
                f"no encuentro {_shown(src)}: ejecuta `npm ci` en la raíz del repositorio "
                "(instala las copias locales de reveal.js y MathJax que dice package.json)"
            )
        for part in parts:
            dst = out / "_static" / name / part
            if (src / part).is_dir():
                shutil.copytree(src / part, dst, dirs_exist_ok=True)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src / part, dst)


def lessons() -> list[Path]:
    """Las lecciones (y partes opcionales) que existen, en el orden de ``utils/course.py``."""
    return [ROOT / "notebooks" / n for n, _ in NOTEBOOKS if (ROOT / "notebooks" / n).exists()]


def build_decks(out: Path = DEFAULT_OUT, notebooks: list[Path] | None = None) -> dict[str, float]:
    """Construye un mazo por lección en ``out``; devuelve los segundos de cada uno."""
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    _copy_assets(out)
    config = Config()
    config.TemplateExporter.extra_template_basedirs = [str(TEMPLATE_DIR)]
    config.SlidesExporter.reveal_url_prefix = "_static/reveal.js"
    config.SlidesExporter.reveal_width = str(WIDTH)
    config.SlidesExporter.reveal_height = str(HEIGHT)
    config.SlidesExporter.reveal_number = "c/t"
    config.SlidesExporter.reveal_theme = "white"  # sin fuentes de Google (la «simple» las pide a la red)
    config.HTMLExporter.mathjax_url = "_static/mathjax/tex-chtml.js"
    config.TagRemovePreprocessor.remove_input_tags = {HIDE_INPUT_TAG}
    config.TagRemovePreprocessor.enabled = True
    exporter = SlidesExporter(config=config, template_name=TEMPLATE)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    times = {}
    for path in notebooks or lessons():
        start = time.perf_counter()
        nb = deck_notebook(nbformat.read(path, as_version=4))
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
        (out / f"{path.stem}.html").write_text(body, encoding="utf-8")
        times[path.name] = time.perf_counter() - start
    return times


# ---------------------------------------------------------------------------------------------
# Línea de órdenes
# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Metadatos de diapositiva por reglas y mazos reveal.js locales.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="cuadernos (por defecto, las lecciones)")
    parser.add_argument("--check", action="store_true", help="solo comprobar; sale con 1 si alguno no está al día")
    parser.add_argument("--construir", action="store_true", help="construir los mazos HTML (sin tocar los cuadernos)")
    parser.add_argument("--salida", type=Path, default=DEFAULT_OUT, help="carpeta de los mazos")
    args = parser.parse_args(argv)
    paths = args.notebooks or lessons()
    if args.construir:
        try:
            times = build_decks(args.salida, paths)
        except SlidesError as err:
            print(f"Error: {err}", file=sys.stderr)
            return 1
        for name, seconds in times.items():
            print(f"{name}: {seconds:.1f} s → {args.salida / (Path(name).stem + '.html')}")
        print(f"Mazos construidos en {sum(times.values()):.1f} s.")
        return 0
    failed = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            problems = check(nb)
            failed += bool(problems)
            for problem in problems:
                print(f"{path.name}: {problem}")
        elif apply(nb):
            nbformat.write(nb, path)
            print(f"{path.name}: metadatos de diapositiva al día")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
