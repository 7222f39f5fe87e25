"""Correctores del cuaderno 04 (el ViT completo).

Cada corrector imprime su veredicto en español, devuelve un :class:`~utils.exercises.core.Verdict` y no
lanza nunca, llegue lo que llegue.
"""

from __future__ import annotations

import torch

from ..fmt import comma, thousands
from .core import as_float, as_int, as_shape, call_student, close, fashion, forbid, report

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


def check_vit_param_count(answer):
    """Ejercicio 04.1: número total de parámetros de ``ViT(**EJERCICIO_04_CONFIG)``, contado a mano."""
    from ..vit import ViT, count_parameters

    c = EJERCICIO_04_CONFIG
    with torch.random.fork_rng():  # el corrector no cambia el generador aleatorio del cuaderno
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
        return report(
            False, "", f"se esperaba un número entero y finito, y llegó {type(answer).__name__} ({answer!r})."
        )
    if value == expected:
        return report(True, f"el modelo tiene {thousands(expected)} parámetros.", "")
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


def check_num_tokens(answer, img_size: int = 224, patch_size: int = 14):
    """Ejercicio 04.2: número de tokens que entran al primer bloque, token CLS incluido."""
    g = img_size // patch_size
    expected = g * g + 1
    if answer is None:
        return report(False, "", "la respuesta todavía es None. Cuenta los parches y suma el token CLS.")
    value = as_int(answer)
    if value is None:
        return report(
            False, "", f"se esperaba un número entero y finito, y llegó {type(answer).__name__} ({answer!r})."
        )
    if value == expected:
        return report(True, f"{g}×{g} = {g * g} parches más el token CLS: {expected} tokens.", "")
    if value == expected - 1:
        return report(False, "", "esos son los parches; falta sumar el token CLS.")
    if value in (g, g + 1):
        return report(False, "", "ese es el número de parches por lado; la cuadrícula es cuadrada.")
    return report(False, "", "divide el lado de la imagen entre el del parche, eleva al cuadrado y suma el token CLS.")


def check_attention_maps_shape(answer, batch: int = 5, patch_size: int = 7, depth: int = 3, num_heads: int = 2):
    """Ejercicio 04.3: ``(número de tensores, forma de cada uno)`` que devuelve ``attention_maps``."""
    t = (28 // patch_size) ** 2 + 1
    expected = (batch, num_heads, t, t)
    if answer is None:
        return report(False, "", "la respuesta todavía es None. Responde con una tupla (número de tensores, forma).")
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return report(
            False,
            "",
            "responde con una tupla de dos elementos: (número de tensores, forma de cada uno), "
            "por ejemplo (6, (8, 4, 50, 50)).",
        )
    count, shape = as_int(answer[0]), as_shape(answer[1])
    if count is None or shape is None:
        return report(False, "", "el primer elemento debe ser un entero y el segundo una forma, como (8, 4, 50, 50).")
    if count != depth:
        return report(False, "", "attention_maps devuelve un tensor por bloque: ¿cuántos bloques tiene el modelo?")
    if shape == expected:
        return report(True, f"{depth} tensores de forma {expected}: (lote, cabezas, tokens, tokens).", "")
    if len(shape) != 4:
        return report(
            False, "", f"cada tensor tiene 4 ejes (lote, cabezas, tokens, tokens) y tu forma tiene {len(shape)}."
        )
    if shape[2:] == (t - 1, t - 1):
        return report(False, "", "falta el token CLS: la atención se calcula entre todos los tokens, CLS incluido.")
    if shape[:2] == (num_heads, batch):
        return report(False, "", "los dos primeros ejes están al revés: primero el lote y después las cabezas.")
    if shape[1] != num_heads:
        return report(False, "", "el segundo eje son las cabezas del modelo.")
    if shape[0] != batch:
        return report(False, "", "el primer eje es el lote: las imágenes de x.")
    return report(False, "", "los dos últimos ejes son los tokens: cuenta los parches de la cuadrícula y el CLS.")


def _vit_forward_hint(out, reference, images) -> str | None:
    """Una pista si los logits del estudiante son los de un error conocido."""
    if not isinstance(out, torch.Tensor) or not torch.isfinite(out).all():
        return None
    out = out.detach().float()
    with torch.no_grad():
        x = reference.embed(images)
        for block in reference.blocks:
            x = block(x)
        z = reference.patch_embed(images)
        no_pos = torch.cat([reference.cls_token.expand(len(z), -1, -1), z], dim=1)
        for block in reference.blocks:
            no_pos = block(no_pos)
        logits = reference.head(reference.norm(x)[:, 0])
        known = [
            (reference.head(x[:, 0]), "olvidaste la LayerNorm final (self.norm) antes de la cabeza."),
            (
                reference.head(reference.norm(x)[:, 1:].mean(1)),
                "has promediado los parches; usa el token CLS (x[:, 0]).",
            ),
            (
                reference.head(reference.norm(x)[:, -1]),
                "el token CLS va el primero: concaténalo delante y usa x[:, 0].",
            ),
            (reference.head(reference.norm(no_pos)[:, 0]), "falta sumar el embedding de posición (self.pos_embed)."),
            (logits.softmax(-1), "devuelves probabilidades: el modelo devuelve los logits, sin softmax."),
        ]
    if out.ndim == 3:
        return "la salida tiene un vector por token: quédate solo con el token CLS (x[:, 0]) antes de la cabeza."
    for candidate, hint in known:
        if out.shape == candidate.shape and torch.allclose(out, candidate, atol=1e-5):
            return hint
    return None


def check_vit_forward(model_class):
    """Ejercicio 04.5: la clase del estudiante, con los pesos de un ``utils.vit.ViT`` copiados, da sus mismos logits.

    Se prueba con dos configuraciones (una en color, con parches de otro tamaño) y con lotes de 16 y de 1 imagen.
    """
    from ..data import to_float
    from ..vit import ViT, ViTConfig

    if model_class is None or not isinstance(model_class, type):
        got = "None" if model_class is None else type(model_class).__name__
        return report(
            False, "", f"pasa la clase sin instanciarla, por ejemplo check_vit_forward(ViTEjercicio); llegó {got}."
        )
    real = to_float(fashion().test_images[:16])  # (16, 1, 28, 28): un lote real
    color = torch.randn(5, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    cases = [
        (ViTConfig(dim=32, depth=2, num_heads=2, mlp_dim=64), [real, real[:1]]),
        (ViTConfig(img_size=32, patch_size=8, in_chans=3, dim=24, depth=1, num_heads=3, mlp_dim=48), [color]),
    ]
    for k, (cfg, batches) in enumerate(cases):
        with torch.random.fork_rng():
            torch.manual_seed(k)
            reference = ViT(config=cfg).eval()
            try:
                mine = model_class(cfg)
                mine.load_state_dict(reference.state_dict())
                mine.eval()
            except Exception as exc:  # el estudiante debe ver su error, no una traza del corrector
                return report(
                    False,
                    "",
                    f"no se pudieron copiar los pesos de utils.vit.ViT en tu clase ({type(exc).__name__}: {exc}). "
                    "Deja el __init__ como está en el enunciado.",
                )
        for images in batches:
            with torch.no_grad():
                expected = reference(images)
                with forbid("utils.vit.ViT.forward", "utils.vit.ViT.embed", hint="Escribe los pasos tú mismo."):
                    out, error = call_student(mine, images)
            if error:
                context = (
                    ""
                    if k == 0 and len(images) > 1
                    else (" (con un lote de una imagen)" if k == 0 else " (con imágenes en color de 32×32)")
                )
                return report(False, "", error + context)
            if out is None:
                return report(False, "", "tu forward devuelve None: ¿falta el return?")
            ok, reason = close(out, expected, atol=1e-5)
            if not ok:
                hint = _vit_forward_hint(out, reference, images)
                if hint is None and k == 1:
                    hint = (
                        "con Fashion-MNIST funciona, pero no con otra configuración: no fijes tamaños a mano. " + reason
                    )
                return report(False, "", hint or reason)
    return report(True, "tus logits coinciden con los de utils.vit.ViT con los mismos pesos.", "")


def check_flops_ratio(answer):
    """Ejercicio 04.4: cuántas veces más FLOPs por imagen hace el ViT del curso con parches de 2×2 que de 4×4."""
    from ..flops import vit_flops
    from ..vit import ViTConfig

    expected = vit_flops(ViTConfig(patch_size=2)) / vit_flops(ViTConfig())
    if answer is None:
        return report(False, "", "escribe tu predicción como un número antes de calcular nada.")
    value = as_float(answer)
    if value is None:
        return report(False, "", f"se esperaba un número finito y llegó {type(answer).__name__} ({answer!r}).")
    if abs(value - expected) <= 0.15 * expected:
        return report(
            True,
            f"con parches de 2×2 hay 197 tokens en vez de 50: las capas lineales crecen como T (≈ 3,9 veces) y los "
            f"productos de la atención como T² (≈ 15,5 veces); el total crece {comma(expected, 1)} veces.",
            "",
        )
    tokens = (196 + 1) / (49 + 1)
    if abs(value - tokens) < 0.6:
        return report(
            False, "", "eso sería si todo el coste creciera con T; los productos de la atención crecen con T²."
        )
    if abs(value - tokens**2) < 2:
        return report(False, "", "eso sería si todo creciera con T²; las capas lineales solo crecen con T.")
    return report(
        False, "", "cuenta cuántos tokens hay con cada parche y qué fracción del coste depende de T y cuál de T²."
    )


def check_small_vit_config(config, limit: int = 100_000):
    """Ejercicio 04.6: una ``ViTConfig`` válida para Fashion-MNIST con como mucho ``limit`` parámetros."""
    from ..vit import ViT, ViTConfig, count_parameters

    if not isinstance(config, ViTConfig):
        got = "None" if config is None else type(config).__name__
        return report(False, "", f"se esperaba una ViTConfig, como ViTConfig(dim=48, depth=4, ...), y llegó {got}.")
    wrong = [
        (name, getattr(config, name), want)
        for name, want in (("img_size", 28), ("in_chans", 1), ("num_classes", 10))
        if getattr(config, name) != want
    ]
    if wrong:
        name, got, want = wrong[0]
        return report(False, "", f"Fashion-MNIST pide {name}={want} y tu configuración tiene {name}={got}.")
    try:
        with torch.device("meta"):  # solo contar: sin memoria ni inicialización
            n = count_parameters(ViT(config=config))
    except Exception as exc:
        return report(False, "", f"no se pudo crear el ViT con tu configuración ({type(exc).__name__}: {exc}).")
    if n > limit:
        return report(
            False,
            "",
            f"tu ViT tiene {thousands(n)} parámetros, más que el límite; reduce dim, depth o mlp_dim.",
        )
    return report(True, f"{thousands(n)} parámetros, dentro del límite. Ahora justifica tus elecciones.", "")
