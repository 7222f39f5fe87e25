"""Construye el curso como un libro HTML estático, a partir de las salidas guardadas (sin ejecutar nada).

Uso (desde la raíz del repositorio, con el entorno del curso y ``npm ci`` hecho una vez):

    python scripts/build_book.py                 # deja el libro en _build/libro/ (ábrelo: index.html)
    python scripts/build_book.py --salida DIR    # en otra carpeta

El libro tiene el README como portada, las lecciones, las partes opcionales y las soluciones en
secciones propias (en el orden de ``utils/course.py``) y el glosario. Antes de llamar a Sphinx
(``book/conf.py``, con myst-nb y sphinx-book-theme) se preparan las fuentes en ``_build/libro_fuente/``:

- la insignia de Colab (una imagen de otro sitio) pasa a ser un enlace de texto;
- el explorador interactivo (un widget, que sin un kernel de Jupyter no se mueve) se sustituye por una nota: su
  figura estática está en la celda anterior;
- la celda de configuración no se muestra, y las soluciones ocultas en Jupyter salen plegadas;
- los enlaces a archivos del repositorio que no son páginas del libro apuntan a GitHub.

MathJax se copia de ``node_modules/mathjax`` (``npm ci``), así que el libro se lee sin red.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.sync_notebooks import BADGE_RE, SETUP_MARK  # noqa: E402
from utils import course  # noqa: E402

DEFAULT_OUT = ROOT / "_build" / "libro"
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
MATHJAX_PARTS = ("tex-chtml.js", "a11y", "adaptors", "input", "output", "sre", "ui")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    '<div class="admonition note nota-interactiva"><p class="admonition-title">Explorador interactivo</p>'
    "<p>Aquí, en Jupyter o en Colab, aparece el explorador interactivo: sus controles eligen la imagen, la "
    "capa, la cabeza y el modo, y la figura se redibuja. En el libro no hay un kernel de Jupyter que lo mueva; la "
    "figura de la celda anterior es una de sus vistas.</p></div>"
)
_LINK = re.compile(r"(\]\()([^)\s]+)(\))")
_TITLE = re.compile(r"^#\s+(.+?)\s*$", re.M)


class BookError(RuntimeError):
    """La construcción del libro no puede seguir (falta algo que se puede instalar)."""


def _shown(path: Path) -> str:
    """Una ruta para un mensaje: relativa a la raíz del repositorio si está dentro."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _optional(name: str) -> bool:
    check = getattr(course, "is_optional", None)
    return check(name) if check else not name.split("_")[0].isdigit()


def book_notebooks() -> dict[str, list[str]]:
    """Los cuadernos del libro por sección, como rutas dentro de ``notebooks/``; solo los que existen."""
    lessons = [n for n, _ in course.NOTEBOOKS]
    solutions = [n for n, _ in getattr(course, "SOLUTIONS", [])]
    exists = [n for n in lessons + solutions if (ROOT / "notebooks" / n).exists()]
    return {
        "Lecciones": [n for n in exists if n in lessons and not _optional(n)],
        "Partes opcionales": [n for n in exists if n in lessons and _optional(n)],
        "Soluciones": [n for n in exists if n in solutions],
    }


def _rewrite_links(text: str, source: str, pages: set[str], html: bool = False) -> str:
    """Enlaces relativos: los que van a una página del libro se quedan; los demás, a GitHub.

    ``source`` es la ruta del archivo en el repositorio (``README.md``, ``notebooks/02_x.ipynb``). Con
    ``html``, los enlaces a páginas del libro pasan a ``.html`` (para el Markdown de las salidas, que
    myst-nb no resuelve como referencias entre documentos).
    """
    base = Path(source).parent

    def fix(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^\{", target, re.I):
            return m.group(0)
        path, _, anchor = target.partition("#")
        resolved = os.path.normpath(base / path).replace(os.sep, "/")
        if resolved in pages:
            new = os.path.relpath(resolved, base).replace(os.sep, "/")
            if resolved == "README.md":
                new = os.path.relpath("index.md", base).replace(os.sep, "/")
            if html:
                new = re.sub(r"\.(ipynb|md)$", ".html", new)
            return f"{m.group(1)}{new}{'#' + anchor if anchor else ''}{m.group(3)}"
        kind = "tree" if (ROOT / resolved).is_dir() else "blob"
        url = f"{course.REPO_URL}/{kind}/{course.BRANCH}/{resolved}{'#' + anchor if anchor else ''}"
        return f"{m.group(1)}{url}{m.group(3)}"

    return _LINK.sub(fix, text)


def _colab_link(text: str) -> str:
    """La insignia de Colab (una imagen remota) como un enlace de texto."""
    return BADGE_RE.sub(lambda m: f"[Abrir en Colab]({m.group(0).rsplit('](', 1)[1][:-1]})", text)


def prepare_notebook(nb, source: str, pages: set[str]):
    """Adapta un cuaderno para el libro (en el sitio) y lo devuelve."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _rewrite_links(_colab_link(cell.source), source, pages)
            continue
        if cell.cell_type != "code":
            continue
        tags = list(cell.metadata.get("tags", []))
        if cell.source.startswith(SETUP_MARK):
            tags.append("remove-cell")
        elif cell.metadata.get("jupyter", {}).get("source_hidden"):
            tags.append("hide-input")
        for i, out in enumerate(cell.get("outputs", [])):
            data = out.get("data", {})
            if WIDGET_MIME in data:
                cell.outputs[i] = nbformat.v4.new_output("display_data", data={"text/html": WIDGET_NOTE})
            elif "text/markdown" in data:
                data["text/markdown"] = _rewrite_links(data["text/markdown"], source, pages, html=True)
        cell.metadata["tags"] = tags
    return nb


def _title(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells if c.cell_type == "markdown")
    m = _TITLE.search(BADGE_RE.sub("", text))
    return m.group(1) if m else path.stem


def prepare_sources(stage: Path) -> list[str]:
    """Escribe las fuentes del libro en ``stage``; devuelve las páginas (rutas relativas)."""
    if stage.exists():
        shutil.rmtree(stage)
    (stage / "_static").mkdir(parents=True)
    if not (MATHJAX / "tex-chtml.js").exists():
        raise BookError(
            f"no encuentro MathJax en {_shown(MATHJAX)}: ejecuta `npm ci` en la raíz del repositorio "
            "(instala las copias locales de MathJax y reveal.js que dice package.json)"
        )
    for part in MATHJAX_PARTS:
        src = MATHJAX / part
        dst = stage / "_static" / "mathjax" / part
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    shutil.copy2(ROOT / "book" / "_static" / "libro.css", stage / "_static" / "libro.css")

    sections = book_notebooks()
    pages = {"README.md", "GLOSARIO.md"} | {f"notebooks/{n}" for names in sections.values() for n in names}
    for names in sections.values():
        for name in names:
            source = f"notebooks/{name}"
            nb = nbformat.read(ROOT / source, as_version=4)
            (stage / source).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(prepare_notebook(nb, source, pages), stage / source)
    glossary = (ROOT / "GLOSARIO.md").read_text(encoding="utf-8")
    (stage / "GLOSARIO.md").write_text(_rewrite_links(glossary, "GLOSARIO.md", pages), encoding="utf-8")

    index = _rewrite_links((ROOT / "README.md").read_text(encoding="utf-8"), "README.md", pages)
    toc = []
    for caption, names in [*sections.items(), ("Consulta", None)]:
        entries = [f"notebooks/{n[: -len('.ipynb')]}" for n in names] if names is not None else ["GLOSARIO"]
        if entries:
            toc.append(f"\n```{{toctree}}\n:caption: {caption}\n:hidden:\n:maxdepth: 1\n\n" + "\n".join(entries))
            toc[-1] += "\n```\n"
    (stage / "index.md").write_text(index.rstrip() + "\n" + "".join(toc), encoding="utf-8")
    return ["index.md", "GLOSARIO.md", *sorted(p for p in pages if p.startswith("notebooks/"))]


def build(out: Path = DEFAULT_OUT, quiet: bool = True) -> float:
    """Construye el libro en ``out``; devuelve los segundos que tardó. Lanza ``BookError`` si falla."""
    start = time.perf_counter()
    out = Path(out).resolve()
    stage = out.parent / f"{out.name}_fuente"
    prepare_sources(stage)
    if out.exists():
        shutil.rmtree(out)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-E", "-c", str(ROOT / "book"), str(stage), str(out)]
    cmd += ["-q"] if quiet else []
    env = {**os.environ, "VIT_LIBRO_FUENTE": str(stage)}
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0 or "WARNING" in done.stderr or "ERROR" in done.stderr:
        raise BookError(f"Sphinx no construyó el libro limpio (código {done.returncode}):\n{done.stderr[-4000:]}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Construye el libro HTML del curso con las salidas guardadas.")
    parser.add_argument("--salida", type=Path, default=DEFAULT_OUT, help="carpeta del libro (por defecto _build/libro)")
    args = parser.parse_args(argv)
    try:
        seconds = build(args.salida)
    except BookError as err:
        print(f"Error: {err}", file=sys.stderr)
        return 1
    print(f"Libro construido en {seconds:.1f} s: abre {args.salida / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
