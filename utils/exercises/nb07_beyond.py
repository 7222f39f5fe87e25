"""Correctores del cuaderno 07 (más allá del curso: timm, ViT para pocos datos y escalado).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
Ninguno lanza una excepción, llegue lo que llegue; un NaN nunca es correcto y al fallar dan una pista, no la
respuesta. Los de funciones prueban varios tamaños, canales y valores, no solo el caso fácil.
"""

from __future__ import annotations

import math

import torch

from ..fmt import comma
from .core import ATTENTION_FUNCTIONS, as_float, call_student, close, forbid, forbidden_reference, report

__all__ = ["check_mlp_ratio", "check_flops_growth", "check_shift", "check_lsa_weights"]

# El ejercicio 07.1: un ViT con este ancho y este MLP, construido en timm.
MLP_RATIO_DIM, MLP_RATIO_HIDDEN = 192, 576
LSA_FORBIDDEN = (*ATTENTION_FUNCTIONS, "utils.vit_variants.LocalitySelfAttention.forward")
SHIFT_FORBIDDEN = ("utils.vit_variants.ShiftedPatchEmbedding.shifted",)


def _not_a_number(answer) -> str:
    if answer is None:
        return "Sustituye el None por tu respuesta: un número."
    if isinstance(answer, str):
        return f"Llegó el texto {answer!r}: escribe el número sin comillas (o el cálculo que lo da)."
    if isinstance(answer, bool):
        return "Llegó un True/False; se esperaba un número."
    if isinstance(answer, float):
        return f"Llegó {answer}: un valor no finito nunca es la respuesta."
    return f"Se esperaba un número y llegó un valor de tipo {type(answer).__name__}."


def check_mlp_ratio(answer, dim: int = MLP_RATIO_DIM, mlp_dim: int = MLP_RATIO_HIDDEN):
    """Ejercicio 07.1: el ``mlp_ratio`` que timm necesita para un MLP de ``mlp_dim`` con tokens de ``dim``."""
    expected = mlp_dim / dim
    value = as_float(answer)
    if value is None:
        return report(False, "", _not_a_number(answer))
    if math.isclose(value, expected, rel_tol=1e-6) and int(dim * value) == mlp_dim:
        return report(True, f"en timm, el MLP tiene int({dim} · {comma(value)}) = {mlp_dim} neuronas.", "")
    if math.isclose(value, mlp_dim, rel_tol=1e-6):
        return report(False, "", "Ese es el ancho del MLP; timm no lo recibe así, sino como proporción del ancho D.")
    if math.isclose(value, 1 / expected, rel_tol=1e-6):
        return report(False, "", "Lo has calculado al revés: el MLP es más ancho que los tokens.")
    if math.isclose(value, 4.0):
        return report(False, "", "Ese es el valor por defecto de timm (el de ViT-Base), no el de este modelo.")
    return report(False, "", "en timm, el MLP tiene int(embed_dim · mlp_ratio) neuronas: despeja mlp_ratio.")


def _tiny(patch_size: int):
    from ..vit import ViTConfig

    return ViTConfig(
        img_size=224, patch_size=patch_size, in_chans=3, num_classes=1000, dim=192, depth=12, num_heads=3, mlp_dim=768
    )


def check_flops_growth(answer):
    """Ejercicio 07.2 (predice): cuántas veces más FLOPs cuesta ViT-Tiny a 224×224 con parches de 8 que de 16."""
    from ..flops import vit_flops

    expected = vit_flops(_tiny(8)) / vit_flops(_tiny(16))
    value = as_float(answer)
    if value is None:
        return report(False, "", _not_a_number(answer))
    if math.isclose(value, expected, rel_tol=0.02):
        return report(
            True, "Crece más que los tokens (la atención es N²) pero mucho menos que N²: mandan las capas lineales.", ""
        )
    tokens = (28 * 28 + 1) / (14 * 14 + 1)
    if math.isclose(value, tokens, rel_tol=0.03):
        return report(False, "", "Eso es lo que crece el número de tokens; la atención crece con su cuadrado.")
    if math.isclose(value, tokens**2, rel_tol=0.03):
        return report(False, "", "Eso supondría que todo es atención (N²); ¿qué parte del coste crece solo con N?")
    if value < 1:
        return report(False, "", "Con parches más pequeños hay más tokens: el coste sube, el factor es mayor que 1.")
    if math.isclose(value, 2.0, rel_tol=0.02):
        return report(False, "", "Eso es lo que se reduce el lado del parche; cuenta los tokens y luego los FLOPs.")
    return report(False, "", "Cuenta con vit_flops las dos configuraciones (cambia solo patch_size) y divide.")


def _shift_reference(x: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    H, W = x.shape[-2:]
    out = torch.zeros_like(x)
    ys, yd = (slice(0, H - dy), slice(dy, H)) if dy >= 0 else (slice(-dy, H), slice(0, H + dy))
    xs, xd = (slice(0, W - dx), slice(dx, W)) if dx >= 0 else (slice(-dx, W), slice(0, W + dx))
    out[..., yd, xd] = x[..., ys, xs]
    return out


def check_shift(fn):
    """Ejercicio 07.3: ``fn(x, dy, dx)`` mueve cada imagen (B, C, H, W) ``dy`` píxeles abajo y ``dx`` a la
    derecha (negativos: arriba e izquierda) y rellena con ceros lo que queda al descubierto."""
    if callable(fn) and (found := forbidden_reference(fn, *SHIFT_FORBIDDEN)):
        return report(False, "", found)
    g = torch.Generator().manual_seed(7)
    cases = [
        ((2, 1, 8, 8), 2, 2),
        ((2, 3, 8, 8), -2, 1),
        ((1, 3, 6, 10), 1, -3),
        ((3, 1, 5, 5), 0, 0),
        ((1, 2, 7, 7), -3, -3),
    ]
    for shape, dy, dx in cases:
        x = torch.rand(shape, generator=g) + 0.5  # sin ceros: así se ve el relleno
        with forbid(*SHIFT_FORBIDDEN, hint="Escríbelo con F.pad y un recorte, o con índices."):
            out, error = call_student(fn, x.clone(), dy, dx)
        if error:
            return report(False, "", error)
        ok, why = close(out, _shift_reference(x, dy, dx), atol=1e-6)
        if not ok:
            out_t = torch.as_tensor(out) if isinstance(out, torch.Tensor) else None
            if (
                out_t is not None
                and out_t.shape == x.shape
                and torch.allclose(out_t, torch.roll(x, (dy, dx), (-2, -1)))
            ):
                return report(
                    False, "", "Lo que sale por un borde entra por el otro (como torch.roll): rellena con ceros."
                )
            if out_t is not None and out_t.shape == x.shape and torch.allclose(out_t, _shift_reference(x, -dy, -dx)):
                return report(
                    False, "", "La imagen se mueve en sentido contrario: dy > 0 es hacia abajo y dx > 0 a la derecha."
                )
            if out_t is not None and out_t.shape == x.shape and torch.allclose(out_t, _shift_reference(x, dx, dy)):
                return report(False, "", "Has cambiado los ejes: dy mueve las filas (H) y dx las columnas (W).")
            return report(False, "", f"Con la forma {shape}, dy={dy} y dx={dx}: {why}")
    return report(True, "Desplaza en las dos direcciones, con cualquier número de canales y tamaño.", "")


def _lsa_reference(q, k, logit_scale):
    scores = q @ k.transpose(-2, -1) * math.exp(float(logit_scale))
    n = q.shape[-2]
    return scores.masked_fill(torch.eye(n, dtype=torch.bool), float("-inf")).softmax(-1)


def check_lsa_weights(fn):
    """Ejercicio 07.4: ``fn(q, k, logit_scale)`` da los pesos de la autoatención de localidad (…, N, N):
    softmax(Q·Kᵀ · exp(logit_scale)) con la diagonal enmascarada, sin las funciones de atención de PyTorch ni de utils."""
    if callable(fn) and (found := forbidden_reference(fn, *LSA_FORBIDDEN)):
        return report(False, "", found)
    g = torch.Generator().manual_seed(3)
    cases = [((2, 3, 5, 4), math.log(4**-0.5)), ((1, 1, 7, 8), math.log(0.5)), ((2, 2, 6, 4), 1.3), ((4, 9, 4), -0.7)]
    for shape, s in cases:
        q, k = torch.randn(shape, generator=g), torch.randn(shape, generator=g)
        with forbid(*LSA_FORBIDDEN, hint="Escribe tú las puntuaciones, la máscara y la softmax."):
            out, error = call_student(fn, q.clone(), k.clone(), torch.tensor(s))
        if error:
            return report(False, "", error)
        expected = _lsa_reference(q, k, s)
        ok, why = close(out, expected, atol=1e-5)
        if ok:
            continue
        t = out.detach().cpu().double() if isinstance(out, torch.Tensor) and out.shape == expected.shape else None
        if t is not None and torch.isfinite(t).all():
            d = shape[-1]
            if t.diagonal(dim1=-2, dim2=-1).abs().max() > 1e-6:
                return report(
                    False, "", "La diagonal no es cero: un token no debe atenderse a sí mismo (enmascáralo con -inf)."
                )
            if not torch.allclose(t.sum(-1), torch.ones_like(t.sum(-1)), atol=1e-4):
                return report(
                    False,
                    "",
                    "Las filas no suman 1: enmascara las puntuaciones antes de la softmax, no los pesos después.",
                )
            if torch.allclose(t, _lsa_reference(q, k, s - 0.5 * math.log(d)).double(), atol=1e-5):
                return report(False, "", "Divides además por √d: en LSA la temperatura aprendida sustituye a 1/√d.")
            if s > 0 and torch.allclose(t, _lsa_reference(q, k, math.log(s)).double(), atol=1e-5):
                return report(False, "", "La escala es exp(logit_scale): el parámetro guarda su logaritmo.")
            if torch.allclose(t, _lsa_reference(q, k, s).transpose(-2, -1).double(), atol=1e-5):
                return report(
                    False, "", "Las filas deben ser las consultas: la softmax va sobre las claves (el último eje)."
                )
        return report(False, "", f"Con q y k de forma {shape}: {why}")
    return report(True, "Temperatura aprendida y diagonal enmascarada, con cualquier número de cabezas y tokens.", "")
