"""Correctores del cuaderno 04 (el ViT completo).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
"""

from __future__ import annotations

import torch

from .core import as_int, close, fashion, report

# Configuración del ejercicio 04.1: una imagen en color de 32×32, como las de CIFAR-10.
EJERCICIO_04_CONFIG = {
    "img_size": 32,
    "patch_size": 8,
    "in_chans": 3,
    "num_classes": 10,
    "dim": 48,
    "depth": 2,
    "num_heads": 3,
    "mlp_dim": 96,
}


def check_vit_param_count(answer) -> bool:
    """Ejercicio 04.1: número total de parámetros de ``ViT(**EJERCICIO_04_CONFIG)``, contado a mano."""
    from ..vit import ViT, count_parameters

    c = EJERCICIO_04_CONFIG
    model = ViT(**c)
    expected = count_parameters(model)
    if answer is None:
        return report(
            False,
            "",
            "la respuesta todavía es None. Suma pieza a pieza: embedding de parches, "
            "token CLS, embedding de posición, cada bloque, LayerNorm final y cabeza.",
        )
    value = as_int(answer)
    if value is None:
        return report(False, "", f"se esperaba un número entero y llegó {type(answer).__name__}.")
    if value == expected:
        return report(True, f"El modelo tiene {expected:,} parámetros.".replace(",", " "), "")
    d, n = c["dim"], (c["img_size"] // c["patch_size"]) ** 2
    block = count_parameters(model.blocks[0])
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear | torch.nn.Conv2d)]
    biases = sum(m.bias.numel() for m in linears)
    norms = sum(p.numel() for m in model.modules() if isinstance(m, torch.nn.LayerNorm) for p in m.parameters())
    hints = {
        expected - d: "te falta el token CLS (D parámetros) o su fila del embedding de posición.",
        expected - 2 * d: "te falta el token CLS: son D parámetros propios más una fila más del embedding de posición.",
        expected - biases: "te faltan los sesgos de las capas lineales y de la convolución de parches.",
        expected - norms: "te faltan las LayerNorm: cada una tiene 2·D parámetros (escala y desplazamiento).",
        expected - block: "has contado un bloque de menos: depth = 2.",
        expected + block: "has contado un bloque de más: depth = 2.",
        expected - n * d - d: "te falta el embedding de posición: (N + 1) · D parámetros.",
    }
    if value in hints:
        return report(False, "", hints[value])
    return report(
        False,
        "",
        f"hay {'más' if value < expected else 'menos'} de {value}. Recuerda que cada capa "
        "lineal de a → b entradas tiene a·b pesos y b sesgos, y que un bloque tiene qkv (D → 3D), "
        "proyección (D → D), dos capas del MLP y dos LayerNorm.",
    )


def check_num_tokens(answer, img_size: int = 224, patch_size: int = 14) -> bool:
    """Ejercicio 04.2: número de tokens que entran al primer bloque, token CLS incluido."""
    g = img_size // patch_size
    expected = g * g + 1
    if answer is None:
        return report(False, "", "la respuesta todavía es None. Cuenta los parches y suma el token CLS.")
    value = as_int(answer)
    if value is None:
        return report(False, "", f"se esperaba un número entero y llegó {type(answer).__name__}.")
    if value == expected:
        return report(True, f"{g}×{g} = {g * g} parches más el token CLS: {expected} tokens.", "")
    if value == expected - 1:
        return report(False, "", "esos son los parches; falta sumar el token CLS.")
    if value == g or value == g + 1:
        return report(False, "", f"{g} son los parches por lado; la cuadrícula es de {g}×{g}.")
    return report(False, "", f"divide {img_size} entre {patch_size}, eleva al cuadrado y suma 1 (el token CLS).")


def check_attention_maps_shape(answer, batch: int = 5, patch_size: int = 7, depth: int = 3, num_heads: int = 2) -> bool:
    """Ejercicio 04.3: ``(número de tensores, forma de cada uno)`` que devuelve ``attention_maps``."""
    t = (28 // patch_size) ** 2 + 1
    expected = (depth, (batch, num_heads, t, t))
    if answer is None:
        return report(False, "", "la respuesta todavía es None. Responde con una tupla (número de tensores, forma).")
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return report(
            False,
            "",
            "responde con una tupla de dos elementos: (número de tensores, forma de cada uno), "
            "por ejemplo (6, (8, 4, 50, 50)).",
        )
    count = as_int(answer[0])
    try:
        shape = tuple(int(s) for s in answer[1])
    except (TypeError, ValueError):
        return report(False, "", f"el segundo elemento debe ser una forma, como (8, 4, 50, 50); llegó {answer[1]!r}.")
    if count != depth:
        return report(False, "", f"attention_maps devuelve un tensor por bloque, y este modelo tiene depth = {depth}.")
    if shape == expected[1]:
        return report(True, f"{depth} tensores de forma {expected[1]}: (lote, cabezas, tokens, tokens).", "")
    if len(shape) != 4:
        return report(
            False, "", f"cada tensor tiene 4 ejes (lote, cabezas, tokens, tokens) y tu forma tiene {len(shape)}."
        )
    if shape[2:] == (t - 1, t - 1):
        return report(False, "", "falta el token CLS: la atención se calcula entre todos los tokens, CLS incluido.")
    if shape[1] != num_heads:
        return report(False, "", f"el segundo eje son las cabezas: num_heads = {num_heads}.")
    if shape[0] != batch:
        return report(False, "", f"el primer eje es el lote: {batch} imágenes.")
    return report(False, "", f"la forma correcta es (lote, cabezas, T, T) con T = (28 / {patch_size})² + 1 tokens.")


def check_vit_forward(model_class) -> bool:
    """Ejercicio 04.4: la clase del estudiante, con los pesos de un ``utils.vit.ViT`` copiados, da sus mismos logits."""
    from ..data import to_float
    from ..vit import ViT, ViTConfig

    if model_class is None or not isinstance(model_class, type):
        got = "None" if model_class is None else type(model_class).__name__
        return report(
            False, "", f"pasa la clase sin instanciarla, por ejemplo check_vit_forward(ViTEjercicio); llegó {got}."
        )
    cfg = ViTConfig(dim=32, depth=2, num_heads=2, mlp_dim=64)
    torch.manual_seed(0)
    reference = ViT(config=cfg).eval()
    try:
        mine = model_class(cfg)
        mine.load_state_dict(reference.state_dict())
    except Exception as exc:  # el estudiante debe ver su error, no una traza del corrector
        return report(
            False,
            "",
            f"no se pudieron copiar los pesos de utils.vit.ViT en tu clase ({type(exc).__name__}: "
            f"{exc}). Deja el __init__ como está en el enunciado.",
        )
    mine.eval()
    images = to_float(fashion().test_images[:16])  # (16, 1, 28, 28): un lote real
    with torch.no_grad():
        expected = reference(images)
        try:
            out = mine(images)
        except Exception as exc:
            return report(False, "", f"tu forward lanzó {type(exc).__name__}: {exc}")
    if out is None:
        return report(False, "", "tu forward devuelve None: ¿falta el return?")
    if isinstance(out, torch.Tensor) and out.shape != expected.shape and out.ndim == 3:
        return report(
            False,
            "",
            f"la salida tiene forma {tuple(out.shape)}: quédate solo con el token CLS (x[:, 0]) antes de la cabeza.",
        )
    ok, reason = close(out, expected, atol=1e-5)
    if not ok and isinstance(out, torch.Tensor) and out.shape == expected.shape:
        with torch.no_grad():
            x = reference.embed(images)
            for block in reference.blocks:
                x = block(x)
            hints = [
                (reference.head(x[:, 0]), "olvidaste la LayerNorm final (self.norm) antes de la cabeza."),
                (
                    reference.head(reference.norm(x)[:, 1:].mean(1)),
                    "has promediado los parches; usa el token CLS (x[:, 0]).",
                ),
                (
                    reference.head(reference.norm(x)[:, -1]),
                    "el token CLS va el primero: concaténalo delante y usa x[:, 0].",
                ),
            ]
        for candidate, why in hints:
            if torch.allclose(out.float(), candidate, atol=1e-5):
                reason = why
                break
    return report(ok, "Tus logits coinciden con los de utils.vit.ViT con los mismos pesos.", reason)
