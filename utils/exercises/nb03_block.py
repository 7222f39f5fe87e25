"""Correctores del cuaderno 03 (el bloque Transformer).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
"""

from __future__ import annotations

import torch

from .core import as_int, call_student, close, report

# Tamaños del ejercicio 03.1: un bloque del ViT del curso.
BLOCK_SIZES = {"dim": 64, "num_heads": 4, "mlp_dim": 128}


def check_block_params(answer, dim: int = 64, num_heads: int = 4, mlp_dim: int = 128) -> bool:
    """Ejercicio 03.1: número de parámetros de ``Block(dim, num_heads, mlp_dim)``."""
    from ..vit import Block, count_parameters

    with torch.random.fork_rng():
        block = Block(dim, num_heads, mlp_dim)
    expected = count_parameters(block)
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta: suma las dos LayerNorm, la atención y el MLP.")
    value = as_int(answer)
    if value is None:
        return report(False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}.")
    parts = {name: count_parameters(getattr(block, name)) for name in ("norm1", "attn", "norm2", "mlp")}
    if value == expected:
        detail = " + ".join(f"{name} {n}" for name, n in parts.items())
        return report(True, f"Por piezas: {detail} = {expected}.", "")
    if value == expected - parts["norm1"] - parts["norm2"]:
        return report(False, "", f"Te faltan las dos LayerNorm: cada una tiene γ y β, {2 * dim} parámetros.")
    if value == expected - parts["norm1"] // 2 - parts["norm2"] // 2:
        return report(False, "", "Cada LayerNorm tiene dos vectores de D parámetros (γ y β), no uno.")
    if value == expected - (3 * dim + dim + mlp_dim + dim):
        return report(False, "", "Te faltan los sesgos de las capas lineales (uno por cada salida).")
    if value in (parts["attn"], parts["mlp"]):
        return report(False, "", "Falta alguna pieza: el bloque tiene norm1, attn, norm2 y mlp (fc1 y fc2).")
    return report(
        False,
        "",
        f"Cuenta por piezas: dos LayerNorm(D) con γ y β; attn con qkv Linear({dim}, {3 * dim}) "
        f"y proj Linear({dim}, {dim}); mlp con fc1 Linear({dim}, {mlp_dim}) y fc2 Linear({mlp_dim}, {dim}).",
    )


def check_layer_norm(fn) -> bool:
    """Ejercicio 03.2: ``fn(x, weight, bias, eps)`` debe coincidir con ``F.layer_norm`` sobre la última dimensión."""
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(0)
    x = 3 * torch.randn(4, 10, 16, generator=g) + 1
    weight = torch.rand(16, generator=g) + 0.5
    bias = torch.randn(16, generator=g)
    eps = 1e-5
    result, error = call_student(fn, x.clone(), weight, bias, eps)
    if error:
        return report(False, "", error)
    expected = F.layer_norm(x, (16,), weight, bias, eps)
    ok, reason = close(result, expected, atol=1e-4)
    if ok:
        return report(True, "Tu LayerNorm coincide con nn.LayerNorm: media y varianza por token, y después γ y β.", "")
    if isinstance(result, torch.Tensor) and result.shape == x.shape:
        mu = x.mean(-1, keepdim=True)
        unbiased = (x - mu) / torch.sqrt(x.var(-1, keepdim=True, unbiased=True) + eps) * weight + bias
        if torch.allclose(result, unbiased, atol=1e-4):
            return report(
                False,
                "",
                "Usas la varianza insesgada (dividir entre D − 1); LayerNorm divide entre D: "
                "usa x.var(dim=-1, unbiased=False, keepdim=True).",
            )
        plain = F.layer_norm(x, (16,), None, None, eps)
        if torch.allclose(result, plain, atol=1e-4):
            return report(
                False, "", "Normalizas bien, pero falta reescalar: multiplica por weight (γ) y suma bias (β)."
            )
        if torch.allclose(
            result, (x - mu) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False)) * weight + bias, atol=1e-6
        ) or torch.allclose(
            result, (x - mu) / (x.std(-1, unbiased=False, keepdim=True) + eps) * weight + bias, atol=1e-6
        ):
            return report(False, "", "Casi: ε va dentro de la raíz, √(σ² + ε).")
        whole = (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + eps) * weight + bias
        if torch.allclose(result, whole, atol=1e-4):
            return report(
                False,
                "",
                "Normalizas con la media y la varianza de todo el tensor; LayerNorm las calcula "
                "por token, sobre la última dimensión (dim=-1, keepdim=True).",
            )
    return report(False, "", reason[:1].upper() + reason[1:])


def check_block_fix(block_class, dim: int = 32, num_heads: int = 4, mlp_dim: int = 64) -> bool:
    """Ejercicio 03.3: el bloque corregido debe dar lo mismo que ``utils.vit.Block`` con los mismos pesos.

    Instancia ``block_class(dim, num_heads, mlp_dim)``, le copia los pesos de un ``Block`` (con LayerNorm
    no triviales) y compara las salidas en modo evaluación.
    """
    from torch import nn

    from ..vit import Block

    if block_class is None or not isinstance(block_class, type) or not issubclass(block_class, nn.Module):
        got = "None" if block_class is None else type(block_class).__name__
        return report(
            False, "", f"Pasa la clase de tu bloque, sin instanciarla (check_block_fix(FixedBlock)); llegó {got}."
        )
    with torch.random.fork_rng():
        torch.manual_seed(0)
        reference = Block(dim, num_heads, mlp_dim).eval()
        with torch.no_grad():
            for norm in (reference.norm1, reference.norm2):  # γ y β no triviales, para que se noten
                norm.weight.uniform_(0.5, 1.5)
                norm.bias.normal_(0, 0.5)
        x = 2 * torch.randn(3, 7, dim) + 0.5
    try:
        with torch.random.fork_rng():  # crear el bloque no debe cambiar el generador aleatorio del cuaderno
            student = block_class(dim, num_heads, mlp_dim)
    except Exception as exc:
        return report(
            False,
            "",
            f"No pude crear tu bloque con {block_class.__name__}({dim}, {num_heads}, {mlp_dim}): "
            f"{type(exc).__name__}: {exc}. Hereda de utils.vit.Block para tener el mismo constructor.",
        )
    try:
        student.load_state_dict(reference.state_dict())
    except Exception:
        return report(
            False,
            "",
            "Tu bloque no tiene los mismos submódulos que utils.vit.Block "
            "(norm1, attn, norm2, mlp): hereda de Block y cambia solo forward.",
        )
    student.eval()
    try:
        with torch.no_grad():
            out = student(x.clone())
    except NotImplementedError:
        return report(False, "", "Aún no has escrito forward: sustituye el raise NotImplementedError por tu código.")
    except Exception as exc:
        return report(False, "", f"Tu forward lanzó {type(exc).__name__}: {exc}")
    with torch.no_grad():
        expected = reference(x)
    ok, reason = close(out, expected, atol=1e-5)
    if ok:
        return report(
            True,
            "Tu bloque da lo mismo que utils.vit.Block: cada subcapa ve la entrada normalizada y "
            "la conexión residual suma la entrada sin normalizar.",
            "",
        )
    if isinstance(out, torch.Tensor) and out.shape == expected.shape:
        with torch.no_grad():
            xn = reference.norm1(x)
            if torch.allclose(out, xn + reference.mlp(reference.norm2(xn + reference.attn(xn))), atol=1e-5):
                return report(
                    False,
                    "",
                    "Es el mismo resultado que el bloque con errores: busca los dos fallos "
                    "(qué se normaliza y qué se suma al final).",
                )
            if torch.allclose(
                out, xn + reference.attn(xn) + reference.mlp(reference.norm2(xn + reference.attn(xn))), atol=1e-5
            ):
                return report(
                    False,
                    "",
                    "La suma de la atención ya está bien, pero la conexión residual sigue partiendo "
                    "de norm1(x): la LayerNorm debe ir solo dentro de la rama, attn(norm1(x)).",
                )
            h = x + reference.attn(reference.norm1(x))
            if torch.allclose(out, x + reference.mlp(reference.norm2(h)), atol=1e-5):
                return report(
                    False,
                    "",
                    "La entrada ya no se normaliza, pero al final se pierde la salida de la "
                    "atención: devuelve h + mlp(norm2(h)) con h = x + attn(norm1(x)).",
                )
    return report(False, "", f"La salida no coincide con la de utils.vit.Block: {reason}")
