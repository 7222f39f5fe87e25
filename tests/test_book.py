"""El libro estático: se construye con una orden, sin ejecutar nada, y se lee bien en un navegador real.

Construye el libro (``scripts/build_book.py``) en una carpeta temporal y abre cada página en Chromium
sin cabeza: sin imágenes rotas, sin enlaces ni anclas internos rotos, sin errores en la consola y con
las matemáticas tipografiadas por MathJax. Deja capturas en ``_build/capturas/``.
"""

from __future__ import annotations

import html.parser
import time
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import nbformat
import pytest

from headless import chromium, console_errors, png_is_not_blank, require_node_modules, serve
from scripts import build_book
from utils.course import NOTEBOOKS

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "_build" / "capturas"
MAX_BUILD_SECONDS = 120


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """El libro construido: (carpeta, segundos que tardó)."""
    require_node_modules("mathjax")
    pytest.importorskip("myst_nb", reason="falta myst-nb: `pip install -r requirements.txt`")
    out = tmp_path_factory.mktemp("libro") / "libro"
    seconds = build_book.build(out)
    return out, seconds


def content_pages(out: Path) -> list[str]:
    """Las páginas del libro (sin el índice general ni la búsqueda de Sphinx)."""
    pages = [p.relative_to(out).as_posix() for p in out.rglob("*.html")]
    return sorted(p for p in pages if not p.startswith(("_", "genindex", "search")))


class _Refs(html.parser.HTMLParser):
    """Los ``id`` de una página y sus enlaces (``a href``) e imágenes (``img src``)."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.images = set(), [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


def _parse(path: Path) -> _Refs:
    refs = _Refs()
    refs.feed(path.read_text(encoding="utf-8"))
    return refs


def test_book_builds_quickly_with_every_notebook(book):
    out, seconds = book
    assert seconds < MAX_BUILD_SECONDS, f"el libro tardó {seconds:.0f} s en construirse (máximo {MAX_BUILD_SECONDS})"
    pages = content_pages(out)
    assert "index.html" in pages and "GLOSARIO.html" in pages
    sections = build_book.book_notebooks()
    for names in sections.values():
        for name in names:
            assert f"notebooks/{name[: -len('.ipynb')]}.html" in pages, f"falta la página de {name}"
    lessons = [n for n, _ in NOTEBOOKS if (ROOT / "notebooks" / n).exists()]
    assert sorted(sections["Lecciones"] + sections["Partes opcionales"]) == sorted(lessons)


def test_navigation_is_in_spanish_with_every_section(book):
    out, _ = book
    index = (out / "index.html").read_text(encoding="utf-8")
    for caption, names in build_book.book_notebooks().items():
        if names:
            assert caption in index, f"el índice no tiene la sección «{caption}»"
    lesson = (out / "notebooks" / f"{NOTEBOOKS[1][0][: -len('.ipynb')]}.html").read_text(encoding="utf-8")
    assert "anterior" in lesson and "siguiente" in lesson, "faltan los enlaces «anterior» y «siguiente»"
    assert "Glosario" in index or "GLOSARIO" in index


def test_no_broken_internal_link_anchor_or_image(book):
    out, _ = book
    problems, cache = [], {}
    for page in content_pages(out):
        refs = _parse(out / page)
        for href in refs.links + refs.images:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue  # los enlaces externos (GitHub, Colab, artículos) no se comprueban sin red
            target = (out / page).parent / unquote(parts.path) if parts.path else out / page
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page}: {href} no existe")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in cache:
                    cache[target] = _parse(target).ids
                ids = cache[target]
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page}: el ancla #{parts.fragment} no está en {target.name}")
    assert not problems, "enlaces rotos:\n" + "\n".join(problems[:30])


def test_widget_is_a_note_and_no_cdn(book):
    out, _ = book
    for page in content_pages(out):
        text = (out / page).read_text(encoding="utf-8")
        assert "widget-view+json" not in text and "unpkg.com" not in text and "cdn.jsdelivr" not in text, page
    for names in build_book.book_notebooks().values():
        for name in names:
            nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
            outputs = [o for c in nb.cells for o in c.get("outputs", [])]
            if any(build_book.WIDGET_MIME in o.get("data", {}) for o in outputs):
                page = out / "notebooks" / f"{name[: -len('.ipynb')]}.html"
                assert "Explorador interactivo" in page.read_text(encoding="utf-8"), f"{name}: falta la nota"


def _wait_for_mathjax(driver) -> None:
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const wait = () => (window.MathJax && MathJax.startup && MathJax.startup.promise)"
        "  ? MathJax.startup.promise.then(() => done(true), () => done(false))"
        "  : (document.readyState === 'complete' && !document.querySelector('.math') ? done(true) : setTimeout(wait, 50));"
        "wait();"
    )


PAGE_REPORT = """
const maths = Array.from(document.querySelectorAll('.math'));
return {
  broken: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
  math: maths.length,
  typeset: maths.filter(m => m.querySelector('mjx-container') || m.tagName === 'MJX-CONTAINER').length,
  raw: maths.filter(m => !m.querySelector('mjx-container') && /\\\\[(\\[]/.test(m.textContent)).length,
  errors: document.querySelectorAll('mjx-merror').length,
};
"""


def test_pages_in_chromium(book):
    out, _ = book
    pages = content_pages(out)
    problems, with_math = [], 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(out) as base, chromium() as driver:
        for page in pages:
            driver.get(urljoin(base, page))
            _wait_for_mathjax(driver)
            time.sleep(0.2)  # las imágenes diferidas y los mensajes tardíos de la consola
            report = driver.execute_script(PAGE_REPORT)
            problems += [f"{page}: imagen rota {src}" for src in report["broken"]]
            problems += [f"{page}: consola: {msg}" for msg in console_errors(driver)]
            if report["typeset"] != report["math"] or report["raw"]:
                problems.append(f"{page}: {report['typeset']} de {report['math']} fórmulas tipografiadas")
            if report["errors"]:
                problems.append(f"{page}: {report['errors']} fórmulas con error de TeX")
            with_math += report["math"] > 0
            if page == f"notebooks/{NOTEBOOKS[2][0][: -len('.ipynb')]}.html":
                driver.save_screenshot(str(SHOTS / "libro_leccion.png"))
    assert not problems, "\n".join(problems[:30])
    assert with_math >= 3, f"solo {with_math} páginas con matemáticas: ¿se perdió la extensión dollarmath?"


def test_first_page_screenshot_shows_the_title(book):
    out, _ = book
    SHOTS.mkdir(parents=True, exist_ok=True)
    with serve(out) as base, chromium() as driver:
        driver.get(base + "index.html")
        title = driver.execute_script(
            "const h = Array.from(document.querySelectorAll('h1')).find(e => e.getBoundingClientRect().width > 0);"
            "const r = h.getBoundingClientRect();"
            "return {text: h.textContent, top: r.top, bottom: r.bottom, height: window.innerHeight,"
            " visible: getComputedStyle(h).visibility === 'visible' && r.width > 0};"
        )
        png = driver.get_screenshot_as_png()
    (SHOTS / "libro_portada.png").write_bytes(png)
    assert "ViT desde cero" in title["text"]
    assert title["visible"] and 0 <= title["top"] and title["bottom"] <= title["height"], title
    assert png_is_not_blank(png)


def test_workflows_publish_the_book_and_run_ci():
    yaml = pytest.importorskip("yaml")
    workflows = ROOT / ".github" / "workflows"
    pages = yaml.safe_load((workflows / "pages.yml").read_text(encoding="utf-8"))
    steps = " ".join(str(s) for job in pages["jobs"].values() for s in job["steps"])
    assert "scripts/build_book.py" in steps and "actions/deploy-pages" in steps and "npm ci" in steps
    ci = yaml.safe_load((workflows / "ci.yml").read_text(encoding="utf-8"))
    assert any(s.get("run") == "bash .ci/run" for job in ci["jobs"].values() for s in job["steps"])


def test_prepare_notebook_for_the_book():
    """La insignia pasa a enlace de texto, el widget a una nota y los enlaces fuera del libro van a GitHub."""
    from nbformat import v4

    from utils.course import REPO_URL, colab_badge

    nb = v4.new_notebook(
        cells=[
            v4.new_markdown_cell(f"{colab_badge('02_atencion.ipynb')}\n\n# 02 · Atención"),
            v4.new_markdown_cell(
                "Mira [utils](../utils/attention.py), [el 01](01_parches_y_embedding.ipynb) y [arriba](#x)."
            ),
            v4.new_code_cell("explore(model)"),
        ]
    )
    view = {"model_id": "abc", "version_major": 2, "version_minor": 0}
    nb.cells[2].outputs = [v4.new_output("display_data", data={build_book.WIDGET_MIME: view, "text/plain": "VBox"})]
    pages = {"notebooks/01_parches_y_embedding.ipynb", "notebooks/02_atencion.ipynb"}
    build_book.prepare_notebook(nb, "notebooks/02_atencion.ipynb", pages)
    assert nb.cells[0].source.startswith("[Abrir en Colab](https://colab.research.google.com/")
    assert "colab-badge.svg" not in nb.cells[0].source
    links = nb.cells[1].source
    assert f"({REPO_URL}/blob/main/utils/attention.py)" in links and "(01_parches_y_embedding.ipynb)" in links
    assert "(#x)" in links
    assert (
        list(nb.cells[2].outputs[0].data) == ["text/html"]
        and "Explorador interactivo" in nb.cells[2].outputs[0].data["text/html"]
    )


def test_missing_mathjax_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(build_book, "MATHJAX", tmp_path / "no-esta")
    with pytest.raises(build_book.BookError, match="npm ci"):
        build_book.prepare_sources(tmp_path / "fuente")
