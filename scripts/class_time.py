"""Estima el tiempo de clase de cada cuaderno e imprime una tabla.

Uso (desde la raíz del repositorio):

    python scripts/class_time.py                 # todos los cuadernos de utils/course.py
    python scripts/class_time.py notebooks/02_atencion.ipynb
    python scripts/class_time.py --check         # sale con 1 si una lección pasa de 45 minutos o si la
                                                 # frase «ejecutarlo tarda menos de…» no la cumple su ejecución

La estimación suma tres cosas:

- la lectura de la prosa a ``WORDS_PER_MINUTE`` palabras por minuto (sin las secciones «Soluciones» y
  «Referencias», que no se leen en clase);
- un coste fijo por celda de código (``MINUTES_PER_CODE_CELL``, un minuto: leerla, ejecutarla y mirar su salida;
  la celda de configuración no cuenta);
- el tiempo medido de ejecución en modo completo, que ``scripts/run_notebooks.py`` guarda en los
  metadatos del cuaderno (``vit_desde_cero.tiempo_completo_s``). Si el cuaderno no lo tiene aún, la
  tabla lo dice («sin medir») y el total es una cota inferior.

Las partes opcionales (``02b_…``) se muestran, pero el límite de 45 minutos es para las lecciones.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.sync_notebooks import SETUP_MARK  # noqa: E402
from utils.course import NOTEBOOKS  # noqa: E402

WORDS_PER_MINUTE = 200
MINUTES_PER_CODE_CELL = 1.0  # leerla (menos de un minuto, como dice la guía), ejecutarla y mirar su salida
CLASS_MINUTES = 45
METADATA_KEY = "vit_desde_cero"
RUNTIME_KEY = "tiempo_completo_s"
NOT_READ = ("soluciones", "referencias")
_HEADING = re.compile(r"^(#{1,6})\s+(?:\d+(?:\.\d+)*\.?\s+)?(.+?)\s*$")
_WORD = re.compile(r"[\wáéíóúüñÁÉÍÓÚÜÑ]+(?:[-'’][\wáéíóúüñ]+)*")
_FENCE = re.compile(r"```.*?```", re.S)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


@dataclass(frozen=True)
class Estimate:
    """La estimación de un cuaderno, en minutos."""

    name: str
    words: int
    code_cells: int
    run_seconds: float | None
    optional: bool

    @property
    def reading(self) -> float:
        return self.words / WORDS_PER_MINUTE

    @property
    def code(self) -> float:
        return self.code_cells * MINUTES_PER_CODE_CELL

    @property
    def running(self) -> float:
        return (self.run_seconds or 0.0) / 60

    @property
    def total(self) -> float:
        return self.reading + self.code + self.running


def count_words(markdown: str) -> int:
    """Las palabras que se leen de un texto Markdown (sin las direcciones de los enlaces)."""
    text = _LINK_TARGET.sub("]", markdown)
    return len(_WORD.findall(text))


def run_seconds(nb) -> float | None:
    """Los segundos de la última ejecución completa: de los metadatos o, si las hay, de las marcas de tiempo."""
    saved = nb.metadata.get(METADATA_KEY, {}).get(RUNTIME_KEY)
    if saved is not None:
        return float(saved)
    from datetime import datetime

    stamps = []
    for cell in nb.cells:
        execution = cell.get("metadata", {}).get("execution", {})
        for key in ("iopub.execute_input", "shell.execute_reply"):
            if key in execution:
                stamps.append(datetime.fromisoformat(execution[key].replace("Z", "+00:00")))
    return (max(stamps) - min(stamps)).total_seconds() if len(stamps) >= 2 else None


def estimate(nb, name: str) -> Estimate:
    """La estimación del cuaderno ``nb`` (llamado ``name``)."""
    words = code_cells = 0
    skipping = False
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.split("\n"):
                m = _HEADING.match(line)
                if m and len(m.group(1)) <= 2:
                    skipping = m.group(2).lower().startswith(NOT_READ)
            if not skipping:
                words += count_words(_FENCE.sub(" ", cell.source))
        elif cell.cell_type == "code" and cell.source.strip() and not skipping:
            code_cells += not cell.source.startswith(SETUP_MARK)
    optional = not name.split("_")[0].isdigit()
    return Estimate(name, words, code_cells, run_seconds(nb), optional)


# «Ejecutar todo el cuaderno tarda menos de un minuto»: una frase de la primera celda que dice cuánto tarda el
# cuaderno entero. Es una cifra medida como cualquier otra: la comprueba la última ejecución completa.
_RUNTIME_CLAIM = re.compile(
    r"ejecutar(?:lo| todo el cuaderno| el cuaderno entero) tarda menos de (un|dos|tres|cinco|diez|\d+) minutos?"
)
_NUMBERS = {"un": 1, "dos": 2, "tres": 3, "cinco": 5, "diez": 10}


def runtime_claim(nb) -> tuple[str, float] | None:
    """La frase de la primera celda sobre lo que tarda el cuaderno entero y su límite en segundos, si la hay."""
    m = _RUNTIME_CLAIM.search(nb.cells[0].source.replace("\n", " ")) if nb.cells else None
    if m is None:
        return None
    amount = m.group(1)
    return m.group(0), 60.0 * (_NUMBERS[amount] if amount in _NUMBERS else int(amount))


def runtime_claim_problems(notebooks: dict[str, object]) -> list[str]:
    """Los cuadernos cuya frase de tiempo no cumple su última ejecución completa (o que no la tienen medida)."""
    problems = []
    for name, nb in notebooks.items():
        claim = runtime_claim(nb)
        if claim is None:
            continue
        sentence, limit = claim
        seconds = run_seconds(nb)
        if seconds is None:
            problems.append(f"{name}: dice «{sentence}», pero no tiene medida su ejecución completa")
        elif seconds >= limit:
            problems.append(f"{name}: dice «{sentence}», pero su ejecución completa tardó {seconds:.0f} s")
    return problems


def _minutes(value: float) -> str:
    return f"{value:.0f}"


def table(estimates: list[Estimate]) -> str:
    """La tabla en Markdown: una fila por cuaderno."""
    rows = [
        "| Cuaderno | Palabras | Lectura | Celdas de código | Código | Ejecución | Total (min) | ¿Cabe en "
        f"{CLASS_MINUTES} min? |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for e in estimates:
        running = "sin medir" if e.run_seconds is None else f"{e.run_seconds:.0f} s"
        total = _minutes(e.total) + ("+" if e.run_seconds is None else "")
        fits = "opcional" if e.optional else ("sí" if e.total <= CLASS_MINUTES else "NO")
        if fits == "sí" and e.run_seconds is None:
            fits = "sí, sin contar la ejecución"
        rows.append(
            f"| {e.name} | {e.words} | {_minutes(e.reading)} | {e.code_cells} | {_minutes(e.code)} | {running} | "
            f"{total} | {fits} |"
        )
    rows.append(
        f"\nLectura a {WORDS_PER_MINUTE} palabras por minuto, {MINUTES_PER_CODE_CELL:g} min por celda de código ".replace(
            ".", ","
        )
        + "(sin la de configuración) y la ejecución en modo completo medida por scripts/run_notebooks.py; «+»: "
        "sin medir todavía, el total es una cota inferior."
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Estima el tiempo de clase de cada cuaderno.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="cuadernos (por defecto, los de utils/course.py)")
    parser.add_argument(
        "--check",
        action="store_true",
        help=f"sale con 1 si una lección pasa de {CLASS_MINUTES} min o no cumple su frase de tiempo",
    )
    args = parser.parse_args(argv)
    paths = args.notebooks or [ROOT / "notebooks" / n for n, _ in NOTEBOOKS]
    notebooks = {p.name: nbformat.read(p, as_version=4) for p in paths if p.exists()}
    estimates = [estimate(nb, name) for name, nb in notebooks.items()]
    print(table(estimates))
    too_long = [e.name for e in estimates if not e.optional and e.total > CLASS_MINUTES]
    wrong_claims = runtime_claim_problems(notebooks)
    if too_long:
        print(f"\nPasan de {CLASS_MINUTES} minutos: {', '.join(too_long)}.")
    if wrong_claims:
        print("\nFrases de tiempo que su ejecución no cumple:\n" + "\n".join(f"- {w}" for w in wrong_claims))
    return 1 if args.check and (too_long or wrong_claims) else 0


if __name__ == "__main__":
    sys.exit(main())
