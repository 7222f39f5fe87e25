"""Comprobaciones de calidad del curso: ortografía, terminología, estilo, higiene y estructura.

Cada comprobación es una función que recibe un cuaderno (objeto de ``nbformat``), un texto o una
ruta y devuelve una lista de hallazgos; una lista vacía significa que todo está bien. Los tests de
``tests/`` las llaman sobre los archivos reales y sobre cuadernos sintéticos con el fallo que
deben detectar. También se pueden usar desde la terminal, que imprime los hallazgos:

    python scripts/quality.py ortografia     # hunspell es_ES + tests/palabras_tecnicas.txt (--sugerencias)
    python scripts/quality.py terminologia   # variantes que GLOSARIO.md manda evitar
    python scripts/quality.py estilo         # ruff check y ruff format --check
    python scripts/quality.py higiene        # metadatos, errores, orden de ejecución, tamaño
    python scripts/quality.py estructura     # insignia, celda de configuración, secciones, README
    python scripts/quality.py todo

Detrás de cada orden se pueden dar cuadernos o archivos concretos; sin ellos se revisa todo.
Sale con 1 si hay hallazgos.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import io
import json
import keyword
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.clean_notebooks import clean  # noqa: E402
from scripts.sync_notebooks import BADGE_RE, SETUP_MARK, SETUP_TEMPLATE, sync  # noqa: E402
from utils.course import ALL_NOTEBOOKS, NOTEBOOKS, REPO_SLUG, SOLUTIONS_DIR, colab_badge, solutions_notebook  # noqa: E402

NOTEBOOK_DIR = ROOT / "notebooks"
WORDLIST = ROOT / "tests" / "palabras_tecnicas.txt"
GLOSSARY = ROOT / "GLOSARIO.md"
README = ROOT / "README.md"
# Código cuyos comentarios, docstrings y mensajes lee una persona (tests/ queda fuera a propósito:
# sus textos de prueba contienen erratas a propósito).
CODE_DIRS = ("utils", "scripts")
LINT_PATHS = ("utils", "tests", "scripts")


@dataclass(frozen=True)
class Finding:
    """Un hallazgo: dónde está (archivo y celda o línea) y qué pasa."""

    source: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.where}: {self.message}" if self.where else f"{self.source}: {self.message}"


def rel(path: Path | str) -> str:
    """Ruta relativa a la raíz del repositorio (para los mensajes)."""
    path = Path(path).resolve()
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def notebook_paths() -> list[Path]:
    """Los cuadernos que existen en ``notebooks/`` y en ``notebooks/soluciones/``, en orden de nombre."""
    return sorted(NOTEBOOK_DIR.glob("*.ipynb")) + sorted((NOTEBOOK_DIR / SOLUTIONS_DIR).glob("*.ipynb"))


def notebook_name(path: Path | str) -> str:
    """La ruta de un cuaderno dentro de ``notebooks/``: ``02_atencion.ipynb`` o ``soluciones/…``."""
    path = Path(path)
    if path.parent.name == SOLUTIONS_DIR:
        return f"{SOLUTIONS_DIR}/{path.name}"
    return path.name


def is_solutions(name: str) -> bool:
    """``True`` si ``name`` (ruta dentro de ``notebooks/``) es un cuaderno de soluciones."""
    return name.startswith(f"{SOLUTIONS_DIR}/")


def read_notebook(path: Path | str):
    """Lee un cuaderno como nbformat 4 sin validarlo (la validación es una comprobación aparte)."""
    return nbformat.read(str(path), as_version=4)


# ---------------------------------------------------------------------------------------------
# Extracción del texto que lee una persona
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chunk:
    """Un trozo de texto legible: de dónde sale (``source``, ``where``), de qué tipo es y el texto."""

    source: str
    where: str
    kind: str  # de dónde sale: Markdown, docstring, comentario o mensaje
    text: str


def _blank(match: re.Match) -> str:
    """Sustituye un fragmento por espacios conservando los saltos de línea (para numerar líneas)."""
    return " " + "\n" * match.group(0).count("\n")


_MD_STRIP = [
    re.compile(r"<!--.*?-->", re.S),  # comentarios HTML
    re.compile(r":[a-z]+:(?=`)"),  # roles de reStructuredText (:func:`x`)
    re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.S | re.M),  # bloques de código
    re.compile(r"\$\$.*?\$\$", re.S),  # LaTeX en bloque
    re.compile(r"\\\[.*?\\\]", re.S),
    re.compile(r"\\begin\{(\w+\*?)\}.*?\\end\{\1\}", re.S),
    re.compile(r"(`+)(?!`)(?:[^\n]|\n(?![ \t]*\n))*?(?<!`)\1(?!`)"),  # código en línea (`x`, ``x``)
    re.compile(r"(?<![\\$])\$(?=\S)(?:\\.|[^$\\\n]|\n(?![ \t]*\n))+?(?<=\S)\$"),  # LaTeX en línea
    re.compile(r"\\\(.*?\\\)", re.S),
    re.compile(r"(?<=\])\([^)\s]*(?:\s+\"[^\"]*\")?\)"),  # destino de un enlace o imagen: [texto](url)
    re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M),  # definiciones de enlaces
    re.compile(r"<[A-Za-z/!][^>]*>"),  # etiquetas HTML
    re.compile(r"&[A-Za-z]+;|&#\d+;"),  # entidades HTML
    # órdenes de la terminal: líneas que empiezan por una orden y órdenes dentro de una frase
    re.compile(
        r"^[ \t]*(?:\$[ \t]*)?(?:sudo[ \t]+)?(?:git|cd|python3?|pip3?|jupyter|conda|apt(?:-get)?|pytest|ruff"
        r"|hunspell|pre-commit|source|export|bash|VIT_FAST=\S+|\.venv/\S+)(?![\w/-]).*$",
        re.M,
    ),
    re.compile(
        r"\b(?:sudo\s+)?(?:(?:apt-get|apt|pip3?|conda)\s+(?:-\S+\s+)*(?:install|env|create|activate)"
        r"|git\s+clone|jupyter\s+(?:lab|notebook)|python3?\s+(?:-m\s+\S+|\S+\.py))\b[^\n,;)]*"
    ),
    re.compile(r"(?:https?|ftp)://\S+|www\.\S+"),  # direcciones
    re.compile(r"\S+@\S+\.\w+"),  # correos
    re.compile(r"\S*\.(?:py|md|ipynb|pt|txt|toml|ya?ml|json|png|svg|sh|cfg|gz|csv|org|com|io)\b\S*"),  # archivos
    re.compile(r"(?<![\w'])'[^'\n]+'(?![\w'])"),  # código entre comillas simples ('cpu')
    re.compile(r"^[ \t]*(?:Args|Arguments|Returns|Yields|Raises|Examples?|Attributes|Notes?):[ \t]*$", re.M),
    re.compile(r"^[ \t]+\**\w+(?:[ \t]*\([^)\n]*\))?:(?=[ \t])", re.M),  # «nombre (tipo):» de los argumentos
    re.compile(r"(?<!\S)/[^\s/]\S*"),  # rutas absolutas
    re.compile(r"(?<!\S)[^\s/]+/(?=[\s),.;:]|$)", re.M),  # carpetas («utils/»)
    re.compile(r"(?<!\S)(?=\S*/)(?=\S*[._\d~])\S+"),  # rutas con puntos, guiones bajos o cifras
]
_FOREIGN_TITLE = re.compile(r"(?<!\*)\*(?!\*)[^*\n]+?(?<!\*)\*(?!\*)|«[^»\n]+»|\"[^\"\n]+\"|“[^”\n]+”")
_SPANISH_LETTERS = set("abcdefghijklmnopqrstuvwxyzáéíóúüñ" + "abcdefghijklmnopqrstuvwxyzáéíóúüñ".upper() + "'’-")


def _is_foreign_title(span: str) -> bool:
    """¿Es un título citado en inglés? Tres palabras o más, la mitad o más con mayúscula («An Image is Worth»)."""
    words = re.findall(r"[^\W\d_]+", span)
    return len(words) >= 3 and sum(w[0].isupper() for w in words) * 2 >= len(words)


_QUOTED_TITLE = re.compile(r"\"[^\"]+?\"|“[^”]+?”|(?<![*\w])\*(?!\*)(?:[^*\n]|\n(?![ \t]*\n))+?(?<!\*)\*(?![*\w])")
# Nombres propios de una referencia («Proceedings of the IEEE», «A. Vaswani»).
_PROPER_NOUN = re.compile(
    r"(?<![\w-])[A-ZÁÉÍÓÚÑ][\w'’.-]*(?:\s+(?:(?:of|the|for|and|on|in|at|to)\s+)*[A-ZÁÉÍÓÚÑ][\w'’.-]*)*"
)
_COMMENT_PRAGMA = re.compile(r"\b(noqa|type:\s*ignore|pragma|fmt:\s*(off|on|skip)|isort:\s*\w+)\b.*$")


def strip_markup(text: str) -> str:
    """Quita código, LaTeX, direcciones, etiquetas HTML y rutas de un texto Markdown o de un docstring."""
    for pattern in _MD_STRIP:
        text = pattern.sub(_blank, text)
    return _FOREIGN_TITLE.sub(lambda m: _blank(m) if _is_foreign_title(m.group(0)) else m.group(0), text)


def strip_reference_titles(text: str) -> str:
    """Quita de una lista de referencias los títulos citados (entre comillas o en cursiva) y los nombres propios.

    Los títulos van en su idioma original (casi siempre inglés) y los autores, revistas y congresos
    son nombres propios; el resto (las notas en español) sí se revisa.
    """
    return _PROPER_NOUN.sub(_blank, _QUOTED_TITLE.sub(_blank, text))


def _is_heading(line: str, *names: str) -> bool:
    m = re.match(r"^\s*#{1,6}\s+(?:\d+\.\s*)?(.+?)\s*#*\s*$", line)
    return bool(m) and any(m.group(1).strip().lower().startswith(n.lower()) for n in names)


REFERENCE_HEADINGS = ("Referencias", "Bibliografía", "Lecturas")


def _strip_references_section(text: str) -> str:
    """En un Markdown con una sección «Referencias», aplica ``strip_reference_titles`` solo a esa sección."""
    lines = text.split("\n")
    out: list[str] = []
    section: list[str] | None = None
    level = 0
    for line in lines:
        heading = re.match(r"^(#{1,6})\s", line)
        if heading and section is not None and len(heading.group(1)) <= level:
            out.extend(strip_reference_titles("\n".join(section)).split("\n"))
            section = None
        if section is not None:
            section.append(line)
            continue
        out.append(line)
        if heading and _is_heading(line, *REFERENCE_HEADINGS):
            section, level = [], len(heading.group(1))
    if section is not None:
        out.extend(strip_reference_titles("\n".join(section)).split("\n"))
    return "\n".join(out)


def _blank_table_columns(text: str, columns: Iterable[str] = ("Inglés", "Evitar")) -> str:
    """Vacía las columnas de una tabla Markdown cuyo encabezado está en ``columns`` (p. ej., la de inglés)."""
    out, skip = [], set()
    for line in text.split("\n"):
        if line.lstrip().startswith("|"):
            cells = line.strip().strip("|").split("|")
            if not skip and any(c.strip() in columns for c in cells):
                skip = {i for i, c in enumerate(cells) if c.strip() in columns}
            elif skip:
                cells = [" " if i in skip else c for i, c in enumerate(cells)]
                line = "|" + "|".join(cells) + "|"
        else:
            skip = set()
        out.append(line)
    return "\n".join(out)


def markdown_file_chunks(path: Path) -> list[Chunk]:
    """El texto de un archivo Markdown, una pieza por archivo (las líneas se numeran al revisar)."""
    text = path.read_text(encoding="utf-8")
    text = _strip_references_section(_blank_table_columns(text))
    return [Chunk(rel(path), "", "markdown", text)]


# Funciones y argumentos cuyo texto ve quien usa el curso.
MESSAGE_CALLS = {
    "print",
    "report",
    "warn",
    "set_title",
    "set_xlabel",
    "set_ylabel",
    "suptitle",
    "supxlabel",
    "supylabel",
    "set_description",
    "set_postfix_str",
    "write",
    "text",
    "annotate",
    "legend",
    "tqdm",
    "trange",
    "ArgumentParser",
    "display",
    "Markdown",
}
MESSAGE_KEYWORDS = {
    "title",
    "xlabel",
    "ylabel",
    "label",
    "desc",
    "postfix",
    "unit",
    "help",
    "description",
    "message",
    "msg",
    "success",
    "failure",
}
# Llamadas cuyos nombres de argumento también se ven (``bar.set_postfix(pérdida=...)``).
KEYWORD_NAME_CALLS = {"set_postfix"}


def _strings(node: ast.AST) -> list[str]:
    """Las cadenas de ``node``: constantes y partes fijas de las f-strings (lo de dentro de ``{}`` aparte).

    No entra en los índices (``datos["train_images"]``), que son nombres y no texto.
    """
    found: list[str] = []

    def visit_placeholder(n: ast.AST) -> None:
        # Dentro de ``{...}`` solo es texto lo que se elige con ``if``/``or`` ({'sí' if ok else 'no'});
        # ``{root / 'checkpoints'}`` o ``{d['clave']}`` son código.
        if isinstance(n, ast.FormattedValue):
            visit_placeholder(n.value)
        elif isinstance(n, ast.IfExp):
            visit_placeholder(n.body)
            visit_placeholder(n.orelse)
        elif isinstance(n, ast.BoolOp):
            for value in n.values:
                visit_placeholder(value)
        elif isinstance(n, (ast.Constant, ast.JoinedStr)):
            visit(n)

    def visit(n: ast.AST) -> None:
        if isinstance(n, ast.JoinedStr):
            parts = []
            for value in n.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    parts.append(" ")
                    visit_placeholder(value)
            found.append("".join(parts))
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            found.append(n.value)
        elif isinstance(n, ast.Subscript):
            visit(n.value)
        else:
            for child in ast.iter_child_nodes(n):
                visit(child)

    visit(node)
    return found


def _call_name(func: ast.AST) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def python_chunks(code: str, source: str, where_prefix: str = "") -> list[Chunk]:
    """Comentarios, docstrings y mensajes para el usuario de un trozo de código Python.

    Mensajes: argumentos de ``raise ...Error(...)``, ``print``, títulos y etiquetas de figuras,
    ``desc``/``postfix`` de tqdm, ayudas de argparse, ``report`` de los correctores, valores por
    defecto de parámetros como ``title`` y cadenas con espacios devueltas en una tupla (motivos).
    """
    prefix = f"{where_prefix}, " if where_prefix else ""
    chunks: list[Chunk] = []

    def add(line: int, kind: str, text: str) -> None:
        if text and text.strip():
            chunks.append(Chunk(source, f"{prefix}línea {line}", kind, text))

    # Las órdenes mágicas de IPython (`%timeit`, `!pip`) no son Python: se comentan para poder analizarlo.
    lines = ["# " + ln if ln.lstrip().startswith(("%", "!")) else ln for ln in code.split("\n")]
    code = "\n".join(lines)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                add(tok.start[0], "comentario", _COMMENT_PRAGMA.sub("", tok.string.lstrip("#")))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return chunks
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                if isinstance(body[0].value.value, str):
                    add(body[0].lineno, "docstring", body[0].value.value)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.posonlyargs + node.args.args
            defaults = list(zip(args[len(args) - len(node.args.defaults) :], node.args.defaults, strict=True))
            defaults += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d]
            for arg, default in defaults:
                if arg.arg in MESSAGE_KEYWORDS:
                    for s in _strings(default):
                        add(default.lineno, "mensaje", s)
        elif isinstance(node, ast.Raise) and node.exc is not None:
            for s in _strings(node.exc):
                add(node.lineno, "mensaje", s)
        elif isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name in MESSAGE_CALLS:
                for arg in node.args:
                    for s in _strings(arg):
                        add(arg.lineno, "mensaje", s)
            if name in KEYWORD_NAME_CALLS:
                add(node.lineno, "mensaje", " ".join(k.arg for k in node.keywords if k.arg))
            for kw in node.keywords:
                if kw.arg in MESSAGE_KEYWORDS or (name in MESSAGE_CALLS | KEYWORD_NAME_CALLS and kw.arg is None):
                    for s in _strings(kw.value):
                        add(kw.value.lineno, "mensaje", s)
                elif name in KEYWORD_NAME_CALLS:
                    for s in _strings(kw.value):
                        add(kw.value.lineno, "mensaje", s)
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            for elt in node.value.elts:
                for s in _strings(elt):
                    if " " in s.strip():
                        add(elt.lineno, "mensaje", s)
    return chunks


def _cell_where(index: int, cell) -> str:
    kind = "Markdown" if cell.cell_type == "markdown" else "código"
    return f"celda {index + 1} ({kind})"


def notebook_chunks(nb, source: str) -> list[Chunk]:
    """El texto legible de un cuaderno: celdas Markdown y comentarios y mensajes de las celdas de código.

    En las celdas desde la sección «Referencias» no se revisan los títulos citados (van en inglés).
    """
    chunks: list[Chunk] = []
    in_references = False
    for i, cell in enumerate(nb.cells):
        where = _cell_where(i, cell)
        if cell.cell_type == "markdown":
            text = cell.source
            if any(_is_heading(line, *REFERENCE_HEADINGS) for line in text.split("\n")):
                in_references = True
                text = _strip_references_section(text)
            elif in_references:
                text = strip_reference_titles(text)
            chunks.append(Chunk(source, where, "markdown", text))
        elif cell.cell_type == "code":
            chunks.extend(python_chunks(cell.source, source, where))
    return chunks


def code_file_chunks(path: Path) -> list[Chunk]:
    """Comentarios, docstrings y mensajes de un archivo ``.py``."""
    return python_chunks(path.read_text(encoding="utf-8"), rel(path))


def default_text_sources() -> list[Path]:
    """Todo lo que se revisa por defecto: cuadernos, Markdown de la raíz y de sus carpetas, y el código."""
    paths = list(notebook_paths())
    for md in sorted(ROOT.rglob("*.md")):
        parts = md.relative_to(ROOT).parts
        if not any(p.startswith(".") or p in {"node_modules", "__pycache__", "_build"} for p in parts):
            paths.append(md)
    for d in CODE_DIRS:
        paths.extend(sorted((ROOT / d).glob("*.py")))
    return paths


def chunks_for(path: Path) -> list[Chunk]:
    """Las piezas de texto de un cuaderno, un Markdown o un archivo Python."""
    path = Path(path)
    if path.suffix == ".ipynb":
        return notebook_chunks(read_notebook(path), rel(path))
    if path.suffix == ".md":
        return markdown_file_chunks(path)
    if path.suffix == ".py":
        return code_file_chunks(path)
    raise ValueError(f"No sé extraer el texto de {path}: usa un .ipynb, un .md o un .py.")


def _line_where(where: str, line: int) -> str:
    """Ubicación de la línea ``line`` (desde 1) de una pieza que empieza en ``where``."""
    m = re.search(r"línea (\d+)$", where)
    if m:
        return where[: m.start()] + f"línea {int(m.group(1)) + line - 1}"
    return f"{where}, línea {line}" if where else f"línea {line}"


def _lines(chunk: Chunk) -> Iterator[tuple[str, str]]:
    """Recorre ``chunk`` línea a línea con su ubicación (p. ej., «celda 3 (Markdown), línea 2»)."""
    for j, line in enumerate(strip_markup(chunk.text).split("\n"), start=1):
        yield _line_where(chunk.where, j), line


# ---------------------------------------------------------------------------------------------
# Ortografía (hunspell)
# ---------------------------------------------------------------------------------------------

HUNSPELL_DICT = os.environ.get("VIT_HUNSPELL_DICT", "es_ES")
_TOKEN = re.compile(r"[\w'’\-]+")
_CAMEL = re.compile(r"[a-záéíóúüñ][A-ZÁÉÍÓÚÜÑ]")


def hunspell_status() -> tuple[bool, str]:
    """``(True, "")`` si hunspell y su diccionario español están instalados; si no, ``(False, motivo)``."""
    exe = shutil.which(os.environ.get("VIT_HUNSPELL", "hunspell"))
    if exe is None:
        return False, "no está instalado hunspell (en Debian/Ubuntu: sudo apt-get install hunspell hunspell-es)"
    result = subprocess.run([exe, "-D"], input="", capture_output=True, text=True, timeout=30)
    listing = result.stdout + result.stderr
    if not re.search(rf"[/\\]{re.escape(HUNSPELL_DICT)}(\.dic)?\s*$", listing, re.M):
        return (
            False,
            f"falta el diccionario {HUNSPELL_DICT} de hunspell (en Debian/Ubuntu: sudo apt-get install hunspell-es)",
        )
    return True, ""


def glossary_english_words(glossary: Path = GLOSSARY) -> set[str]:
    """Las palabras de la columna «Inglés» del glosario: son los términos ingleses oficiales del curso."""
    words: set[str] = set()
    if glossary.exists():
        for row in parse_glossary_rows(glossary.read_text(encoding="utf-8")):
            words.update(w for w in _TOKEN.findall(row.get("Inglés", "")) for w in w.split("-") if w)
    return words


def load_wordlist(path: Path = WORDLIST) -> set[str]:
    """Las palabras aceptadas del proyecto (una por línea; ``#`` empieza un comentario)."""
    if not path.exists():
        return set()
    words = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {w for w in words if w}


def candidate_words(line: str) -> list[str]:
    """Las palabras de una línea que hay que revisar.

    Se saltan los identificadores (con ``_`` o dígitos, en CamelCase, o pegados a código como
    ``x.reshape(`` o ``nn.Linear``) y las letras sueltas (variables como Q, K, V, p o N).
    """
    words = []
    for m in _TOKEN.finditer(line):
        token = m.group(0).strip("-'’")
        before, after = line[max(0, m.start() - 2) : m.start()], line[m.end() : m.end() + 2]
        if len(token) <= 1 or not set(token) <= _SPANISH_LETTERS or _CAMEL.search(token):
            continue  # letras sueltas, identificadores (x_1, float32, PatchEmbedding) y símbolos (Kᵀ)
        if re.fullmatch(r"\w\.", before) or after[:1] in ("(", "[", "=") or re.fullmatch(r"\.\w", after):
            continue
        words.append(token)
    return words


@functools.lru_cache(maxsize=1)
def project_identifiers() -> frozenset[str]:
    """Los nombres del código del proyecto (utils, scripts y celdas de los cuadernos) y de Python.

    Un comentario que dice «recorre images» nombra la variable ``images``: no es prosa que revisar.
    """
    names = set(keyword.kwlist) | set(dir(builtins))
    sources = [p.read_text(encoding="utf-8") for d in CODE_DIRS for p in sorted((ROOT / d).glob("*.py"))]
    for path in notebook_paths():
        sources += [c.source for c in read_notebook(path).cells if c.cell_type == "code"]
    for code in sources:
        names |= identifiers_in(code)
    return frozenset(names)


def identifiers_in(code: str) -> set[str]:
    """Los identificadores de un trozo de código (variables, atributos, argumentos, módulos importados)."""
    code = "\n".join("# " + ln if ln.lstrip().startswith(("%", "!")) else ln for ln in code.split("\n"))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.keyword) and node.arg:
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.update((node.asname or node.name).split("."))
            names.update(node.name.split("."))
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(node.module.split("."))
    return names


def _accepted_by_list(word: str, wordlist: set[str]) -> bool:
    """Reglas de mayúsculas de hunspell para la lista propia (hunspell parte las palabras con guion)."""
    if word in wordlist:
        return True
    if word.lower() in wordlist and word in {word.lower(), word[0] + word[1:].lower(), word.upper()}:
        return True
    return word.isupper() and word in {w.upper() for w in wordlist}


def misspelled(words: Iterable[str], extra_words: Iterable[str] = ()) -> set[str]:
    """Las palabras que hunspell no reconoce con el diccionario español y la lista del proyecto."""
    wordlist = load_wordlist() | set(extra_words)
    words = set(words)
    queries: dict[str, list[str]] = {}
    for word in words:
        if "-" in word and not _accepted_by_list(word, wordlist):
            queries[word] = [p for p in word.split("-") if len(p) > 1]
        elif "-" not in word:
            queries[word] = [word]
    to_check = sorted({p for parts in queries.values() for p in parts})
    if not to_check:
        return set()
    with tempfile.NamedTemporaryFile("w", suffix=".dic", encoding="utf-8", delete=False) as personal:
        personal.write("\n".join(sorted(wordlist)) + "\n")
    try:
        result = subprocess.run(
            [shutil.which(os.environ.get("VIT_HUNSPELL", "hunspell")) or "hunspell", "-d", HUNSPELL_DICT]
            + ["-p", personal.name, "-i", "utf-8", "-l"],
            input="\n".join(to_check) + "\n",
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=True,
        )
    finally:
        os.unlink(personal.name)
    bad_parts = set(result.stdout.split())
    return {word for word, parts in queries.items() if any(p in bad_parts for p in parts)}


def suggestions(words: Iterable[str]) -> dict[str, list[str]]:
    """Hasta tres sugerencias de hunspell para cada palabra (en una sola llamada)."""
    words = sorted(set(words))
    if not words:
        return {}
    exe = shutil.which(os.environ.get("VIT_HUNSPELL", "hunspell")) or "hunspell"
    result = subprocess.run(
        [exe, "-d", HUNSPELL_DICT, "-i", "utf-8", "-a"],
        input="".join(f"^{w}\n" for w in words),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    hints: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        if line.startswith("& "):
            word, rest = line[2:].split(" ", 1)
            hints[word] = [h.strip() for h in rest.split(":", 1)[1].split(",")][:3]
    return hints


def check_spelling(
    chunks: Iterable[Chunk], suggest: bool = False, identifiers: Iterable[str] | None = None
) -> list[Finding]:
    """Revisa la ortografía de ``chunks``; un hallazgo por palabra desconocida y lugar.

    Las palabras que son identificadores del código (``identifiers``, por defecto los del proyecto)
    no se revisan.
    """
    skip = project_identifiers() if identifiers is None else frozenset(identifiers)
    located: list[tuple[str, str, str]] = []
    for chunk in chunks:
        for where, line in _lines(chunk):
            for word in candidate_words(line):
                if word not in skip:
                    located.append((chunk.source, where, word))
    bad = misspelled({w for _, _, w in located}, glossary_english_words())
    findings, seen = [], set()
    hints = suggestions(bad) if suggest else {}
    located.sort(key=lambda item: (item[0], [int(n) for n in re.findall(r"\d+", item[1])]))
    for source, where, word in located:
        if word in bad and (source, where, word) not in seen:
            seen.add((source, where, word))
            hint = f" (¿{', '.join(hints[word])}?)" if hints.get(word) else ""
            findings.append(Finding(source, where, f"«{word}» no está en el diccionario{hint}"))
    return findings


def spelling_findings(paths: Iterable[Path] | None = None, suggest: bool = False) -> list[Finding]:
    """La ortografía de los archivos dados (por defecto, todo lo que lee una persona)."""
    chunks = [c for p in (paths or default_text_sources()) for c in chunks_for(Path(p))]
    return check_spelling(chunks, suggest=suggest)


# ---------------------------------------------------------------------------------------------
# Terminología (GLOSARIO.md)
# ---------------------------------------------------------------------------------------------


def parse_glossary_rows(text: str) -> list[dict[str, str]]:
    """Las filas de la tabla del glosario como diccionarios {encabezado: celda}."""
    rows, header = [], None
    for line in text.split("\n"):
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not all(re.fullmatch(r":?-+:?", c) for c in cells):
            rows.append(dict(zip(header, cells, strict=False)))
    return rows


@dataclass(frozen=True)
class Variant:
    """Una variante que el glosario manda evitar, con el término preferido."""

    term: str  # la variante, p. ej. «precisión»
    preferred: str  # el término del glosario, p. ej. «exactitud»
    english: str
    prose_only: bool  # «batch» en la prosa: se permite en cursiva (*batch*), como término inglés citado


def glossary_variants(glossary: Path = GLOSSARY) -> list[Variant]:
    """Las variantes de la columna «Evitar»: lo que va entre «» (o en cursiva) en esa columna."""
    variants = []
    for row in parse_glossary_rows(glossary.read_text(encoding="utf-8")):
        avoid = row.get("Evitar", "")
        for m in re.finditer(r"«([^»]+)»|\*([^*]+)\*", avoid):
            term = (m.group(1) or m.group(2)).strip()
            rest = avoid[m.end() :].split(",", 1)[0].split("«", 1)[0]
            variants.append(Variant(term, row.get("Español", ""), row.get("Inglés", ""), "en la prosa" in rest))
    return variants


# Variantes con otro sentido correcto en español. Para cada una, la frase en la que aparece decide:
#   ("solo_si", patrón): es un error solo si la frase cumple el patrón (p. ej., «función de coste»);
#   ("salvo", patrón): es un error salvo si la frase cumple el patrón (p. ej., «precisión numérica»).
SENSE_RULES: dict[str, tuple[str, str]] = {
    # «precisión» por accuracy está mal; la precisión numérica o «con precisión» están bien.
    "precisión": (
        "salvo",
        r"float|bits?\b|coma flotante|punto flotante|numéric|decimal|redonde|toleranc|allclose|atol|rtol"
        r"|con (?:\w+ )?precisión|exhaustividad|sensibilidad|recall|\bprecision\b|doble precisión|precisión (?:simple|doble|mixta|media)",
    ),
    # «coste»/«costo» por loss está mal; el coste computacional o de memoria está bien.
    "coste": ("solo_si", r"funci[oó]n de cost|entrop[ií]a|exactitud|época|minimiz"),
    "costo": ("solo_si", r"funci[oó]n de cost|entrop[ií]a|exactitud|época|minimiz"),
    # «pregunta» y «llave» solo son errores como nombres de Q y K.
    "pregunta": ("solo_si", r"\bclaves?\b|\bllaves?\b|\bvalor(?:es)?\b|\bconsultas?\b|proyecci|\bQ\b|\bK\b"),
    "llave": ("solo_si", r"\bconsultas?\b|\bpreguntas?\b|\bvalor(?:es)?\b|proyecci|\bQ\b|\bK\b|atención"),
    # «encaje» es también el verbo encajar («para que encaje»): solo cuenta como sustantivo.
    "encaje": ("solo_si", r"\b(?:el|un|los|unos|del|al|este|ese|cada|su|sus|nuestro)\s+encajes?\b"),
    # «fragmento de código» está bien; un «fragmento» de la imagen es un parche.
    "fragmento": ("solo_si", r"imagen|imágenes|píxel|parche|\d\s*[×x]\s*\d|cuadrad|trozo"),
    # La codificación posicional sinusoidal del Transformer original sí se llama así.
    "codificación posicional": ("salvo", r"sinusoidal|senos?\b|cosenos?\b|Transformer original|Vaswani|texto|lenguaje"),
}


def _plurals(word: str) -> set[str]:
    forms = {word, word + "s", word + "es"}
    if word.endswith("ión"):
        forms.add(word[:-3] + "iones")
    return forms


def _forms(term: str) -> list[str]:
    """La variante y sus plurales: «checkpoint» → «checkpoints», «conjunto de test» → «conjuntos de test»."""
    words = term.split()
    forms = {" ".join([*words[:-1], p]) for p in _plurals(words[-1])}
    if len(words) > 1:
        forms |= {" ".join([p, *words[1:]]) for p in _plurals(words[0])}
    return sorted(forms, key=len, reverse=True)


def _variant_pattern(variant: Variant) -> re.Pattern:
    alternatives = "|".join(r"\s+".join(re.escape(w) for w in f.split()) for f in _forms(variant.term))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.I)


_SENTENCE_END = re.compile(r"[.!?;:\n](?=\s|$)")


def _sentence(text: str, start: int, end: int) -> str:
    before = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    after = _SENTENCE_END.search(text, end)
    return text[before[-1] if before else 0 : after.start() if after else len(text)]


_GUILLEMETS = re.compile(r"«[^»\n]*»")
_ITALICS = re.compile(r"(?<![*\w])(\*|_)(?!\1)[^*_\n]+?(?<!\*)\1(?![*\w])")


def find_variants(text: str, variants: list[Variant]) -> list[tuple[int, str, Variant]]:
    """Las variantes desaconsejadas de ``text`` (ya sin código ni LaTeX): (posición, palabra, variante).

    Se permiten las menciones explícitas entre comillas latinas («precisión») y, para las variantes
    «en la prosa», la cita en cursiva del término inglés (*batch*).
    """
    quoted = _GUILLEMETS.sub(lambda m: " " * len(m.group(0)), text)
    no_italics = _ITALICS.sub(lambda m: " " * len(m.group(0)), quoted)
    hits = []
    for variant in variants:
        haystack = no_italics if variant.prose_only else quoted
        for m in _variant_pattern(variant).finditer(haystack):
            before, after = haystack[max(0, m.start() - 2) : m.start()], haystack[m.end() : m.end() + 2]
            if re.fullmatch(r"\w\.", before) or re.fullmatch(r"\.\w", after) or after[:1] in ("(", "[", "="):
                continue  # un nombre de código (utils.patches.patchify, batch=...)
            rule = SENSE_RULES.get(variant.term.lower())
            if rule:
                mode, pattern = rule
                context = _sentence(quoted, m.start(), m.end())
                matched = re.search(pattern, context, re.I) is not None
                if (mode == "solo_si" and not matched) or (mode == "salvo" and matched):
                    continue
            hits.append((m.start(), m.group(0), variant))
    # «incrustación de parches» ya incluye «incrustación»: se informa solo de la más larga.
    hits = [
        h
        for h in hits
        if not any(
            o is not h and o[0] <= h[0] and h[0] + len(h[1]) <= o[0] + len(o[1]) and len(o[1]) > len(h[1]) for o in hits
        )
    ]
    return sorted(hits, key=lambda h: h[0])


def check_terminology(chunks: Iterable[Chunk], variants: list[Variant] | None = None) -> list[Finding]:
    """Un hallazgo por cada variante desaconsejada en ``chunks``, con el término que hay que usar."""
    variants = glossary_variants() if variants is None else variants
    findings = []
    for chunk in chunks:
        text = strip_markup(chunk.text)
        for pos, word, variant in find_variants(text, variants):
            line = text.count("\n", 0, pos) + 1
            where = _line_where(chunk.where, line)
            english = f" ({variant.english})" if variant.english else ""
            message = f"«{word}»: usa «{variant.preferred}»{english}, como dice GLOSARIO.md"
            findings.append(Finding(chunk.source, where, message))
    return findings


def terminology_findings(paths: Iterable[Path] | None = None) -> list[Finding]:
    """La terminología de los archivos dados (por defecto, todo lo que lee una persona menos el glosario)."""
    paths = [Path(p) for p in (paths or default_text_sources())]
    chunks = [c for p in paths if p.resolve() != GLOSSARY.resolve() for c in chunks_for(p)]
    return check_terminology(chunks)


# ---------------------------------------------------------------------------------------------
# Estilo (ruff)
# ---------------------------------------------------------------------------------------------


def ruff(*args: str) -> subprocess.CompletedProcess:
    """Ejecuta ``python -m ruff`` con el intérprete actual desde la raíz del repositorio."""
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def lint_findings(paths: Iterable[str] | None = None) -> list[Finding]:
    """Lo que dicen ``ruff check`` y ``ruff format --check`` de ``paths`` (por defecto, el código y los cuadernos)."""
    targets = [str(p) for p in paths] if paths else [*LINT_PATHS, *(rel(p) for p in notebook_paths())]
    findings = []
    check = ruff("check", "--no-fix", "--output-format", "concise", *targets)
    if check.returncode != 0:
        for line in check.stdout.splitlines():
            if re.match(r"^\S+:\d+:\d+: ", line):
                path, row, col, msg = line.split(":", 3)
                findings.append(Finding(path, f"línea {row}, columna {col}", msg.strip()))
        if not findings:
            findings.append(Finding("ruff check", "", (check.stdout + check.stderr).strip()))
    fmt = ruff("format", "--check", *targets)
    if fmt.returncode != 0:
        # La lista de archivos sin formato cambia de aspecto según la versión de ruff: se aceptan las tres.
        pattern = r"^Would reformat: (.+)$|^\s*--> (.+?):\d+:\d+|^(\S+?):\d+:\d+: unformatted"
        paths = {next(g for g in m.groups() if g) for m in re.finditer(pattern, fmt.stdout, re.M)}
        for path in sorted(paths):
            findings.append(Finding(rel(path), "", f"sin formato: ejecuta `ruff format {rel(path)}`"))
        if not paths:
            findings.append(Finding("ruff format", "", (fmt.stdout + fmt.stderr).strip()))
    return findings


# ---------------------------------------------------------------------------------------------
# Higiene de los cuadernos
# ---------------------------------------------------------------------------------------------

MAX_NOTEBOOK_BYTES = 3 * 1024 * 1024
MAX_OUTPUT_BYTES = 1024 * 1024
MAX_WIDGET_BYTES = 10 * 1024
NB_METADATA_KEYS = {"kernelspec", "language_info", "vit_desde_cero"}
CELL_METADATA_KEYS = {"tags", "collapsed", "jupyter", "slideshow"}
FORBIDDEN_IMAGE_TYPES = {"image/svg+xml": "SVG", "image/jpeg": "JPEG"}
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~-])(?:/work|/home|/root|/Users|/tmp|/private/var|[A-Za-z]:\\Users)(?=[/\\\s'\"]|$)"
)


def _output_text(output) -> str:
    """Todo el texto de una salida (lo impreso, los datos y la traza de un error) para buscar rutas."""
    parts = []
    if "text" in output:
        parts.append(output["text"] if isinstance(output["text"], str) else "".join(output["text"]))
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/") or mime.endswith("json"):
            parts.append(value if isinstance(value, str) else json.dumps(value))
    parts.extend(output.get("traceback", []))
    return "\n".join(parts)


def check_valid(nb) -> list[str]:
    """El cuaderno cumple el esquema de nbformat."""
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        return [f"no es un cuaderno válido de nbformat: {err.message}"]
    return []


def check_no_errors(nb) -> list[str]:
    """Ninguna celda guardó una salida de error."""
    return [
        f"celda {i + 1}: salida de error ({out.get('ename', '?')}: {out.get('evalue', '')[:80]})"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def check_execution_order(nb) -> list[str]:
    """Las celdas de código no vacías se ejecutaron de arriba abajo: 1, 2, ..., n (una sola vez)."""
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    problems = []
    expected = 1
    for i, cell in code:
        count = cell.get("execution_count")
        if not cell.source.strip():
            if count is not None or cell.get("outputs"):
                problems.append(f"celda {i + 1}: celda de código vacía con salida o número de ejecución")
            continue
        if count != expected:
            got = "sin ejecutar" if count is None else f"ejecutada con el número {count}"
            problems.append(
                f"celda {i + 1}: {got} y debería ser la ejecución {expected} (ejecuta el cuaderno de arriba abajo "
                "con scripts/run_notebooks.py)"
            )
            break
        expected += 1
    return problems


def check_metadata(nb) -> list[str]:
    """Sin metadatos personales o de la máquina: solo los que deja ``scripts/clean_notebooks.py``."""
    problems = []
    extra = sorted(set(nb.metadata) - NB_METADATA_KEYS)
    if extra:
        problems.append(f"metadatos del cuaderno que sobran: {', '.join(extra)}")
    for i, cell in enumerate(nb.cells):
        extra = sorted(set(cell.get("metadata", {})) - CELL_METADATA_KEYS)
        if extra:
            problems.append(f"celda {i + 1}: metadatos que sobran: {', '.join(extra)}")
        for out in cell.get("outputs", []):
            if out.get("metadata"):
                problems.append(f"celda {i + 1}: metadatos en una salida: {', '.join(sorted(out['metadata']))}")
                break
    cleaned = copy.deepcopy(nb)
    clean(cleaned)
    if not problems and cleaned != nb:
        problems.append("scripts/clean_notebooks.py cambiaría el cuaderno (p. ej., kernelspec o language_info)")
    if problems:
        problems[-1] += " → ejecuta `python scripts/clean_notebooks.py`"
    return problems


def check_paths(nb) -> list[str]:
    """Ninguna salida ni celda contiene rutas absolutas de una máquina (``/work``, ``/home``, ``/root``...)."""
    problems = []
    for i, cell in enumerate(nb.cells):
        texts = [("el código" if cell.cell_type == "code" else "el texto", cell.source)]
        texts += [("una salida", _output_text(out)) for out in cell.get("outputs", [])]
        for what, text in texts:
            m = ABSOLUTE_PATH.search(text)
            if m:
                line = next(ln for ln in text.split("\n") if ABSOLUTE_PATH.search(ln))
                problems.append(f"celda {i + 1}: ruta absoluta en {what}: {line.strip()[:100]!r}")
                break
    return problems


def check_widgets(nb) -> list[str]:
    """Sin estado de widgets de más de 10 kB (ni en los metadatos ni en las salidas)."""
    problems = []
    state = nb.metadata.get("widgets")
    if state is not None and len(json.dumps(state)) > MAX_WIDGET_BYTES:
        problems.append(f"estado de widgets de {len(json.dumps(state)) // 1024} kB en los metadatos")
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            for mime, value in out.get("data", {}).items():
                if "widget" in mime and len(json.dumps(value)) > MAX_WIDGET_BYTES:
                    problems.append(f"celda {i + 1}: estado de widget de {len(json.dumps(value)) // 1024} kB")
    return problems


def check_size(nb, size_bytes: int | None = None) -> list[str]:
    """El cuaderno ocupa menos de 3 MB y ninguna salida pasa de 1 MB."""
    size = size_bytes if size_bytes is not None else len(nbformat.writes(nb).encode())
    problems = []
    if size >= MAX_NOTEBOOK_BYTES:
        problems.append(f"ocupa {size / 2**20:.1f} MB (máximo 3 MB): reduce figuras o salidas")
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            n = len(json.dumps(out))
            if n > MAX_OUTPUT_BYTES:
                problems.append(f"celda {i + 1}: una salida de {n / 2**20:.1f} MB (máximo 1 MB por salida)")
    return problems


def check_image_formats(nb) -> list[str]:
    """Las figuras se guardan en PNG (ni SVG ni JPEG)."""
    return [
        f"celda {i + 1}: figura en {name}; usa PNG (el formato por defecto de matplotlib en el cuaderno)"
        for i, cell in enumerate(nb.cells)
        for out in cell.get("outputs", [])
        for mime, name in FORBIDDEN_IMAGE_TYPES.items()
        if mime in out.get("data", {})
    ]


def check_slides(nb) -> list[str]:
    """Los metadatos de diapositiva son los que dan las reglas de scripts/slides.py (si el cuaderno ya los tiene)."""
    from scripts import slides

    return slides.check(nb) if slides.has_slide_metadata(nb) else []


HYGIENE_CHECKS = (
    check_valid,
    check_no_errors,
    check_execution_order,
    check_metadata,
    check_paths,
    check_widgets,
    check_slides,
)


def check_hygiene(nb, size_bytes: int | None = None) -> list[str]:
    """Todas las comprobaciones de higiene de un cuaderno."""
    problems = [p for check in HYGIENE_CHECKS for p in check(nb)]
    return problems + check_size(nb, size_bytes) + check_image_formats(nb)


def hygiene_findings(paths: Iterable[Path] | None = None) -> list[Finding]:
    """La higiene de los cuadernos dados (por defecto, todos los de ``notebooks/``)."""
    findings = []
    for path in paths or notebook_paths():
        path = Path(path)
        nb = read_notebook(path)
        findings += [Finding(rel(path), "", p) for p in check_hygiene(nb, path.stat().st_size)]
    return findings


# ---------------------------------------------------------------------------------------------
# Estructura de los cuadernos y del repositorio
# ---------------------------------------------------------------------------------------------

SECTIONS = ("Objetivos", "Resumen", "Ejercicios", "Referencias")
FINAL_SECTIONS = SECTIONS[1:]
REQUIRED_REFERENCES = ("Dosovitskiy", "Vaswani")
_HEADING = re.compile(r"^(#{1,6})\s+(?:\d+(?:\.\d+)*\.?\s+)?(.+?)\s*#*\s*$", re.M)
_NOTEBOOK_NAME = re.compile(r"(?<![/\w])\d\d[a-z]?_[\w-]+\.ipynb\b")


def headings(nb) -> list[tuple[int, int, str]]:
    """Los encabezados Markdown del cuaderno: (celda, nivel, texto sin numeración)."""
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            text = re.sub(r"^(```|~~~).*?^\1", "", cell.source, flags=re.S | re.M)
            found += [(i, len(m.group(1)), m.group(2).strip()) for m in _HEADING.finditer(text)]
    return found


def check_title(nb, name: str) -> list[str]:
    """La primera celda tiene el título ``# NN · Título`` (tras la insignia), con el número y el título de NOTEBOOKS."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["la primera celda debe ser Markdown con el título"]
    lines = [ln.strip() for ln in BADGE_RE.sub("", nb.cells[0].source).split("\n") if ln.strip()]
    first = lines[0] if lines else ""
    titles = dict(ALL_NOTEBOOKS)
    number = Path(name).name.split("_")[0]
    if not re.match(rf"^# {re.escape(number)} · \S", first):
        return [f"la primera celda debe empezar por «# {number} · Título» (tras la insignia) y empieza por {first!r}"]
    expected = f"# {number} · {titles[name]}" if name in titles else None
    if expected and first != expected:
        return [f"el título es {first!r} y en utils/course.py es {expected!r}: que coincidan"]
    return []


def check_badge(nb, name: str) -> list[str]:
    """La primera celda lleva la insignia de Colab de este cuaderno (la de ``utils.course.colab_badge``)."""
    first = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
    if colab_badge(name) in first:
        return []
    if "colab.research.google.com" in first:
        return ["la insignia de Colab no apunta a este cuaderno: ejecuta `python scripts/sync_notebooks.py`"]
    return ["falta la insignia de Colab en la primera celda: ejecuta `python scripts/sync_notebooks.py`"]


def check_setup_cell(nb) -> list[str]:
    """La segunda celda es la de configuración, idéntica a ``SETUP_TEMPLATE`` de sync_notebooks.py."""
    if len(nb.cells) < 2 or nb.cells[1].cell_type != "code" or not nb.cells[1].source.startswith(SETUP_MARK):
        return [f"la segunda celda debe ser la de configuración (código que empieza por {SETUP_MARK!r})"]
    if nb.cells[1].source != SETUP_TEMPLATE:
        return ["la celda de configuración no coincide con la plantilla: ejecuta `python scripts/sync_notebooks.py`"]
    others = [i + 1 for i, c in enumerate(nb.cells[2:], 2) if c.cell_type == "code" and c.source.startswith(SETUP_MARK)]
    return [f"celda {i}: celda de configuración repetida" for i in others]


def check_first_cell(nb) -> list[str]:
    """La primera celda dice los objetivos, los requisitos previos y el tiempo estimado."""
    first = nb.cells[0].source if nb.cells and nb.cells[0].cell_type == "markdown" else ""
    return [
        f"la primera celda no dice «{item}»" for item in ("Requisitos previos", "Tiempo estimado") if item not in first
    ]


def check_sections(nb) -> list[str]:
    """Están Objetivos, Resumen, Ejercicios y Referencias, en ese orden, y las tres últimas al final."""
    found = headings(nb)
    positions = {}
    for order, (cell, level, text) in enumerate(found):
        for section in SECTIONS:
            if section not in positions and text.lower().startswith(section.lower()):
                positions[section] = (order, cell, level)
    problems = [f"falta la sección «{s}» (un encabezado Markdown `## {s}`)" for s in SECTIONS if s not in positions]
    present = [s for s in SECTIONS if s in positions]
    if [s for s in sorted(present, key=lambda s: positions[s][0])] != present:
        actual = sorted(present, key=lambda s: positions[s][0])
        problems.append(f"las secciones están en el orden {' → '.join(actual)} y deben ir {' → '.join(SECTIONS)}")
    if "Objetivos" in positions and positions["Objetivos"][1] != 0:
        problems.append("«Objetivos» debe estar en la primera celda")
    if "Resumen" in positions and not problems:
        level = positions["Resumen"][2]
        tail = [text for _, lvl, text in found[positions["Resumen"][0] :] if lvl <= level]
        extra = [t for t in tail if not any(t.lower().startswith(s.lower()) for s in FINAL_SECTIONS)]
        if extra:
            problems.append(f"tras «Resumen» solo van Ejercicios y Referencias; sobra «{extra[0]}»")
    return problems


def _section_cells(nb, section: str) -> list[tuple[int, object]]:
    """Las celdas de una sección: desde su encabezado hasta el siguiente del mismo nivel o superior."""
    found = headings(nb)
    start = next(((c, lvl) for c, lvl, t in found if t.lower().startswith(section.lower())), None)
    if start is None:
        return []
    cell0, level = start
    end = next((c for c, lvl, _ in found if c > cell0 and lvl <= level), len(nb.cells))
    return [(i, nb.cells[i]) for i in range(cell0, end)]


def check_solutions_apart(nb, name: str) -> list[str]:
    """Las soluciones no están en la lección: no hay sección «Soluciones» y «Ejercicios» enlaza su cuaderno.

    Ocultar una celda (``jupyter.source_hidden``) solo lo respeta JupyterLab; GitHub, Colab y el cuaderno
    clásico la muestran. Por eso las soluciones viven en ``notebooks/soluciones/``.
    """
    problems = []
    if any(text.lower().startswith("soluciones") for _, _, text in headings(nb)):
        problems.append(f"la lección tiene una sección «Soluciones»: llévala a notebooks/{solutions_notebook(name)}")
    exercises = "\n".join(c.source for _, c in _section_cells(nb, "Ejercicios") if c.cell_type == "markdown")
    target = solutions_notebook(name)
    if _section_cells(nb, "Ejercicios") and target not in exercises:
        problems.append(f"la sección «Ejercicios» no enlaza su cuaderno de soluciones ({target})")
    return problems


def check_solutions_notebook(nb, name: str) -> list[str]:
    """Un cuaderno de soluciones nombra su lección y no tiene celdas de código vacías."""
    lesson = next((n for n, _ in NOTEBOOKS if solutions_notebook(n) == name), None)
    if lesson is None:
        return [f"{name} no corresponde a ninguna lección de NOTEBOOKS en utils/course.py"]
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    problems = [] if lesson in text else [f"el cuaderno de soluciones no enlaza su lección ({lesson})"]
    problems += [
        f"celda {i + 1}: celda de código vacía"
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and not c.source.strip()
    ]
    return problems


def check_references(nb) -> list[str]:
    """«Referencias» cita al menos el artículo del ViT y el del Transformer."""
    cells = _section_cells(nb, "Referencias")
    if not cells:
        return []
    text = "\n".join(c.source for _, c in cells)
    return [f"las referencias no citan a {author} et al." for author in REQUIRED_REFERENCES if author not in text]


def check_slug_in_notebook(nb) -> list[str]:
    """La dirección del repositorio solo aparece en la insignia y en la celda de configuración.

    Las salidas no cuentan: las genera el código a partir de utils/course.py.
    """
    problems = []
    for i, cell in enumerate(nb.cells):
        source = BADGE_RE.sub("", cell.source) if i == 0 else cell.source
        if cell.cell_type == "code" and source.startswith(SETUP_MARK):
            continue  # la celda de configuración la escribe sync_notebooks.py (y check_setup_cell la compara)
        if REPO_SLUG in source:
            problems.append(
                f"celda {i + 1}: contiene la dirección del repositorio ({REPO_SLUG}); tómala de utils.course"
            )
    return problems


STRUCTURE_CHECKS = (check_first_cell, check_setup_cell, check_sections, check_references)


def check_structure(nb, name: str) -> list[str]:
    """Todas las comprobaciones de estructura de un cuaderno cuya ruta en ``notebooks/`` es ``name``."""
    problems = check_title(nb, name) + check_badge(nb, name)
    if is_solutions(name):
        return problems + check_setup_cell(nb) + check_solutions_notebook(nb, name) + check_slug_in_notebook(nb)
    problems += [p for check in STRUCTURE_CHECKS for p in check(nb)] + check_solutions_apart(nb, name)
    return problems + check_slug_in_notebook(nb)


def check_notebook_list(files: Iterable[str], listed: Iterable[str] | None = None) -> list[str]:
    """Cada cuaderno de ``notebooks/`` (y de ``notebooks/soluciones/``) está en utils/course.py."""
    listed = set(listed if listed is not None else (n for n, _ in ALL_NOTEBOOKS))
    return [f"notebooks/{f} no está en NOTEBOOKS de utils/course.py" for f in sorted(files) if f not in listed]


def check_readme(text: str, listed: Iterable[str] | None = None) -> list[str]:
    """El README nombra cada cuaderno de ``NOTEBOOKS`` y ningún otro ``NN_*.ipynb``."""
    listed = list(listed if listed is not None else (n for n, _ in NOTEBOOKS))
    problems = [f"el README no nombra {name}" for name in listed if name not in text]
    unknown = sorted(set(_NOTEBOOK_NAME.findall(text)) - set(listed))
    problems += [f"el README nombra {name}, que no está en NOTEBOOKS" for name in unknown]
    if f"notebooks/{SOLUTIONS_DIR}/" not in text:
        problems.append(f"el README no dice dónde están las soluciones (notebooks/{SOLUTIONS_DIR}/)")
    return problems


def repo_files(root: Path = ROOT) -> list[Path]:
    """Los archivos del repositorio (seguidos por git o nuevos sin ignorar)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
        return [root / p for p in out.decode().split("\0") if p]
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", ".ruff_cache", ".pytest_cache", ".ipynb_checkpoints"}
        return [p for p in root.rglob("*") if p.is_file() and not skip & set(p.relative_to(root).parts)]


def check_slug_files(root: Path = ROOT, slug: str = REPO_SLUG) -> list[str]:
    """La dirección de GitHub (``REPO_SLUG``) solo está en utils/course.py (y en lo que se genera a partir de él).

    Los cuadernos se revisan aparte, celda a celda (``check_slug_in_notebook``).
    """
    problems = []
    for path in repo_files(root):
        relative = path.relative_to(root).as_posix()
        if relative == "utils/course.py" or path.suffix == ".ipynb" or not path.is_file():
            continue
        if path.stat().st_size > 5 * 2**20:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if slug in text:
            line = text[: text.index(slug)].count("\n") + 1
            problems.append(
                f"{relative}:{line}: contiene la dirección del repositorio ({slug}); tómala de utils/course.py"
            )
    return problems


def sync_check() -> list[str]:
    """Lo mismo que ``python scripts/sync_notebooks.py --check``: lo que sync_notebooks.py cambiaría."""
    problems = []
    for name, _ in ALL_NOTEBOOKS:
        path = NOTEBOOK_DIR / name
        if path.exists():
            changes = sync(path, check=True)
            if changes:
                problems.append(f"{name}: {', '.join(changes)} (ejecuta `python scripts/sync_notebooks.py`)")
    return problems


def structure_findings(paths: Iterable[Path] | None = None) -> list[Finding]:
    """La estructura de los cuadernos dados y, sin argumentos, también la del repositorio."""
    findings = []
    for path in paths or notebook_paths():
        path = Path(path)
        findings += [Finding(rel(path), "", p) for p in check_structure(read_notebook(path), notebook_name(path))]
    if not paths:
        files = [notebook_name(p) for p in notebook_paths()]
        findings += [Finding("notebooks/", "", p) for p in check_notebook_list(files)]
        readme = README.read_text(encoding="utf-8") if README.exists() else ""
        findings += [Finding("README.md", "", p) for p in (check_readme(readme) if readme else ["falta README.md"])]
        findings += [Finding("repositorio", "", p) for p in check_slug_files()]
        findings += [Finding("sync_notebooks.py --check", "", p) for p in sync_check()]
    return findings


# ---------------------------------------------------------------------------------------------
# Línea de órdenes
# ---------------------------------------------------------------------------------------------

COMMANDS = {
    "ortografia": spelling_findings,
    "terminologia": terminology_findings,
    "estilo": lint_findings,
    "higiene": lambda paths: hygiene_findings([p for p in paths if p.suffix == ".ipynb"] if paths else None),
    "estructura": lambda paths: structure_findings([p for p in paths if p.suffix == ".ipynb"] if paths else None),
}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="Comprobaciones de calidad del curso (imprime los hallazgos).")
    parser.add_argument("check", choices=[*COMMANDS, "todo"], help="qué comprobar")
    parser.add_argument("paths", nargs="*", type=Path, help="archivos concretos (por defecto, todos)")
    parser.add_argument("--sugerencias", action="store_true", help="sugerir correcciones de ortografía (más lento)")
    args = parser.parse_args(argv)
    commands = dict(COMMANDS)
    if args.sugerencias:
        commands["ortografia"] = lambda paths: spelling_findings(paths, suggest=True)
    names = list(commands) if args.check == "todo" else [args.check]
    paths = [p.resolve() for p in args.paths] or None
    total, skipped = 0, False
    for name in names:
        if name == "ortografia":
            ok, reason = hunspell_status()
            if not ok:
                print(f"{name}: no se puede revisar: {reason}.")
                skipped = True
                continue
        findings = commands[name](paths)
        total += len(findings)
        for finding in findings:
            print(f"[{name}] {finding}")
        count = {0: "ningún hallazgo", 1: "1 hallazgo"}.get(len(findings), f"{len(findings)} hallazgos")
        print(f"{name}: {count}")
    return 1 if total else (2 if skipped else 0)


if __name__ == "__main__":
    sys.exit(main())
