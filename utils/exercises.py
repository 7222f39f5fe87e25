"""Correctores automáticos de los ejercicios, con mensajes en español.

Cada corrector recibe la respuesta del estudiante, la compara con la solución y devuelve
``True`` o ``False`` tras imprimir una explicación. Nunca lanza una excepción por una respuesta
equivocada: la explica.
"""

from __future__ import annotations

import torch


def report(ok: bool, success: str, failure: str) -> bool:
    """Imprime el resultado de una comprobación con un símbolo y devuelve ``ok``."""
    text = success if ok else failure
    text = text[:1].upper() + text[1:]  # los motivos pueden llegar en minúscula
    print(("✅ ¡Correcto! " if ok else "❌ Todavía no. ") + text)
    return ok


def close(answer, expected: torch.Tensor, atol: float = 1e-5) -> tuple[bool, str]:
    """Compara un tensor del estudiante con el esperado; devuelve (ok, motivo si falla)."""
    if not isinstance(answer, torch.Tensor):
        return False, f"se esperaba un tensor y llegó {type(answer).__name__}."
    if answer.shape != expected.shape:
        return False, f"la forma es {tuple(answer.shape)} y debería ser {tuple(expected.shape)}."
    err = (answer.detach().float() - expected.float()).abs().max().item()
    if err > atol:
        return False, f"la forma es correcta pero los valores difieren (error máximo {err:.2e})."
    return True, ""


# --- Cuaderno 00: introducción y datos ---------------------------------------------------------

_DATA_CACHE: dict = {}


def _fashion():
    """Fashion-MNIST real, cargado una sola vez y compartido por los correctores."""
    if "data" not in _DATA_CACHE:
        from .data import load_fashion_mnist

        _DATA_CACHE["data"] = load_fashion_mnist()
    return _DATA_CACHE["data"]


def _scalar(answer):
    """El número real que hay en ``answer`` (de Python, NumPy o un tensor de un elemento), o ``None``."""
    import numbers

    if isinstance(answer, bool):
        return None
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return None
        answer = answer.item()
    return answer if isinstance(answer, numbers.Real) else None


def _as_int(answer) -> int | None:
    """Convierte un número entero en ``int``; 196.0 (de una división con /) vale como 196. Si no, ``None``."""
    x = _scalar(answer)
    return int(x) if x is not None and float(x).is_integer() else None


def _as_float(answer) -> float | None:
    """Convierte un número en ``float``; si no lo es, ``None``."""
    x = _scalar(answer)
    return None if x is None else float(x)


def _class_index(answer, classes) -> int | None:
    """Acepta el índice de una clase (0-9) o su nombre en español; devuelve el índice o ``None``."""
    if isinstance(answer, str):
        name = answer.strip().lower()
        return classes.index(name) if name in classes else None
    value = _as_int(answer)
    return value if value is not None and 0 <= value < len(classes) else None


def check_class_count(answer, class_name: str = "bolso", first: int = 1000) -> bool:
    """Ejercicio 00.1: cuántas imágenes de ``class_name`` hay entre las ``first`` primeras de prueba."""
    data = _fashion()
    c = data.classes.index(class_name)
    expected = int((data.test_labels[:first] == c).sum())
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta. Cuenta con (etiquetas == clase).sum().")
    value = _as_int(answer)
    if value is None:
        return report(
            False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}. Usa int(...) o .item()."
        )
    if value == expected:
        return report(True, f"Hay {expected} imágenes de «{class_name}» entre las {first} primeras de prueba.", "")
    if value == int((data.train_labels[:first] == c).sum()):
        return report(False, "", "Ese es el recuento en el conjunto de entrenamiento; el ejercicio pide el de prueba.")
    if value in (int((data.test_labels == c).sum()), int((data.train_labels == c).sum())):
        return report(
            False, "", f"Ese es el total de la clase; cuenta solo entre las {first} primeras imágenes ([:{first}])."
        )
    if value == first:
        return report(False, "", "Has contado todas las imágenes; compara las etiquetas con el índice de la clase.")
    return report(
        False,
        "",
        f"Hay {'más' if value < expected else 'menos'} de {value}. "
        f"Comprueba el índice de «{class_name}» con CLASSES.index('{class_name}').",
    )


def check_mean_image(answer, class_name: str = "sandalia") -> bool:
    """Ejercicio 00.2: la imagen media (28, 28), con píxeles en [0, 1], de una clase en el entrenamiento."""
    data = _fashion()
    c = data.classes.index(class_name)
    train = data.train_images[data.train_labels == c].float()
    expected = train.mean(0) / 255.0
    if answer is None:
        return report(
            False,
            "",
            "Sustituye el None por tu respuesta. Selecciona las imágenes de la clase y promedia con .mean(0).",
        )
    if not isinstance(answer, torch.Tensor):
        try:
            answer = torch.as_tensor(answer)
        except Exception:
            return report(False, "", f"Se esperaba un tensor (28, 28) y llegó {type(answer).__name__}.")
    answer = answer.detach().cpu().float()
    if answer.shape != expected.shape and answer.numel() == expected.numel():
        return report(
            False, "", f"La forma es {tuple(answer.shape)}; quita los ejes sobrantes con .squeeze() o .reshape(28, 28)."
        )
    if answer.shape == expected.shape:
        if torch.allclose(answer, expected * 255.0, atol=1e-2):
            return report(False, "", "Los valores están en la escala 0-255; divide entre 255 para llevarlos a [0, 1].")
        test_mean = data.test_images[data.test_labels == c].float().mean(0) / 255.0
        if torch.allclose(answer, test_mean, atol=1e-4):
            return report(
                False, "", "Esa es la imagen media del conjunto de prueba; el ejercicio pide la de entrenamiento."
            )
        if torch.allclose(answer, data.train_images.float().mean(0) / 255.0, atol=1e-4):
            return report(False, "", "Has promediado todas las clases; quédate antes solo con las de la clase pedida.")
    ok, reason = close(answer, expected, atol=1e-4)
    reason = reason[:1].upper() + reason[1:]
    return report(ok, f"Esa es la imagen media de «{class_name}» (promedio de {len(train)} imágenes).", reason)


def check_brightest_class(answer) -> bool:
    """Ejercicio 00.3: la clase (índice o nombre) con mayor brillo medio en el conjunto de entrenamiento."""
    data = _fashion()
    x = data.train_images.float().mean(dim=(1, 2))
    brightness = torch.stack([x[data.train_labels == c].mean() for c in range(len(data.classes))])
    expected = int(brightness.argmax())
    if answer is None:
        return report(
            False, "", "Sustituye el None por tu respuesta. Calcula el brillo medio de cada clase y usa argmax."
        )
    idx = _class_index(answer, data.classes)
    if idx is None:
        return report(False, "", f"No reconozco {answer!r} como clase: da un índice de 0 a 9 o un nombre de CLASSES.")
    if idx == expected:
        return report(True, f"La clase más brillante es «{data.classes[expected]}» ({expected}).", "")
    if idx == int(brightness.argmin()):
        return report(False, "", "Esa es la clase más oscura: buscas el máximo (argmax), no el mínimo.")
    rank = int((brightness > brightness[idx]).sum()) + 1
    return report(False, "", f"«{data.classes[idx]}» es la {rank}.ª más brillante de 10; busca la primera.")


# --- Cuaderno 01: parches y embedding ---------------------------------------------------------


def check_patch_count(answer, img_size: int = 224, patch_size: int = 16) -> bool:
    """Ejercicio 01.1: número de parches de una imagen ``img_size``×``img_size`` con parches de ``patch_size``."""
    g = img_size // patch_size
    expected = g * g
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta. Cuenta los parches por lado y eleva al cuadrado.")
    value = _as_int(answer)
    if value is None:
        return report(False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}.")
    if value == expected:
        return report(True, f"{g}×{g} = {expected} parches, es decir, {expected} tokens para el Transformer.", "")
    if value == g:
        return report(False, "", f"{g} son los parches por lado; la imagen tiene parches en las dos direcciones.")
    if value == patch_size * patch_size:
        return report(False, "", "Ese es el número de píxeles de cada parche, no el número de parches.")
    if value == expected + 1:
        return report(False, "", "¿Has sumado el token CLS? La pregunta es solo por los parches.")
    return report(
        False, "", f"Divide el lado de la imagen ({img_size}) entre el del parche ({patch_size}) y eleva al cuadrado."
    )


def check_patch_index(answer, row: int = 13, col: int = 22, patch_size: int = 4, img_size: int = 28) -> bool:
    """Ejercicio 01.2: índice (en orden de lectura, desde 0) del parche que contiene el píxel (row, col)."""
    g = img_size // patch_size
    i, j = row // patch_size, col // patch_size
    expected = i * g + j
    if answer is None:
        return report(
            False, "", "Sustituye el None por tu respuesta. Halla la fila y la columna del parche y combínalas."
        )
    if isinstance(answer, (tuple, list)) and len(answer) == 2:
        return report(False, "", f"Da un solo número: con la fila y columna del parche (i, j), el índice es i·{g} + j.")
    value = _as_int(answer)
    if value is None:
        return report(False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}.")
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
    if value == expected + 1:
        return report(False, "", "Los índices empiezan en 0: el parche de arriba a la izquierda es el 0.")
    if value == row * img_size + col:
        return report(
            False,
            "",
            "Ese es el índice del píxel, no el del parche: divide primero fila y columna entre el tamaño del parche.",
        )
    return report(
        False,
        "",
        f"La fila del parche es fila // {patch_size} y la columna, columna // {patch_size}; "
        f"el índice es fila_parche · {g} + columna_parche.",
    )


def check_patchify(fn, patch_sizes: tuple[int, ...] = (4, 7)) -> bool:
    """Ejercicio 01.3: compara ``fn(images, p)`` con :func:`utils.patches.patchify` en un lote real."""
    from .data import to_float
    from .patches import patchify

    if fn is None or not callable(fn):
        got = "None" if fn is None else type(fn).__name__
        return report(False, "", f"Pasa tu función sin llamarla, por ejemplo check_patchify(mi_patchify); llegó {got}.")
    images = to_float(_fashion().test_images[:8])  # (8, 1, 28, 28): un lote real
    for p in patch_sizes:
        expected = patchify(images, p)
        B, N, P = expected.shape
        g = 28 // p
        try:
            out = fn(images.clone(), p)
        except Exception as exc:  # el estudiante debe ver su error, no una traza del corrector
            return report(False, "", f"Con p={p} tu función lanzó {type(exc).__name__}: {exc}")
        if out is None:
            return report(False, "", "Tu función devuelve None: ¿falta el return?")
        if not isinstance(out, torch.Tensor):
            return report(False, "", f"Tu función debe devolver un tensor y devuelve {type(out).__name__}.")
        out = out.detach().cpu().float()
        if out.shape != expected.shape:
            hint = ""
            if tuple(out.shape) == (B, P, N):
                hint = " Parece que tienes los dos últimos ejes cambiados."
            elif out.numel() == expected.numel():
                hint = " Tiene los valores justos: revisa el reshape final."
            return report(
                False,
                "",
                f"Con p={p} la forma es {tuple(out.shape)} y debería ser (B, N, C·p·p) = "
                f"{tuple(expected.shape)}.{hint}",
            )
        if torch.equal(out, expected):
            continue
        transposed_grid = expected.reshape(B, g, g, P).transpose(1, 2).reshape(B, N, P)
        transposed_inner = expected.reshape(B, N, p, p).transpose(-1, -2).reshape(B, N, P)
        if torch.equal(out, transposed_grid):
            why = "los parches salen por columnas; el orden de lectura recorre la cuadrícula fila a fila."
        elif torch.equal(out, transposed_inner):
            why = "dentro de cada parche los píxeles van por columnas; deben ir fila a fila, como en la imagen."
        elif torch.equal(out.flatten(1).sort(dim=1).values, expected.flatten(1).sort(dim=1).values):
            why = (
                "los valores son los correctos pero el orden no: corta filas y columnas en bloques "
                "(reshape o unfold) y reordena los ejes con permute antes de aplanar."
            )
        else:
            ok, reason = close(out, expected, atol=1e-5)
            if ok:
                continue
            why = "los valores no son los píxeles de la imagen: " + reason
        return report(False, "", f"Con p={p} la forma es correcta, pero {why}")
    sizes = ", ".join(str(p) for p in patch_sizes)
    return report(True, f"Tu función coincide con utils.patches.patchify en un lote real (p = {sizes}).", "")


# --- Cuaderno 02: atención ---------------------------------------------------------------------


def _as_shape(answer) -> tuple[int, ...] | None:
    """Convierte una forma (tupla, lista o ``torch.Size`` de enteros) en tupla; si no lo es, ``None``."""
    if not isinstance(answer, (tuple, list, torch.Size)):
        return None
    values = [_as_int(a) for a in answer]
    return None if any(v is None for v in values) else tuple(values)


def _call_student(fn, *args):
    """Llama a la función del estudiante; devuelve ``(resultado, None)`` o ``(None, mensaje de error)``."""
    if fn is None or not callable(fn):
        got = "None" if fn is None else type(fn).__name__
        return None, f"Pasa tu función sin llamarla (sin paréntesis); llegó {got}."
    try:
        return fn(*args), None
    except NotImplementedError:
        return None, "Aún no has escrito la función: sustituye el raise NotImplementedError por tu código."
    except Exception as exc:  # el estudiante ve el error explicado, no una traza
        return None, f"Tu función lanzó {type(exc).__name__}: {exc}"


# Formas del ejercicio 02.1: consultas (B, H, N, d), claves (B, H, M, d) y valores (B, H, M, d_v).
ATTENTION_SHAPES = {"q": (2, 4, 10, 16), "k": (2, 4, 7, 16), "v": (2, 4, 7, 32)}


def check_attention_shapes(output_shape, weights_shape=None) -> bool:
    """Ejercicio 02.1: formas de la salida y de los pesos de la atención para ``ATTENTION_SHAPES``."""
    from .attention import scaled_dot_product_attention

    q, k, v = (torch.zeros(s) for s in ATTENTION_SHAPES.values())
    out, weights = scaled_dot_product_attention(q, k, v)
    expected_out, expected_w = tuple(out.shape), tuple(weights.shape)
    if output_shape is None or weights_shape is None:
        return report(
            False,
            "",
            "Sustituye los None por dos tuplas, por ejemplo (2, 3, 4, 5): la forma de la salida y la de los pesos.",
        )
    got_out, got_w = _as_shape(output_shape), _as_shape(weights_shape)
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
        result, error = _call_student(fn, x.clone())
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
    from .attention import scaled_dot_product_attention

    g = torch.Generator().manual_seed(0)
    q = torch.randn(2, 3, 5, 8, generator=g)
    k = torch.randn(2, 3, 6, 8, generator=g)
    v = torch.randn(2, 3, 6, 4, generator=g)
    mask = torch.ones(5, 6, dtype=torch.bool).tril(diagonal=1)  # cada consulta ve al menos dos claves
    for with_mask in (False, True):
        args = (q, k, v, mask) if with_mask else (q, k, v)
        result, error = _call_student(fn, *args)
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
    from .attention import MultiHeadAttention
    from .vit import count_parameters

    with torch.random.fork_rng():
        expected = count_parameters(MultiHeadAttention(dim, num_heads))
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta: suma los pesos y sesgos de qkv y de proj.")
    value = _as_int(answer)
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


# --- Cuaderno 03: el bloque Transformer --------------------------------------------------------


# Tamaños del ejercicio 03.1: un bloque del ViT del curso.
BLOCK_SIZES = {"dim": 64, "num_heads": 4, "mlp_dim": 128}


def check_block_params(answer, dim: int = 64, num_heads: int = 4, mlp_dim: int = 128) -> bool:
    """Ejercicio 03.1: número de parámetros de ``Block(dim, num_heads, mlp_dim)``."""
    from .vit import Block, count_parameters

    with torch.random.fork_rng():
        block = Block(dim, num_heads, mlp_dim)
    expected = count_parameters(block)
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta: suma las dos LayerNorm, la atención y el MLP.")
    value = _as_int(answer)
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
    result, error = _call_student(fn, x.clone(), weight, bias, eps)
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

    from .vit import Block

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


# --- Cuaderno 04: el ViT completo --------------------------------------------------------------

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
    from .vit import ViT, count_parameters

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
    value = _as_int(answer)
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
    value = _as_int(answer)
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
    count = _as_int(answer[0])
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
    from .data import to_float
    from .vit import ViT, ViTConfig

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
    images = to_float(_fashion().test_images[:16])  # (16, 1, 28, 28): un lote real
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


# --- Cuaderno 05: entrenamiento ----------------------------------------------------------------

# Datos del ejercicio de la tasa de aprendizaje (el cuaderno 05 los repite en el enunciado).
LR_EXERCISE = {"base_lr": 2e-3, "total_steps": 4680, "warmup_steps": 468, "step": 1000}


def check_lr_at_step(answer) -> bool:
    """Ejercicio 05-1: la tasa de aprendizaje en el paso 1000 con calentamiento y coseno (ver ``LR_EXERCISE``)."""
    import math

    from .train import warmup_cosine

    e = LR_EXERCISE
    factor = warmup_cosine(e["step"], e["total_steps"], e["warmup_steps"])
    expected = e["base_lr"] * factor
    value = _as_float(answer)
    if value is None:
        return report(False, "", "Escribe un número: la tasa de aprendizaje en el paso 1000 (algo como 0.00195).")
    if math.isclose(value, expected, rel_tol=1e-4):
        return report(
            True, f"En el paso {e['step']} la tasa de aprendizaje es {expected:.6f} ({factor:.1%} de la tasa base).", ""
        )
    if math.isclose(value, factor, rel_tol=1e-4):
        hint = "eso es el factor de warmup_cosine; multiplícalo por la tasa base (2e-3)."
    elif math.isclose(value, e["base_lr"], rel_tol=1e-4):
        hint = "esa es la tasa base; en el paso 1000 el coseno ya ha empezado a bajarla."
    else:
        progress = (e["step"] - e["warmup_steps"]) / (e["total_steps"] - e["warmup_steps"])
        no_min = e["base_lr"] * 0.5 * (1 + math.cos(math.pi * progress))
        if math.isclose(value, no_min, rel_tol=1e-4):
            hint = "casi: el coseno no baja hasta 0 sino hasta min_factor = 0.01 de la tasa base."
        else:
            hint = (
                "el progreso del coseno se cuenta desde el final del calentamiento: "
                "(paso − calentamiento) / (total − calentamiento)."
            )
    return report(False, "", f"Tu valor es {value:.6g}; {hint}")


def check_accuracy_from_logits(answer, logits: torch.Tensor, labels: torch.Tensor) -> bool:
    """Ejercicio 05-2: la exactitud (fracción entre 0 y 1) a partir de los logits y las etiquetas."""
    import math

    expected = (logits.argmax(1) == labels).float().mean().item()
    value = _as_float(answer)
    if value is None:
        return report(False, "", "Escribe un número entre 0 y 1 (por ejemplo con .item()).")
    if math.isclose(value, expected, abs_tol=1e-6):
        return report(True, f"La exactitud es {expected:.2%}.", "")
    if math.isclose(value, 100 * expected, abs_tol=1e-4):
        return report(False, "", "Eso es un porcentaje: la exactitud se da como fracción entre 0 y 1.")
    if math.isclose(value, (logits.argmax(1) == labels).sum().item(), abs_tol=1e-6):
        return report(False, "", "Eso es el número de aciertos; divide entre el número de ejemplos.")
    wrong_dim = (logits.argmax(0)[: len(labels)] == labels[: len(logits.argmax(0))]).float().mean().item()
    hint = (
        " ¿Tomaste argmax sobre la dimensión 0? Las clases están en la dimensión 1."
        if math.isclose(value, wrong_dim, abs_tol=1e-6)
        else " La clase predicha es el argmax de los logits en la dimensión 1."
    )
    return report(False, "", f"Tu valor es {value:.4f}.{hint}")


def check_most_confused_pair(answer, cm: torch.Tensor, classes=None) -> bool:
    """Ejercicio 05-3: la pareja (clase verdadera, clase predicha) más confundida de la matriz ``cm``."""
    from .data import CLASSES

    classes = list(classes or CLASSES)
    cm = torch.as_tensor(cm).clone()
    off = cm.clone()
    off.fill_diagonal_(-1)
    k = int(off.argmax())
    true, pred = divmod(k, off.shape[1])
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return report(False, "", "Escribe una tupla (clase verdadera, clase predicha), con índices o nombres.")
    try:
        got = tuple(classes.index(a) if isinstance(a, str) else int(a) for a in answer)
    except (ValueError, TypeError):
        return report(False, "", f"No reconozco {answer!r}: usa índices 0-9 o nombres de {classes}.")
    if got == (true, pred):
        return report(
            True,
            f"La confusión más frecuente: {int(cm[true, pred])} imágenes de «{classes[true]}» "
            f"clasificadas como «{classes[pred]}».",
            "",
        )
    if got == (pred, true):
        return report(
            False, "", "Has dado la pareja al revés: las filas son la clase verdadera y las columnas la predicha."
        )
    if got[0] == got[1]:
        return report(False, "", "Esa celda está en la diagonal (aciertos); busca fuera de la diagonal.")
    return report(
        False,
        "",
        "Pon la diagonal a un valor pequeño (fill_diagonal_) y busca el máximo con argmax; "
        "divmod(índice, 10) da (fila, columna).",
    )


def check_beats_quick_recipe(test_acc, seconds, baseline_acc, budget_s: float = 300) -> bool:
    """Ejercicio 05-4 (abierto): ¿tu receta supera a la rápida sin pasarse del presupuesto de tiempo?"""
    acc, sec, base = _as_float(test_acc), _as_float(seconds), _as_float(baseline_acc)
    if acc is None or sec is None or base is None:
        return report(
            False,
            "",
            "Pasa tres números: tu exactitud en prueba, los segundos de entrenamiento y la "
            "exactitud de la receta rápida.",
        )
    if acc > 1:
        return report(False, "", "Da la exactitud como fracción entre 0 y 1, no como porcentaje.")
    if sec > budget_s:
        return report(False, "", f"Tu entrenamiento tardó {sec:.0f} s y el presupuesto es de {budget_s:.0f} s.")
    if acc <= base:
        return report(
            False,
            "",
            f"{acc:.2%} no supera el {base:.2%} de la receta rápida. Prueba otra "
            "combinación (parches, ancho, épocas, tasa de aprendizaje).",
        )
    return report(True, f"{acc:.2%} en {sec:.0f} s supera el {base:.2%} de la receta rápida.", "")


# --- Cuaderno 06: qué mira el ViT --------------------------------------------------------------

# Matrices del ejercicio «rollout a mano»: dos capas de una sola cabeza con tres tokens (CLS y dos parches).
ROLLOUT_A1 = torch.tensor([[0.6, 0.2, 0.2], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
ROLLOUT_A2 = torch.tensor([[0.2, 0.4, 0.4], [0.5, 0.5, 0.0], [0.0, 0.2, 0.8]])


def check_rollout_by_hand(answer) -> bool:
    """Ejercicio: el rollout R = A2'·A1' de ``ROLLOUT_A1`` y ``ROLLOUT_A2`` con A' = 0.5·A + 0.5·I."""
    from .explain import attention_rollout

    eye = torch.eye(3)
    a1, a2 = 0.5 * ROLLOUT_A1 + 0.5 * eye, 0.5 * ROLLOUT_A2 + 0.5 * eye
    expected = attention_rollout([ROLLOUT_A1[None, None], ROLLOUT_A2[None, None]])[0]
    if answer is None:
        return report(
            False, "", "Aún no hay respuesta: calcula A' = 0.5·A + 0.5·I para cada capa y multiplica R = A2'·A1'."
        )
    if isinstance(answer, (list, tuple)):
        try:
            answer = torch.tensor(answer, dtype=torch.float32)
        except (TypeError, ValueError):
            return report(False, "", "La respuesta debe ser una matriz 3×3 (un tensor o una lista de listas).")
    ok, why = close(answer, expected, atol=1e-4)
    why = f"Revisa la matriz: {why}"
    if not ok and isinstance(answer, torch.Tensor) and answer.shape == expected.shape:
        if close(answer, a1 @ a2, atol=1e-4)[0]:
            why = "Has multiplicado en el orden contrario: la capa nueva va a la izquierda, R = A2'·A1'."
        elif close(answer, ROLLOUT_A2 @ ROLLOUT_A1, atol=1e-4)[0]:
            why = "Te falta la conexión residual: antes de multiplicar, usa A' = 0.5·A + 0.5·I en cada capa."
    return report(
        ok,
        "Cada fila de R suma 1, y la fila 0 dice cuánto llega al token CLS de cada token de entrada tras las dos capas.",
        why,
    )


def check_farthest_layer(answer, distances: torch.Tensor) -> bool:
    """Ejercicio: la capa (desde 0) con la mayor distancia media de atención, promediando sus cabezas."""
    if not isinstance(distances, torch.Tensor) or distances.ndim != 2:
        raise ValueError(
            "distances debe ser el tensor (capas, cabezas) de mean_attention_distance; "
            "calcúlalo en la sección 5 y pásalo tal cual."
        )
    per_layer = distances.float().mean(dim=1)
    expected, nearest = int(per_layer.argmax()), int(per_layer.argmin())
    value = _as_float(answer)
    if value is None or value != int(value):
        return report(False, "", "La respuesta debe ser el número entero de una capa (la primera es la 0).")
    value = int(value)
    why = f"La capa {value} no es la de mayor distancia media. Promedia las cabezas de cada capa y busca el máximo."
    if value == expected + 1:
        why = "Casi: las capas se numeran desde 0 (como el argumento layer de utils.explain)."
    elif value == nearest and nearest != expected:
        why = f"La capa {value} es la de menor distancia media, no la de mayor."
    return report(
        value == expected,
        f"En la capa {expected} las cabezas miran, de media, más lejos: {per_layer[expected]:.1f} píxeles.",
        why,
    )


def check_uniform_distance(answer, grid_size: int = 14, patch_size: int = 2) -> bool:
    """Ejercicio: distancia media de una atención uniforme en una cuadrícula de 14×14 parches de 2×2 píxeles."""
    from .explain import patch_distances

    d = patch_distances(grid_size, patch_size)
    n = d.shape[0]
    expected = d.mean().item()
    value = _as_float(answer)
    if value is None:
        return report(False, "", "La respuesta debe ser un número (la distancia en píxeles).")
    ok = abs(value - expected) < 1e-3 * max(1.0, expected)
    why = "Repasa la cuenta: con atención uniforme cada parche mira a todos por igual, así que la distancia es la media de las distancias entre todos los pares de parches."
    if abs(value - d.sum().item() / (n * (n - 1))) < 1e-3 * expected:
        why = "Has dejado fuera la distancia de cada parche a sí mismo (0): la atención uniforme también mira al propio parche."
    elif abs(value * patch_size - expected) < 1e-3 * expected:
        why = "La has medido en parches; multiplica por el tamaño del parche para tenerla en píxeles."
    return report(
        ok,
        f"Con atención uniforme la distancia media es {expected:.2f} píxeles: el «campo receptivo» de una cabeza global.",
        why,
    )
