"""Correctores del cuaderno 01 (parches y embedding).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
Al fallar dan una pista, no la cifra.
"""

from __future__ import annotations

import contextlib
import math
import sys

import torch

from ..fmt import comma
from .core import as_float, as_int, call_student, fashion, never_raises, report

__all__ = ["check_patch_count", "check_attention_growth", "check_patch_index", "check_patchify"]


def _number_error(answer) -> str:
    if isinstance(answer, str):
        return f"Llegó el texto {answer!r}: escribe el número sin comillas (o el cálculo que lo da)."
    if isinstance(answer, bool):
        return "Llegó un True/False; se esperaba un número."
    if isinstance(answer, float) and not math.isfinite(answer):
        return f"Llegó {answer}: un valor no finito nunca es la respuesta."
    return f"Se esperaba un número entero y llegó un valor de tipo {type(answer).__name__}."


@never_raises
def check_patch_count(answer, img_size: int = 384, patch_size: int = 16):
    """Ejercicio 01.1: número de parches de una imagen ``img_size``×``img_size`` con parches de ``patch_size``."""
    g = img_size // patch_size
    expected = g * g
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta. Cuenta los parches por lado y eleva al cuadrado.")
    value = as_int(answer)
    if value is None:
        return report(False, "", _number_error(answer))
    if value == expected:
        return report(True, f"{g}×{g} = {expected} parches, es decir, {expected} tokens para el Transformer.", "")
    if value == g:
        return report(
            False, "", "Ese es el número de parches por lado; la imagen tiene parches en las dos direcciones."
        )
    if value == patch_size * patch_size:
        return report(False, "", "Ese es el número de píxeles de cada parche, no el número de parches.")
    if value == expected + 1:
        return report(False, "", "¿Has sumado el token CLS? La pregunta es solo por los parches.")
    if value == (224 // patch_size) ** 2 and img_size != 224:
        return report(False, "", f"Ese es el número de parches a 224×224; la pregunta es a {img_size}×{img_size}.")
    return report(
        False, "", f"Divide el lado de la imagen ({img_size}) entre el del parche ({patch_size}) y eleva al cuadrado."
    )


@never_raises
def check_attention_growth(answer, old: int = 224, new: int = 384, patch_size: int = 16):
    """Ejercicio 01.2 (predice): cuántas veces más pesos de atención (N²) hay a ``new`` que a ``old`` píxeles."""
    n_old, n_new = (old // patch_size) ** 2, (new // patch_size) ** 2
    expected = (n_new / n_old) ** 2
    if answer is None:
        return report(False, "", "Sustituye el None por tu predicción: un número, cuántas veces más grande.")
    value = as_float(answer)
    if value is None:
        return report(False, "", _number_error(answer).replace("número entero", "número"))
    if math.isclose(value, expected, rel_tol=0.01):
        return report(
            True,
            f"La matriz de atención crece {comma(expected, 2)} veces, aunque el lado solo crece {comma(new / old, 2)}.",
            "",
        )
    if math.isclose(value, n_new / n_old, rel_tol=0.01):
        return report(False, "", "Eso es lo que crece N, el número de tokens; la matriz de atención tiene N × N pesos.")
    if math.isclose(value, new / old, rel_tol=0.01):
        return report(False, "", "Eso es lo que crece el lado de la imagen; piensa en N y luego en N².")
    if math.isclose(value, 1 / expected, rel_tol=0.01):
        return report(
            False, "", "Lo has calculado al revés: a 384×384 hay más parches, así que el factor es mayor que 1."
        )
    if math.isclose(value, n_new**2 - n_old**2, rel_tol=0.01):
        return report(False, "", "Esa es la diferencia; se pide el cociente (cuántas veces más).")
    return report(False, "", "Calcula N a cada tamaño, luego N² a cada tamaño, y divide.")


@never_raises
def check_patch_index(answer, row: int = 13, col: int = 22, patch_size: int = 4, img_size: int = 28):
    """Ejercicio 01.3: índice (en orden de lectura, desde 0) del parche que contiene el píxel (row, col)."""
    g = img_size // patch_size
    i, j = row // patch_size, col // patch_size
    expected = i * g + j
    if answer is None:
        return report(
            False, "", "Sustituye el None por tu respuesta. Halla la fila y la columna del parche y combínalas."
        )
    if isinstance(answer, (tuple, list)) and len(answer) == 2:
        return report(False, "", f"Da un solo número: con la fila y columna del parche (i, j), el índice es i·{g} + j.")
    value = as_int(answer)
    if value is None:
        return report(False, "", _number_error(answer))
    if value == expected:
        return report(
            True, f"El píxel ({row}, {col}) cae en la fila {i} y columna {j} de la cuadrícula: parche {expected}.", ""
        )
    if value == j * g + i:
        return report(
            False,
            "",
            "Has intercambiado fila y columna: el orden de lectura recorre primero cada fila de izquierda a derecha.",
        )
    if value in (expected + 1, (i + 1) * g + j + 1, (i + 1) * g + j):
        return report(False, "", "Los índices empiezan en 0: el parche de arriba a la izquierda es el 0.")
    if value in (row * img_size + col, col * img_size + row):
        return report(
            False,
            "",
            "Ese es el índice del píxel, no el del parche: divide primero fila y columna entre el tamaño del parche.",
        )
    if value == i * patch_size + j:
        return report(False, "", f"Cada fila de la cuadrícula tiene {img_size}/{patch_size} parches, no {patch_size}.")
    return report(
        False,
        "",
        f"La fila del parche es fila // {patch_size} y la columna, columna // {patch_size}; "
        f"el índice es fila_parche · {g} + columna_parche.",
    )


@contextlib.contextmanager
def _watch_calls(function):
    """Durante el bloque, anota en la lista que devuelve si alguien llamó a ``function`` (aunque la haya
    importado con otro nombre: se reconoce por su código, no por su nombre)."""
    code, seen, previous = function.__code__, [], sys.getprofile()

    def profiler(frame, event, arg):
        if event == "call" and frame.f_code is code:
            seen.append(True)

    sys.setprofile(profiler)
    try:
        yield seen
    finally:
        sys.setprofile(previous)


def _test_batches():
    """Lotes reales en los que se prueba ``mi_patchify``: (descripción, imágenes, p).

    Además del caso fácil (un canal, 28×28), uno en color (tres imágenes reales distintas como canales
    R, G y B), uno no cuadrado (28×21) y uno de una sola imagen, porque el ejercicio promete cualquier
    número de canales y cualquier p que divida a H y a W.
    """
    from ..data import to_float

    test = to_float(fashion().test_images[:24])  # (24, 1, 28, 28): imágenes reales normalizadas
    gray = test[:8]
    rgb = test[8:20].reshape(4, 3, 28, 28)  # cada «color» es otra prenda, así que los canales difieren
    return [
        ("un lote en escala de grises con p=4", gray, 4),
        ("un lote en escala de grises con p=7", gray, 7),
        ("un lote en color (3 canales) con p=4", rgb, 4),
        ("imágenes no cuadradas (28×21) con p=7", gray[:, :, :, :21].contiguous(), 7),
        ("una sola imagen (B=1) con p=14", test[20:21], 14),
    ]


def _order_hint(out: torch.Tensor, expected: torch.Tensor, images: torch.Tensor, p: int) -> str:
    """Una pista sobre el orden cuando la forma es la buena pero los valores no."""
    B, C, H, W = images.shape
    gh, gw = H // p, W // p
    N, P = expected.shape[1:]
    columns_first = expected.reshape(B, gh, gw, P).transpose(1, 2).reshape(B, N, P)
    inner_transposed = expected.reshape(B, N, C, p, p).transpose(-1, -2).reshape(B, N, P)
    channels_last = expected.reshape(B, N, C, p * p).transpose(-1, -2).reshape(B, N, P)
    if torch.equal(out, columns_first):
        return "los parches salen por columnas; el orden de lectura recorre la cuadrícula fila a fila."
    if torch.equal(out, inner_transposed):
        return "dentro de cada parche los píxeles van por columnas; deben ir fila a fila, como en la imagen."
    if C > 1 and torch.equal(out, channels_last):
        return (
            "con varios canales, dentro de cada parche el canal va primero: todos los píxeles del canal 0, "
            "luego los del 1… (el orden de los pesos aplanados de nn.Conv2d)."
        )
    if torch.equal(out.flatten(1).sort(dim=1).values, expected.flatten(1).sort(dim=1).values):
        return (
            "los valores son los correctos pero el orden no: corta filas y columnas en bloques "
            "(reshape o unfold) y reordena los ejes con permute antes de aplanar."
        )
    if not torch.isfinite(out).all():
        return "el resultado tiene valores NaN o infinitos; un resultado así nunca es correcto."
    return "los valores no son los píxeles de esas imágenes: ¿usas solo una parte del lote o de los canales?"


@never_raises
def check_patchify(fn):
    """Ejercicio 01.4: compara ``fn(images, p)`` con :func:`utils.patches.patchify` en lotes reales.

    Prueba un canal y tres, imágenes cuadradas y no cuadradas, y prohíbe llamar a ``utils.patches.patchify``.
    """
    from ..patches import patchify

    if fn is None or not callable(fn):
        got = "None" if fn is None else type(fn).__name__
        return report(False, "", f"Pasa tu función sin llamarla, por ejemplo check_patchify(mi_patchify); llegó {got}.")
    if fn is patchify or getattr(fn, "__code__", None) is patchify.__code__:
        return report(False, "", "Esa es utils.patches.patchify; el ejercicio pide escribir la tuya.")
    for what, images, p in _test_batches():
        expected = patchify(images, p)
        with _watch_calls(patchify) as seen:
            out, error = call_student(fn, images.clone(), p)
        if seen:
            return report(False, "", "Tu función llama a utils.patches.patchify; el ejercicio pide escribir la tuya.")
        if error:
            return report(False, "", f"Con {what}, {error}")
        if out is None:
            return report(False, "", "Tu función devuelve None: ¿falta el return?")
        if not isinstance(out, torch.Tensor):
            return report(False, "", f"Tu función debe devolver un tensor y devuelve {type(out).__name__}.")
        if out.dtype == torch.bool or out.is_complex():
            return report(False, "", f"Tu función devuelve un tensor de tipo {out.dtype}; deben ser los píxeles.")
        out = out.detach().cpu().to(expected.dtype)
        if out.shape != expected.shape:
            B, N, P = expected.shape
            hint = ""
            if tuple(out.shape) == (B, P, N):
                hint = " Parece que tienes los dos últimos ejes cambiados."
            elif out.ndim == 3 and out.shape[-1] * images.shape[1] == P:
                hint = " Solo caben los valores de un canal: ¿usas images[:, 0]?"
            elif out.numel() == expected.numel():
                hint = " Tiene los valores justos: revisa el reshape final."
            return report(
                False,
                "",
                f"Con {what} la forma es {tuple(out.shape)} y debería ser (B, N, C·p·p) = {tuple(expected.shape)}.{hint}",
            )
        if torch.equal(out, expected):
            continue
        return report(False, "", f"Con {what} la forma es correcta, pero {_order_hint(out, expected, images, p)}")
    return report(
        True,
        "Tu función coincide con utils.patches.patchify con 1 y 3 canales, imágenes no cuadradas y p = 4, 7, 14.",
        "",
    )
