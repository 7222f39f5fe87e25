"""Ortografía con hunspell (es_ES) y tests/palabras_tecnicas.txt: cuadernos, README, GLOSARIO y textos de utils.

Sin hunspell o sin su diccionario español estos tests se saltan con un aviso, salvo en la integración
continua (``CI=true``), donde fallan. Para revisar a mano: ``python scripts/quality.py ortografia``.
"""

from __future__ import annotations

import os

import pytest

from notebook_factory import with_markdown, write
from scripts import quality

HINT = (
    "Corrige la palabra o, si es un término técnico o un nombre propio correcto, añádelo (una línea) a "
    "tests/palabras_tecnicas.txt."
)


def require_hunspell() -> None:
    """Salta el test si falta hunspell o su diccionario español; en la integración continua, falla."""
    ok, reason = quality.hunspell_status()
    if ok:
        return
    message = f"No se puede revisar la ortografía: {reason}."
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " En la integración continua es obligatorio.")
    pytest.skip(message)


def sources() -> list:
    return [pytest.param(p, id=quality.rel(p)) for p in quality.default_text_sources()]


@pytest.mark.parametrize("path", sources())
def test_spelling(path):
    require_hunspell()
    findings = quality.spelling_findings([path])
    assert not findings, "\n".join(map(str, findings)) + "\n" + HINT


def test_sources_cover_notebooks_docs_and_code():
    names = {quality.rel(p) for p in quality.default_text_sources()}
    assert {"README.md", "GLOSARIO.md", "utils/train.py", "scripts/quality.py"} <= names
    assert {quality.rel(p) for p in quality.notebook_paths()} <= names


def test_catches_misspelt_word_in_notebook(tmp_path):
    require_hunspell()
    path = write(with_markdown("El tranformer procesa una secuencia de parches."), tmp_path)
    findings = quality.spelling_findings([path])
    assert [f.message.split("»")[0] for f in findings] == ["«tranformer"]
    assert findings[0].where == "celda 3 (Markdown), línea 1"


def test_catches_misspelt_word_in_markdown_file(tmp_path):
    require_hunspell()
    path = tmp_path / "LEEME.md"
    path.write_text("# Curso\n\nUn curso sobre el\nVision tranformer.\n", encoding="utf-8")
    findings = quality.spelling_findings([path])
    assert len(findings) == 1 and findings[0].where == "línea 4" and "tranformer" in findings[0].message


def test_catches_misspelt_words_in_code_texts():
    require_hunspell()
    code = '''
"""Módulo del tranformer."""
# comentario con un erorr
def f(x, title="Curvas de entrenamiento"):
    """Devuelve la exactitut."""
    print(f"Época {x}: pérdidda")
    ax.set_title("Atencion")
    bar.set_postfix(pérdidaa=1)
    raise ValueError(f"Valor {x!r} no válido: usa un entero positibo.")
'''
    findings = quality.check_spelling(quality.python_chunks(code, "x.py"), identifiers=set())
    words = {f.message.split("»")[0][1:] for f in findings}
    assert words == {"tranformer", "erorr", "exactitut", "pérdidda", "Atencion", "pérdidaa", "positibo"}


def test_ignores_code_math_urls_html_and_identifiers():
    require_hunspell()
    text = (
        "Usa `tranformer_x` y ``tranformerz``, la fórmula $\\mathrm{tranformer}(x)$ y\n"
        "$$\\mathrm{softmaxx}$$ en <span class='tranformer'>la web</span> https://ejemplo.org/tranformer.\n"
        "Los nombres patch_size, PatchEmbedding, float32, x.tranformer y tranformer() son código.\n"
        "```python\ntranformer = 1\n```\n"
        "![un gato](figuras/tranformer.png) y el archivo utils/tranformer.py."
    )
    assert quality.check_spelling([quality.Chunk("x.md", "", "markdown", text)], identifiers=set()) == []


def test_accepts_project_words_and_glossary_english_terms():
    require_hunspell()
    text = "El ViT usa softmax, embeddings, tokens, LayerNorm, pre-norm y Fashion-MNIST (*self-attention*)."
    assert quality.check_spelling([quality.Chunk("x.md", "", "markdown", text)], identifiers=set()) == []


def test_english_titles_only_skipped_when_quoted_as_titles():
    require_hunspell()
    ok = "Lee *An Image is Worth 16x16 Words* y «Attention Is All You Need»."
    assert quality.check_spelling([quality.Chunk("x.md", "", "markdown", ok)], identifiers=set()) == []
    bad = "Una *tranformer* en cursiva también se revisa."
    assert len(quality.check_spelling([quality.Chunk("x.md", "", "markdown", bad)], identifiers=set())) == 1


def test_missing_hunspell_skips_locally_and_fails_in_ci(monkeypatch):
    monkeypatch.setenv("VIT_HUNSPELL", "no-existe-hunspell")
    assert quality.hunspell_status()[0] is False
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_hunspell()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        require_hunspell()


def test_missing_dictionary_is_reported(monkeypatch):
    require_hunspell()
    monkeypatch.setattr(quality, "HUNSPELL_DICT", "xx_NOEXISTE")
    ok, reason = quality.hunspell_status()
    assert not ok and "xx_NOEXISTE" in reason
