"""Correctores de los cuadernos 03 (el bloque Transformer) y 03b (el bloque a fondo).

Cada corrector imprime su veredicto en español, devuelve un :class:`~utils.exercises.core.Verdict` y no
lanza nunca, llegue lo que llegue.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from ..fmt import comma, thousands
from .core import LAYER_NORM_FUNCTIONS, as_int, call_student, close, defines_own, fashion, forbid, report

# Tamaños del ejercicio 03.1: un bloque del ViT del curso.
BLOCK_SIZES = {"dim": 64, "num_heads": 4, "mlp_dim": 128}

# Configuración del experimento de la sección 7 del cuaderno 03 (y del ejercicio 03.4).
GRAD_NORM_CONFIG = {"dim": 32, "num_heads": 4, "mlp_dim": 64, "patch_size": 7}
PREDICTIONS = ("mayor", "parecida", "menor")


def check_block_params(answer, dim: int = 64, num_heads: int = 4, mlp_dim: int = 128):
    """Ejercicio 03.1: número de parámetros de ``Block(dim, num_heads, mlp_dim)``."""
    from ..vit import Block, count_parameters

    with torch.random.fork_rng():
        block = Block(dim, num_heads, mlp_dim)
    expected = count_parameters(block)
    if answer is None:
        return report(False, "", "sustituye el None por tu respuesta: suma las dos LayerNorm, la atención y el MLP.")
    value = as_int(answer)
    if value is None:
        return report(
            False, "", f"se esperaba un número entero y finito, y llegó {type(answer).__name__} ({answer!r})."
        )
    parts = {name: count_parameters(getattr(block, name)) for name in ("norm1", "attn", "norm2", "mlp")}
    if value == expected:
        detail = " + ".join(f"{name} {thousands(n)}" for name, n in parts.items())
        return report(True, f"por piezas: {detail} = {thousands(expected)}.", "")
    hints = {
        expected - parts["norm1"] - parts["norm2"]: "te faltan las dos LayerNorm: cada una tiene γ y β.",
        expected
        - parts["norm1"] // 2
        - parts["norm2"] // 2: "cada LayerNorm tiene dos vectores de D parámetros (γ y β).",
        expected - (3 * dim + dim + mlp_dim + dim): "te faltan los sesgos de las capas lineales (uno por cada salida).",
        parts["attn"]: "falta alguna pieza: el bloque tiene norm1, attn, norm2 y mlp (fc1 y fc2).",
        parts["mlp"]: "falta alguna pieza: el bloque tiene norm1, attn, norm2 y mlp (fc1 y fc2).",
    }
    return report(
        False,
        "",
        hints.get(
            value,
            "cuenta por piezas: cada capa lineal de a entradas y b salidas tiene a·b pesos y b sesgos; "
            "`qkv` va de D a 3D, `proj` de D a D, `fc1` de D a mlp_dim y `fc2` de vuelta a D.",
        ),
    )


def _uses_forbidden_name(fn) -> str | None:
    """Si ``fn`` llama por un nombre propio (``from torch.nn.functional import layer_norm``) a una función
    prohibida, el nombre; si no, ``None``. ``forbid`` no ve esos nombres porque no pasan por el módulo."""
    import torch.nn.functional as F

    banned = {id(F.layer_norm), id(torch.layer_norm), id(nn.LayerNorm)}
    code, env = getattr(fn, "__code__", None), getattr(fn, "__globals__", {})
    for name in getattr(code, "co_names", ()):
        if id(env.get(name)) in banned:
            return name
    return None


def check_layer_norm(fn):
    """Ejercicio 03.2: ``fn(x, weight, bias, eps)`` normaliza la última dimensión de un tensor de cualquier forma.

    Se prueba con tensores de 2, 3 y 4 ejes, dos valores de D y dos de ε, sin dejar usar ``F.layer_norm`` ni
    ``nn.LayerNorm``.
    """
    import torch.nn.functional as F

    if not callable(fn):
        return report(False, "", call_student(fn)[1])
    banned = _uses_forbidden_name(fn)
    if banned:
        return report(False, "", f"usas `{banned}`, que este ejercicio prohíbe: escribe la media y la varianza a mano.")
    g = torch.Generator().manual_seed(0)
    cases = []
    for shape, eps in [((4, 10, 16), 1e-5), ((6, 24), 1e-5), ((2, 3, 5, 16), 1e-5), ((3, 7, 16), 0.5)]:
        d = shape[-1]
        x = 3 * torch.randn(shape, generator=g) + 1
        cases.append((x, torch.rand(d, generator=g) + 0.5, torch.randn(d, generator=g), eps))
    for i, (x, weight, bias, eps) in enumerate(cases):
        expected = F.layer_norm(x, (x.shape[-1],), weight, bias, eps)
        with forbid(*LAYER_NORM_FUNCTIONS, hint="Escribe la media y la varianza a mano."):
            result, error = call_student(fn, x.clone(), weight.clone(), bias.clone(), eps)
        what = {1: "un tensor de 2 ejes (6, 24)", 2: "un tensor de 4 ejes", 3: "otro ε (eps=0.5)"}.get(i)
        if error:
            return report(False, "", f"con {what}, {error}" if what and "prohíbe" not in error else error)
        ok, reason = close(result, expected, atol=1e-4)
        if ok:
            continue
        if i == 0:
            hint = _layer_norm_hint(result, x, weight, bias, eps)
            return report(False, "", hint or reason)
        return report(
            False,
            "",
            f"con el tensor de la prueba principal funciona, pero no con {what}: {reason} "
            "Normaliza siempre la última dimensión (dim=-1) y usa el eps que recibes.",
        )
    return report(True, "tu LayerNorm coincide con nn.LayerNorm: media y varianza por token, y después γ y β.", "")


def _layer_norm_hint(result, x, weight, bias, eps) -> str | None:
    """Una pista para los errores más comunes de LayerNorm, o ``None``."""
    import torch.nn.functional as F

    if not isinstance(result, torch.Tensor) or result.shape != x.shape or not torch.isfinite(result).all():
        return None
    result = result.detach().cpu().float()
    mu = x.mean(-1, keepdim=True)
    candidates = [
        (
            (x - mu) / torch.sqrt(x.var(-1, keepdim=True) + eps) * weight + bias,
            "usas la varianza insesgada (dividir entre D − 1); LayerNorm divide entre D: unbiased=False.",
        ),
        (
            F.layer_norm(x, (x.shape[-1],), None, None, eps),
            "normalizas bien, pero falta reescalar con γ (weight) y desplazar con β (bias).",
        ),
        (
            (x - mu) / (x.std(-1, unbiased=False, keepdim=True) + eps) * weight + bias,
            "casi: ε va dentro de la raíz, √(σ² + ε).",
        ),
        (
            (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + eps) * weight + bias,
            "normalizas con la media y la varianza de todo el tensor; LayerNorm las calcula por token (dim=-1, keepdim=True).",
        ),
    ]
    for candidate, hint in candidates:
        if torch.allclose(result, candidate, atol=1e-4):
            return hint
    return None


def check_block_fix(block_class, dim: int = 32, num_heads: int = 4, mlp_dim: int = 64):
    """Ejercicio 03.3: el bloque corregido, con su propio ``forward``, da lo mismo que ``utils.vit.Block``.

    Crea ``block_class(dim, num_heads, mlp_dim)`` (y otro de otro tamaño), le copia los pesos de un ``Block``
    con LayerNorm no triviales y compara las salidas con lotes de varias formas. Llamar a ``Block.forward``
    (``super().forward``) está prohibido: el ejercicio es escribirlo.
    """
    from ..vit import Block

    if isinstance(block_class, type) and block_class is Block:
        return report(False, "", "esa es la clase `Block` de utils: escribe tu propia subclase con su `forward`.")
    problem = defines_own(block_class, "forward")
    if problem:
        return report(False, "", problem + " Escribe el `forward` corregido en tu clase.")
    if vars(block_class)["forward"] is Block.forward:
        return report(False, "", "tu `forward` es el de `Block` copiado tal cual: escribe las dos líneas residuales.")
    if not issubclass(block_class, nn.Module):
        return report(False, "", f"`{block_class.__name__}` no es un nn.Module: hereda de utils.vit.Block.")
    for d, heads, m, shapes in [(dim, num_heads, mlp_dim, [(3, 7), (1, 1)]), (48, 3, 96, [(2, 5)])]:
        with torch.random.fork_rng():  # el corrector no cambia el generador aleatorio del cuaderno
            torch.manual_seed(0)
            reference = Block(d, heads, m).eval()
            with torch.no_grad():
                for norm in (reference.norm1, reference.norm2):  # γ y β no triviales, para que se noten
                    norm.weight.uniform_(0.5, 1.5)
                    norm.bias.normal_(0, 0.5)
            inputs = [2 * torch.randn(b, n, d) + 0.5 for b, n in shapes]
            try:
                student = block_class(d, heads, m)
            except Exception as exc:
                return report(
                    False,
                    "",
                    f"no pude crear tu bloque con {block_class.__name__}({d}, {heads}, {m}): {type(exc).__name__}: "
                    f"{exc}. Hereda de utils.vit.Block para tener el mismo constructor.",
                )
        try:
            student.load_state_dict(reference.state_dict())
        except Exception:
            return report(
                False,
                "",
                "tu bloque no tiene los mismos submódulos que utils.vit.Block (norm1, attn, norm2, mlp): "
                "hereda de Block y cambia solo forward.",
            )
        student.eval()
        for x in inputs:
            with torch.no_grad():
                expected = reference(x)
                with forbid("utils.vit.Block.forward", hint="Escribe las dos líneas residuales tú mismo."):
                    out, error = call_student(student, x.clone())
            if error:
                return report(False, "", error)
            ok, reason = close(out, expected, atol=1e-5)
            if not ok:
                return report(
                    False,
                    "",
                    _block_hint(out, x, reference) or f"la salida no coincide con la de utils.vit.Block: {reason}",
                )
    return report(
        True,
        "tu bloque da lo mismo que utils.vit.Block: cada subcapa ve la entrada normalizada y la conexión "
        "residual suma la entrada sin normalizar.",
        "",
    )


def _block_hint(out, x, ref) -> str | None:
    """Una pista si la salida es la de un error conocido, o ``None``."""
    if not isinstance(out, torch.Tensor) or out.shape != x.shape or not torch.isfinite(out).all():
        return None
    out = out.detach().float()
    with torch.no_grad():
        xn = ref.norm1(x)
        h = x + ref.attn(ref.norm1(x))
        known = [
            (
                xn + ref.mlp(ref.norm2(xn + ref.attn(xn))),
                "es el mismo resultado que el bloque con errores: busca los dos fallos (qué se normaliza y qué se suma al final).",
            ),
            (
                xn + ref.attn(xn) + ref.mlp(ref.norm2(xn + ref.attn(xn))),
                "la suma de la atención ya está bien, pero la conexión residual sigue partiendo de norm1(x): la LayerNorm va solo dentro de la rama.",
            ),
            (
                x + ref.mlp(ref.norm2(h)),
                "la entrada ya no se normaliza, pero al final se pierde la salida de la atención: el MLP se suma a lo que salió de la primera línea.",
            ),
        ]
    for candidate, hint in known:
        if torch.allclose(out, candidate, atol=1e-5):
            return hint
    return None


@functools.lru_cache(maxsize=8)
def measure_last_block_grads(init: str = "vit", depth: int = 12, seed: int = 0) -> dict[str, float]:
    """Norma del gradiente del último bloque, en pre-norm y en post-norm, con 256 imágenes reales.

    Se mide una vez y se recuerda: el corrector no repite la medida en cada intento.
    """
    from ..block_variants import PostNormBlock, block_grad_norms, make_vit
    from ..data import subset, to_float
    from ..vit import Block

    data = fashion()
    images, labels = subset(data.train_images, data.train_labels, 256, seed=0)
    images = to_float(images)
    out = {}
    for name, cls in [("pre-norm", Block), ("post-norm", PostNormBlock)]:
        model = make_vit(cls, seed=seed, init=init, depth=depth, **GRAD_NORM_CONFIG)
        out[name] = float(block_grad_norms(model, images, labels)[-1])
    return dict(out)


def check_init_prediction(prediction):
    """Ejercicio 03.4: con la inicialización del ViT, ¿el gradiente del último bloque de post-norm es mayor,
    parecido o menor que el de pre-norm? El corrector lo mide (no se fía de nada escrito a mano)."""
    if not isinstance(prediction, str) or prediction.strip().lower() not in PREDICTIONS:
        got = "None" if prediction is None else repr(prediction)
        return report(False, "", f"escribe tu predicción como uno de {', '.join(map(repr, PREDICTIONS))}; llegó {got}.")
    try:
        g = measure_last_block_grads(init="vit")
    except Exception as exc:  # el corrector nunca deja una traza al estudiante
        return report(False, "", f"no pude hacer la medida ({type(exc).__name__}: {exc}).")
    ratio = g["post-norm"] / g["pre-norm"]
    shown = comma(float(f"{ratio:.2g}"))  # dos cifras significativas, con coma decimal
    truth = "mayor" if ratio > 1.5 else "menor" if ratio < 1 / 1.5 else "parecida"
    if prediction.strip().lower() == truth:
        return report(
            True,
            f"con init='vit', el último bloque de post-norm recibe {shown} veces el gradiente del de pre-norm "
            f"({comma(g['post-norm'], 3)} frente a {comma(g['pre-norm'], 3)}).",
            "",
        )
    return report(
        False,
        "",
        "la medida dice otra cosa. Ejecuta la medida con init='vit' y piensa en la escala del token CLS cuando "
        "llega a la LayerNorm final en cada variante.",
    )


def check_post_norm_layer(layer):
    """Ejercicio 03b.1: un ``nn.TransformerEncoderLayer`` que hace lo mismo que ``PostNormBlock(64, 4, 128)``."""
    from ..block_variants import PostNormBlock

    if not isinstance(layer, nn.TransformerEncoderLayer):
        got = "None" if layer is None else type(layer).__name__
        return report(False, "", f"se esperaba una capa nn.TransformerEncoderLayer (ya creada) y llegó {got}.")
    with torch.random.fork_rng():
        torch.manual_seed(0)
        block = PostNormBlock(64, 4, 128).eval()
        with torch.no_grad():
            for norm in (block.norm1, block.norm2):
                norm.weight.uniform_(0.5, 1.5)
                norm.bias.normal_(0, 0.5)
        x = torch.randn(3, 9, 64)
    try:
        with torch.no_grad():
            a = layer.self_attn
            a.in_proj_weight.copy_(block.attn.qkv.weight)
            a.in_proj_bias.copy_(block.attn.qkv.bias)
            a.out_proj.load_state_dict(block.attn.proj.state_dict())
            layer.linear1.load_state_dict(block.mlp.fc1.state_dict())
            layer.linear2.load_state_dict(block.mlp.fc2.state_dict())
            layer.norm1.load_state_dict(block.norm1.state_dict())
            layer.norm2.load_state_dict(block.norm2.state_dict())
    except Exception:
        return report(False, "", "tu capa no tiene los tamaños del bloque: d_model=64, nhead=4 y dim_feedforward=128.")
    layer.eval()
    with torch.no_grad():
        expected = block(x)
        out, error = call_student(layer, x.clone())
        if not error and isinstance(out, torch.Tensor) and out.shape != x.shape:
            error = "la salida tiene otra forma: ¿el lote va en la primera dimensión (batch_first)?"
    if error:
        return report(False, "", error)
    ok, reason = close(out, expected, atol=1e-4)
    if not ok and getattr(layer, "norm_first", False):
        reason = "tu capa es pre-norm: mira qué argumento decide dónde va la LayerNorm."
    elif not ok and isinstance(out, torch.Tensor) and torch.isfinite(out).all():
        reason = "la salida no coincide: revisa la activación, el dropout y batch_first."
    return report(ok, "tu capa hace lo mismo que PostNormBlock con los mismos pesos.", reason)
