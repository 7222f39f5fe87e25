"""Correctores del cuaderno 02 (atención).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
"""

from __future__ import annotations

import torch

from .core import as_int, as_shape, call_student, close, report

# Formas del ejercicio 02.1: consultas (B, H, N, d), claves (B, H, M, d) y valores (B, H, M, d_v).
ATTENTION_SHAPES = {"q": (2, 4, 10, 16), "k": (2, 4, 7, 16), "v": (2, 4, 7, 32)}


def check_attention_shapes(output_shape, weights_shape=None) -> bool:
    """Ejercicio 02.1: formas de la salida y de los pesos de la atención para ``ATTENTION_SHAPES``."""
    from ..attention import scaled_dot_product_attention

    q, k, v = (torch.zeros(s) for s in ATTENTION_SHAPES.values())
    out, weights = scaled_dot_product_attention(q, k, v)
    expected_out, expected_w = tuple(out.shape), tuple(weights.shape)
    if output_shape is None or weights_shape is None:
        return report(
            False,
            "",
            "Sustituye los None por dos tuplas, por ejemplo (2, 3, 4, 5): la forma de la salida y la de los pesos.",
        )
    got_out, got_w = as_shape(output_shape), as_shape(weights_shape)
    if got_out is None or got_w is None:
        return report(False, "", "Cada forma debe ser una tupla de enteros, como (2, 4, 10, 32).")
    problems = []
    if got_out != expected_out:
        if got_out[-1:] == (16,):
            problems.append("la última dimensión de la salida es la de los valores (v), no la de q y k")
        elif got_out[-2:-1] == (7,):
            problems.append("la salida tiene una fila por consulta (N = 10), no por clave")
        else:
            problems.append(f"la salida {got_out} no es correcta: tiene una fila por consulta y la dimensión de v")
    if got_w != expected_w:
        if got_w[-2:] == expected_w[-2:][::-1]:
            problems.append("en los pesos, las filas son las consultas y las columnas las claves (N × M)")
        else:
            problems.append(f"los pesos {got_w} no son correctos: hay un peso por cada par (consulta, clave)")
    if not problems:
        return report(True, f"salida {expected_out} y pesos {expected_w}: (…, N, d_v) y (…, N, M).", "")
    message = "; ".join(problems)
    return report(False, "", message[:1].upper() + message[1:] + ".")


def check_stable_softmax(fn) -> bool:
    """Ejercicio 02.2: ``fn(x)`` debe ser la softmax sobre la última dimensión, estable con valores grandes."""
    g = torch.Generator().manual_seed(0)
    cases = [
        torch.randn(3, 5, 7, generator=g),
        torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -999.0], [0.0, 0.0, 0.0]]),
        30 * torch.randn(4, 9, generator=g),
    ]
    for x in cases:
        result, error = call_student(fn, x.clone())
        if error:
            return report(False, "", error)
        expected = torch.softmax(x, dim=-1)
        if isinstance(result, torch.Tensor) and not torch.isfinite(result).all():
            return report(
                False,
                "",
                "Aparecen nan o inf con valores grandes como 1000: resta a cada fila su máximo "
                "(x.amax(dim=-1, keepdim=True)) antes de exp.",
            )
        ok, reason = close(result, expected, atol=1e-6)
        if not ok:
            if isinstance(result, torch.Tensor) and result.shape == x.shape:
                sums = result.sum(dim=-1)
                if not torch.allclose(sums, torch.ones_like(sums), atol=1e-5):
                    return report(
                        False, "", "Las filas no suman 1: normaliza sobre la última dimensión (dim=-1, keepdim=True)."
                    )
            return report(False, "", f"Con una entrada de forma {tuple(x.shape)}, {reason}")
    return report(True, "Tu softmax coincide con torch.softmax y no se desborda con valores como 1000.", "")


def check_attention(fn) -> bool:
    """Ejercicio 02.3: ``fn(q, k, v, mask=None)`` debe devolver ``(salida, pesos)`` como la atención de ``utils``."""
    from ..attention import scaled_dot_product_attention

    g = torch.Generator().manual_seed(0)
    q = torch.randn(2, 3, 5, 8, generator=g)
    k = torch.randn(2, 3, 6, 8, generator=g)
    v = torch.randn(2, 3, 6, 4, generator=g)
    mask = torch.ones(5, 6, dtype=torch.bool).tril(diagonal=1)  # cada consulta ve al menos dos claves
    for with_mask in (False, True):
        args = (q, k, v, mask) if with_mask else (q, k, v)
        result, error = call_student(fn, *args)
        if error:
            return report(False, "", error)
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            return report(False, "", "La función debe devolver dos cosas: return salida, pesos.")
        out, weights = result
        expected_out, expected_w = scaled_dot_product_attention(q, k, v, mask=mask if with_mask else None)
        ok_w, reason_w = close(weights, expected_w)
        ok_o, reason_o = close(out, expected_out)
        if ok_w and ok_o:
            continue
        if not with_mask and isinstance(weights, torch.Tensor) and weights.shape == expected_w.shape:
            scores = q @ k.transpose(-2, -1)
            if torch.allclose(weights, scores.softmax(-1), atol=1e-5):
                return report(
                    False, "", "Los pesos salen sin escalar: divide las puntuaciones entre √d antes de la softmax."
                )
            if torch.allclose(weights, (scores / q.shape[-1]).softmax(-1), atol=1e-5):
                return report(False, "", "Divides entre d; la atención de producto escalado divide entre √d.")
            if torch.allclose(weights, (scores / q.shape[-1] ** 0.5).softmax(-2), atol=1e-5):
                return report(False, "", "La softmax va sobre la última dimensión (las claves): usa dim=-1.")
        where = "con la máscara" if with_mask else "sin máscara"
        if with_mask and ok_w is False and isinstance(weights, torch.Tensor) and weights.shape == expected_w.shape:
            return report(
                False,
                "",
                "Sin máscara va bien, pero con ella no: pon -inf donde la máscara vale False "
                "(scores.masked_fill(~mask, float('-inf'))) antes de la softmax.",
            )
        return report(
            False, "", f"{where}, " + (f"en los pesos {reason_w}" if not ok_w else f"en la salida {reason_o}")
        )
    return report(True, "Tu atención coincide con utils.attention.scaled_dot_product_attention, con y sin máscara.", "")


def check_mha_params(answer, dim: int = 64, num_heads: int = 4) -> bool:
    """Ejercicio 02.4: número de parámetros de ``MultiHeadAttention(dim, num_heads)``."""
    from ..attention import MultiHeadAttention
    from ..vit import count_parameters

    with torch.random.fork_rng():
        expected = count_parameters(MultiHeadAttention(dim, num_heads))
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta: suma los pesos y sesgos de qkv y de proj.")
    value = as_int(answer)
    if value is None:
        return report(False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}.")
    if value == expected:
        return report(
            True,
            f"qkv tiene {dim}·{3 * dim} + {3 * dim} y proj {dim}·{dim} + {dim}: {expected} en total, "
            "sea cual sea el número de cabezas.",
            "",
        )
    if value == 4 * dim * dim:
        return report(False, "", "Te faltan los sesgos: cada capa lineal tiene también un sesgo por salida.")
    if value == 3 * dim * dim + 3 * dim:
        return report(False, "", "Has contado qkv pero falta la proyección de salida proj (Linear(D, D)).")
    if value == num_heads * expected or value * num_heads == expected or value == expected // num_heads:
        return report(False, "", "El número de cabezas no cambia la cuenta: las cabezas se reparten las D dimensiones.")
    return report(
        False,
        "",
        f"qkv es Linear({dim}, {3 * dim}) y proj es Linear({dim}, {dim}); "
        "cada una tiene pesos (entradas × salidas) y un sesgo por salida.",
    )
