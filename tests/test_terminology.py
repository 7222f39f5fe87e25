"""Terminología: ningún texto usa las variantes que GLOSARIO.md manda evitar (columna «Evitar»).

Se permiten las menciones explícitas entre comillas latinas («precisión») y, para las variantes
marcadas «en la prosa», el término inglés citado en cursiva (*batch*). Para revisar a mano:
``python scripts/quality.py terminologia``.
"""

from __future__ import annotations

import pytest

from notebook_factory import with_markdown, write
from scripts import quality


def sources() -> list:
    """Lo que lee una persona, menos el glosario (que nombra las variantes a propósito) y lo generado en
    ``_build/`` (el libro, que no se sube y copia el glosario)."""
    paths = [
        p
        for p in quality.default_text_sources()
        if p.resolve() != quality.GLOSSARY.resolve() and "_build" not in p.relative_to(quality.ROOT).parts
    ]
    return [pytest.param(p, id=quality.rel(p)) for p in paths]


@pytest.mark.parametrize("path", sources())
def test_terminology(path):
    findings = quality.terminology_findings([path])
    assert not findings, "\n".join(map(str, findings))


def hits(text: str) -> list[str]:
    return [word for _, word, _ in quality.find_variants(text, quality.glossary_variants())]


def test_glossary_has_variants():
    variants = {v.term: v for v in quality.glossary_variants()}
    assert {"incrustación", "precisión", "batch", "coste", "checkpoint", "auto-atención"} <= set(variants)
    assert variants["precisión"].preferred == "exactitud" and variants["precisión"].english == "accuracy"
    assert variants["batch"].prose_only and not variants["incrustación"].prose_only
    # Decisiones del glosario: broadcasting, los tres sentidos de «núcleo», «cableado» y la variante neutra.
    assert {"difusión", "difundirse", "núcleo de convolución", "núcleo optimizado", "núcleo de Python"} <= set(variants)
    assert {"cableado", "ordenador", "desviación típica"} <= set(variants)
    assert variants["ordenador"].preferred == "computadora"
    assert variants["desviación típica"].preferred == "desviación estándar"
    assert variants["cableado"].english == "wiring"


def test_catches_forbidden_variant_in_notebook(tmp_path):
    path = write(with_markdown("Cada parche pasa por una incrustación lineal."), tmp_path)
    findings = quality.terminology_findings([path])
    assert len(findings) == 1
    assert findings[0].where == "celda 3 (Markdown), línea 1"
    assert "«incrustación»: usa «embedding»" in findings[0].message


def test_catches_variant_in_utils_messages_and_docstrings():
    code = 'def f():\n    """Devuelve la precisión del modelo en prueba."""\n    raise ValueError("La incrustación no cuadra.")\n'
    findings = quality.check_terminology(quality.python_chunks(code, "x.py"))
    assert [f.where for f in findings] == ["línea 2", "línea 3"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("La precisión del modelo sube con las épocas.", ["precisión"]),
        ("Las incrustaciones de parches.", ["incrustaciones de parches"]),
        ("Usamos un batch de 128 imágenes.", ["batch"]),
        ("Guardamos checkpoints en cada época.", ["checkpoints"]),
        ("La función de coste baja época a época.", ["coste"]),
        ("Cada token emite una pregunta, una clave y un valor.", ["pregunta"]),
        ("El encaje de cada parche.", ["encaje"]),
        ("La auto-atención y la atención propia.", ["auto-atención", "atención propia"]),
        ("Lo evaluamos en el conjunto de test.", ["conjunto de test"]),
        ("La codificación posicional del ViT se aprende.", ["codificación posicional"]),
        ("Normalización por capas", ["Normalización por capas"]),
        ("La máscara debe poder difundirse a (6, 6).", ["difundirse"]),
        ("La difusión de formas en PyTorch.", ["difusión"]),
        ("Una convolución con núcleo y paso iguales a p.", ["núcleo y paso"]),
        ("La fila d es el núcleo de la convolución aplanado.", ["núcleo de la convolución"]),
        ("Todo en un solo núcleo optimizado.", ["núcleo optimizado"]),
        ("Cada cuaderno se ejecuta en un núcleo nuevo.", ["núcleo nuevo"]),
        ("Con los dos cableados del bloque.", ["cableados"]),
        ("En tu ordenador, la desviación típica.", ["ordenador", "desviación típica"]),
    ],
)
def test_catches(text, expected):
    assert hits(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "No la llames «precisión»: es otra métrica.",  # mención explícita
        "La exactitud (en inglés, *accuracy*; la precisión, *precision*, es otra métrica).",
        "La precisión numérica de float32 basta para comparar con allclose.",
        "Mide el tiempo con precisión.",
        "Un lote (*batch*) de 128 imágenes.",
        "El argumento `batch_size` y el punto de control `checkpoint.pt`.",
        "El coste computacional de la atención crece con el cuadrado de N.",
        "La pregunta del ejercicio es sencilla.",
        "Para que la forma encaje, usa reshape.",
        "Un fragmento de código que ya conoces.",
        "La codificación posicional sinusoidal del Transformer original.",
        "Compara con utils.patches.patchify y con torch.nn.Linear.",
        "Escribe *patch embedding* en inglés para buscar en la documentación.",
        "Una CPU de 2 núcleos y 4 hilos.",
        "El *broadcasting* («difusión») repite los ejes de tamaño 1.",
        "Una convolución con filtros de p×p y paso p; la atención fusionada es un solo *kernel*.",
        "En tu computadora, la media y la desviación estándar.",
        "Las conexiones del bloque: dónde va la LayerNorm.",
    ],
)
def test_allows(text):
    assert hits(text) == []


def test_glossary_itself_is_not_checked():
    assert quality.GLOSSARY.resolve() not in {p.resolve() for (p,) in [s.values for s in sources()]}
