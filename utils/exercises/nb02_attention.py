"""Correctores de los cuadernos 02 (atención) y 02b (atención a fondo).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
Ninguno lanza una excepción, llegue lo que llegue, y al fallar dan una pista, no la respuesta.
"""

from __future__ import annotations

import math

import torch

from ..fmt import thousands
from .core import (
    ATTENTION_FUNCTIONS,
    SOFTMAX_FUNCTIONS,
    as_float,
    as_int,
    as_shape,
    call_student,
    close,
    fashion,
    forbid,
    forbidden_reference,
    never_raises,
    report,
)

__all__ = [
    "ATTENTION_SHAPES",
    "check_attention",
    "check_attention_shapes",
    "check_local_mask",
    "check_mha_params",
    "check_permutation_prediction",
    "check_stable_softmax",
]

# Formas del ejercicio 02.1: consultas (B, H, N, d), claves (B, H, M, d) y valores (B, H, M, d_v).
ATTENTION_SHAPES = {"q": (2, 4, 10, 16), "k": (2, 4, 7, 16), "v": (2, 4, 7, 32)}


def _is_real_tensor(x) -> bool:
    return isinstance(x, torch.Tensor) and (x.is_floating_point() or x.dtype in (torch.int32, torch.int64))


@never_raises
def check_attention_shapes(output_shape, weights_shape=None):
    """Ejercicio 02.1: formas de la salida y de los pesos de la atención para ``ATTENTION_SHAPES``."""
    q, k, v = (torch.zeros(s) for s in ATTENTION_SHAPES.values())
    scores = q @ k.transpose(-2, -1)
    expected_out, expected_w = tuple((scores @ v).shape), tuple(scores.shape)
    if output_shape is None or weights_shape is None:
        return report(
            False,
            "",
            "Sustituye los None por dos tuplas de enteros, como (3, 5): la forma de la salida y la de los pesos.",
        )
    got_out, got_w = as_shape(output_shape), as_shape(weights_shape)
    if got_out is None or got_w is None:
        bad = output_shape if got_out is None else weights_shape
        return report(False, "", f"Cada forma debe ser una tupla de enteros, como (3, 5); llegó {type(bad).__name__}.")
    if (got_out, got_w) == (expected_w, expected_out):
        return report(False, "", "Has intercambiado las respuestas: primero la salida y después los pesos.")
    problems = []
    if got_out != expected_out:
        if len(got_out) != len(expected_out):
            problems.append("la salida tiene tantos ejes como las consultas: los de delante se conservan")
        elif got_out[:2] != expected_out[:2]:
            problems.append("los dos primeros ejes (lote y cabezas) pasan a la salida sin cambiar")
        elif got_out[-1] != expected_out[-1]:
            problems.append("la última dimensión de la salida es la de los valores (v), no la de q y k")
        else:
            problems.append("la salida tiene una fila por consulta, no por clave")
    if got_w != expected_w:
        if len(got_w) != len(expected_w) or got_w[:2] != expected_w[:2]:
            problems.append("los pesos conservan los ejes de delante (lote y cabezas)")
        elif got_w[-2:] == expected_w[-2:][::-1]:
            problems.append("en los pesos, las filas son las consultas y las columnas las claves")
        else:
            problems.append("los pesos tienen un número por cada par (consulta, clave)")
    if not problems:
        return report(True, f"salida {expected_out} y pesos {expected_w}: (…, N, d_v) y (…, N, M).", "")
    message = "; ".join(problems)
    return report(False, "", message[:1].upper() + message[1:] + ".")


def _softmax_cases() -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    big = torch.tensor([[1000.0, 1001.0, 1002.0], [-1000.0, -1000.0, -999.0], [0.0, 0.0, 0.0], [800.0, -800.0, 0.0]])
    with_inf = torch.tensor([[1.0, float("-inf"), 2.0, 0.5], [float("-inf"), 3.0, float("-inf"), -2.0]])
    return [
        torch.randn(3, 5, 7, generator=g),  # (B, N, M): varios ejes delante
        big,  # valores que desbordan exp
        30 * torch.randn(4, 9, generator=g),
        with_inf,  # puntuaciones enmascaradas con -inf
        torch.randn(6, generator=g),  # un solo vector
        torch.randn(2, 3, 4, 5, generator=g),  # (B, H, N, M)
    ]


@never_raises
def check_stable_softmax(fn):
    """Ejercicio 02.2: ``fn(x)`` es la softmax sobre la última dimensión, estable y sin usar las de PyTorch."""
    if callable(fn) and (found := forbidden_reference(fn, *SOFTMAX_FUNCTIONS)):
        return report(False, "", found)
    for x in _softmax_cases():
        expected = torch.softmax(x, dim=-1)
        given = x.clone()
        with forbid(*SOFTMAX_FUNCTIONS, hint="Escríbela con torch.exp y una suma."):
            result, error = call_student(fn, given)
        if error:
            return report(False, "", error)
        if not isinstance(result, torch.Tensor):
            return report(False, "", f"tu función debe devolver un tensor y devolvió {type(result).__name__}.")
        if not torch.equal(given, x):
            return report(False, "", "Tu función modifica la entrada x: usa operaciones que devuelvan un tensor nuevo.")
        if isinstance(result, torch.Tensor) and result.shape == x.shape and result.is_floating_point():
            bad = ~torch.isfinite(result.detach().cpu())
            if bad.any():
                return report(
                    False,
                    "",
                    "Aparecen NaN o infinitos con valores como 1000 o -1000: resta a cada fila su propio máximo "
                    "(con keepdim=True) antes de la exponencial.",
                )
        ok, reason = close(result, expected, atol=1e-6)
        if ok:
            continue
        if isinstance(result, torch.Tensor) and result.shape == x.shape and result.is_floating_point():
            sums = result.detach().cpu().double().sum(dim=-1)
            if not torch.allclose(sums, torch.ones_like(sums), atol=1e-5):
                return report(False, "", "Las filas no suman 1: normaliza sobre la última dimensión (dim=-1).")
        return report(False, "", f"con una entrada de forma {tuple(x.shape)}, {reason}")
    return report(True, "tu softmax coincide con la de PyTorch y no se desborda con valores como 1000.", "")


def _attention_cases():
    """Casos del ejercicio 02.3: varios ejes delante, varios tamaños de lote y máscaras que se extienden por broadcasting."""
    g = torch.Generator().manual_seed(0)

    def qkv(*lead, n=5, m=6, d=8, dv=4):
        return (torch.randn(*lead, n, d, generator=g), torch.randn(*lead, m, d, generator=g),
                torch.randn(*lead, m, dv, generator=g))  # fmt: skip

    local = torch.ones(5, 6, dtype=torch.bool).tril(diagonal=1)  # cada consulta ve al menos dos claves
    per_image = torch.rand(3, 1, 5, 6, generator=g) > 0.4
    per_image[..., 0] = True  # ninguna fila vacía
    return [
        ("sin ejes delante", qkv(n=4, m=4, d=16, dv=16), None),
        ("con lote y cabezas", qkv(2, 3), None),
        ("con un lote de 1", qkv(1, 4, n=7, m=3, d=2, dv=5), None),
        ("con una máscara (N, M)", qkv(2, 3), local),
        ("con una máscara por imagen (B, 1, N, M)", qkv(3, 2), per_image),
    ]


@never_raises
def check_attention(fn):
    """Ejercicio 02.3: ``fn(q, k, v, mask=None)`` devuelve ``(salida, pesos)`` como la atención de ``utils``.

    Prohíbe ``utils.attention.scaled_dot_product_attention``, ``F.scaled_dot_product_attention`` y
    ``nn.MultiheadAttention``, y prueba varios ejes delante, varios tamaños de lote y máscaras.
    """
    from ..attention import scaled_dot_product_attention

    if callable(fn) and (found := forbidden_reference(fn, *ATTENTION_FUNCTIONS)):
        return report(False, "", found)
    for where, (q, k, v), mask in _attention_cases():
        expected_out, expected_w = scaled_dot_product_attention(q, k, v, mask=mask)
        args = (q.clone(), k.clone(), v.clone()) + (() if mask is None else (mask.clone(),))
        with forbid(*ATTENTION_FUNCTIONS, hint="Escribe tú la atención: puntuaciones, softmax y mezcla de valores."):
            result, error = call_student(fn, *args)
        if error:
            return report(False, "", error if error.startswith("aún no") else f"{where}: {error}")
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            return report(False, "", "La función debe devolver dos cosas: return salida, pesos.")
        out, weights = result
        if not (isinstance(out, torch.Tensor) and isinstance(weights, torch.Tensor)):
            got = f"{type(out).__name__} y {type(weights).__name__}"
            return report(False, "", f"la salida y los pesos deben ser tensores y llegaron {got}.")
        ok_w, reason_w = close(weights, expected_w)
        ok_o, reason_o = close(out, expected_out)
        if ok_w and ok_o:
            continue
        if _is_real_tensor(weights) and weights.shape == expected_w.shape:
            w = weights.detach().cpu().double()
            scores = (q @ k.transpose(-2, -1)).double()
            if mask is not None:
                scores = scores.masked_fill(~mask, float("-inf"))
            d = q.shape[-1]
            hints = [
                (
                    scores.softmax(-1),
                    "los pesos salen sin escalar: divide las puntuaciones entre √d antes de la softmax.",
                ),
                ((scores / d).softmax(-1), "divides entre d; la atención de producto escalado divide entre √d."),
                ((scores / math.sqrt(d)).softmax(-2), "la softmax va sobre la última dimensión (las claves): dim=-1."),
            ]
            for candidate, hint in hints:
                if torch.isfinite(candidate).all() and torch.allclose(w, candidate, atol=1e-5):
                    return report(False, "", f"{where}, {hint}")
            if mask is not None and torch.isfinite(w).all() and (w[~mask.expand_as(w)] != 0).any():
                return report(
                    False,
                    "",
                    f"{where}, hay peso donde la máscara vale False (no se puede atender): pon -inf en esas "
                    "puntuaciones antes de la softmax.",
                )
        detail = f"en los pesos, {reason_w}" if not ok_w else f"en la salida, {reason_o}"
        return report(False, "", f"{where}, {detail}")
    return report(True, "tu atención coincide con la de utils con y sin máscara, con y sin ejes delante.", "")


@never_raises
def check_mha_params(answer, dim: int = 64, num_heads: int = 4):
    """Ejercicio 02.4: número de parámetros de ``MultiHeadAttention(dim, num_heads)``."""
    from ..attention import MultiHeadAttention
    from ..vit import count_parameters

    with torch.random.fork_rng():
        expected = count_parameters(MultiHeadAttention(dim, num_heads))
    if answer is None:
        return report(
            False, "", "Sustituye el None por tu respuesta: suma los pesos y los sesgos de `qkv` y de `proj`."
        )
    value = as_int(answer)
    if value is None:
        got = "un número no finito" if as_float(answer) is None and isinstance(answer, float) else type(answer).__name__
        return report(False, "", f"Se esperaba un número entero y llegó {got}.")
    if value == expected:
        return report(
            True,
            f"`qkv` tiene {dim}·{3 * dim} + {3 * dim} y `proj` {dim}·{dim} + {dim}: {thousands(expected)} en total, "
            "sea cual sea el número de cabezas.",
            "",
        )
    if value == 4 * dim * dim:
        return report(False, "", "Te faltan los sesgos: cada capa lineal tiene también un sesgo por salida.")
    if value in (3 * dim * dim + 3 * dim, 3 * dim * dim):
        return report(False, "", "Has contado `qkv` pero falta la proyección de salida `proj` (Linear(D, D)).")
    if value in (num_heads * expected, expected // num_heads):
        return report(False, "", "El número de cabezas no cambia la cuenta: las cabezas se reparten las D dimensiones.")
    return report(
        False,
        "",
        f"`qkv` es Linear({dim}, {3 * dim}) y `proj` es Linear({dim}, {dim}); "
        "cada una tiene pesos (entradas × salidas) y un sesgo por salida.",
    )


_CHOICES = {"a": "no cambia", "b": "se baraja igual que los tokens", "c": "cambia de otra forma"}


def _choice(answer) -> str | None:
    if not isinstance(answer, str):
        return None
    text = answer.strip().lower().strip("()").strip()
    return text if text in _CHOICES else None


@never_raises
def check_permutation_prediction(all_tokens, keys_and_values):
    """Ejercicio 02.5 (predice antes de ejecutar): qué le pasa a la salida de la atención al barajar.

    ``all_tokens``: si se barajan consultas, claves y valores a la vez. ``keys_and_values``: si se
    barajan solo las claves y los valores. Cada respuesta es ``"a"``, ``"b"`` o ``"c"``. El corrector
    hace el experimento con tokens reales (los de la imagen de prueba 0) y lo enseña.
    """
    from ..attention import scaled_dot_product_attention
    from ..data import to_float
    from ..patches import patchify

    if all_tokens is None or keys_and_values is None:
        return report(False, "", 'Escribe tus dos predicciones, cada una "a", "b" o "c", antes de ejecutar la celda.')
    first, second = _choice(all_tokens), _choice(keys_and_values)
    if first is None or second is None:
        bad = all_tokens if first is None else keys_and_values
        return report(False, "", f'Cada predicción es una letra entre comillas: "a", "b" o "c" (llegó {bad!r}).')
    tokens = patchify(to_float(fashion().test_images[:1]), 4)[0]  # (49, 16)
    g = torch.Generator().manual_seed(0)
    w_q, w_k, w_v = (torch.randn(16, 16, generator=g) / 4 for _ in range(3))
    q, k, v = tokens @ w_q, tokens @ w_k, tokens @ w_v
    perm = torch.randperm(49, generator=g)
    out, _ = scaled_dot_product_attention(q, k, v)
    out_all, _ = scaled_dot_product_attention(q[perm], k[perm], v[perm])
    out_kv, _ = scaled_dot_product_attention(q, k[perm], v[perm])

    def what(result, reference):
        if torch.allclose(result, reference, atol=1e-5):
            return "a"
        return "b" if torch.allclose(result, reference[perm], atol=1e-5) else "c"

    truth = (what(out_all, out), what(out_kv, out))
    print(f"Barajando los 49 tokens: la salida {_CHOICES[truth[0]]}.")
    print(f"Barajando solo claves y valores: la salida {_CHOICES[truth[1]]}.")
    if (first, second) == truth:
        return report(
            True,
            "la atención no sabe en qué orden llegan los tokens: barajarlos solo baraja las filas de la salida, y "
            "barajar a la vez claves y valores no cambia nada. Por eso el ViT necesita embeddings de posición (04).",
            "",
        )
    wrong = "la primera" if first != truth[0] else "la segunda"
    return report(
        False,
        "",
        f"{wrong} predicción no se cumple. Mira la fórmula: cada fila de la salida es una suma sobre las claves, "
        "y una suma no depende del orden de sus términos.",
    )


def _local_mask(n: int, window: int) -> torch.Tensor:
    i = torch.arange(n)
    diff = i[:, None] - i[None, :]  # i - j
    return (diff >= 0) & (diff <= window)


@never_raises
def check_local_mask(fn):
    """Ejercicio 02b.1: ``fn(n, window)`` es la máscara (n, n) en que cada token ve a sí mismo y a los
    ``window`` anteriores (True = se puede atender)."""
    for n, window in [(6, 2), (1, 0), (5, 0), (8, 3), (4, 10)]:
        expected = _local_mask(n, window)
        result, error = call_student(fn, n, window)
        if error:
            return report(False, "", error if error.startswith("aún no") else f"con n={n}, window={window}: {error}")
        if not isinstance(result, torch.Tensor):
            return report(False, "", f"se esperaba un tensor bool y llegó {type(result).__name__}.")
        if result.dtype != torch.bool:
            return report(
                False, "", f"la máscara es de tipo {result.dtype}; debe ser bool (usa comparaciones o .bool())."
            )
        if tuple(result.shape) != (n, n):
            return report(False, "", f"con n={n}, la máscara tiene forma {tuple(result.shape)}: una fila por consulta.")
        result = result.detach().cpu()
        if torch.equal(result, expected):
            continue
        if torch.equal(result, ~expected):
            return report(False, "", "la máscara está al revés: en utils, True significa «se puede atender».")
        if torch.equal(result, expected.T):
            return report(False, "", "la máscara está traspuesta: la fila i es la consulta i, la columna j la clave j.")
        if not result.diagonal().all():
            return report(False, "", f"con n={n}, window={window}, algún token no se ve a sí mismo.")
        return report(False, "", f"con n={n}, window={window} la máscara no es la esperada: dibújala con .int().")
    return report(True, "tu máscara deja a cada token ver a sí mismo y a los anteriores dentro de la ventana.", "")
