"""Correctores automáticos de los ejercicios, con mensajes en español.

Cada corrector recibe la respuesta del estudiante, la compara con la solución y devuelve
``True`` o ``False`` tras imprimir una explicación. Nunca lanza una excepción por una respuesta
equivocada: la explica.
"""

from __future__ import annotations

import torch


def report(ok: bool, success: str, failure: str) -> bool:
    """Imprime el resultado de una comprobación con un símbolo y devuelve ``ok``."""
    print(("✅ ¡Correcto! " + success) if ok else ("❌ Todavía no. " + failure))
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


def _as_int(answer):
    """Convierte un número entero (de Python, NumPy o un tensor de un elemento) en ``int``; si no, ``None``."""
    import numbers

    if isinstance(answer, bool):
        return None
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            return None
        answer = answer.item()
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if isinstance(answer, numbers.Real) and float(answer).is_integer():
        return int(answer)  # 196.0 (de una división con /) vale como 196
    return None


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
        return report(False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}. Usa int(...) o .item().")
    if value == expected:
        return report(True, f"Hay {expected} imágenes de «{class_name}» entre las {first} primeras de prueba.", "")
    if value == int((data.train_labels[:first] == c).sum()):
        return report(False, "", "Ese es el recuento en el conjunto de entrenamiento; el ejercicio pide el de prueba.")
    if value in (int((data.test_labels == c).sum()), int((data.train_labels == c).sum())):
        return report(False, "", f"Ese es el total de la clase; cuenta solo entre las {first} primeras imágenes ([:{first}]).")
    if value == first:
        return report(False, "", "Has contado todas las imágenes; compara las etiquetas con el índice de la clase.")
    return report(False, "", f"Hay {'más' if value < expected else 'menos'} de {value}. "
                  f"Comprueba el índice de «{class_name}» con CLASSES.index('{class_name}').")


def check_mean_image(answer, class_name: str = "sandalia") -> bool:
    """Ejercicio 00.2: la imagen media (28, 28), con píxeles en [0, 1], de una clase en el entrenamiento."""
    data = _fashion()
    c = data.classes.index(class_name)
    train = data.train_images[data.train_labels == c].float()
    expected = train.mean(0) / 255.0
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta. Selecciona las imágenes de la clase y promedia con .mean(0).")
    if not isinstance(answer, torch.Tensor):
        try:
            answer = torch.as_tensor(answer)
        except Exception:
            return report(False, "", f"Se esperaba un tensor (28, 28) y llegó {type(answer).__name__}.")
    answer = answer.detach().cpu().float()
    if answer.shape != expected.shape and answer.numel() == expected.numel():
        return report(False, "", f"La forma es {tuple(answer.shape)}; quita los ejes sobrantes con .squeeze() o .reshape(28, 28).")
    if answer.shape == expected.shape:
        if torch.allclose(answer, expected * 255.0, atol=1e-2):
            return report(False, "", "Los valores están en la escala 0-255; divide entre 255 para llevarlos a [0, 1].")
        test_mean = data.test_images[data.test_labels == c].float().mean(0) / 255.0
        if torch.allclose(answer, test_mean, atol=1e-4):
            return report(False, "", "Esa es la imagen media del conjunto de prueba; el ejercicio pide la de entrenamiento.")
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
        return report(False, "", "Sustituye el None por tu respuesta. Calcula el brillo medio de cada clase y usa argmax.")
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
    return report(False, "", f"Divide el lado de la imagen ({img_size}) entre el del parche ({patch_size}) y eleva al cuadrado.")


def check_patch_index(answer, row: int = 13, col: int = 22, patch_size: int = 4, img_size: int = 28) -> bool:
    """Ejercicio 01.2: índice (en orden de lectura, desde 0) del parche que contiene el píxel (row, col)."""
    g = img_size // patch_size
    i, j = row // patch_size, col // patch_size
    expected = i * g + j
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta. Halla la fila y la columna del parche y combínalas.")
    if isinstance(answer, (tuple, list)) and len(answer) == 2:
        return report(False, "", f"Da un solo número: con la fila y columna del parche (i, j), el índice es i·{g} + j.")
    value = _as_int(answer)
    if value is None:
        return report(False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}.")
    if value == expected:
        return report(True, f"El píxel ({row}, {col}) cae en la fila {i} y columna {j} de la cuadrícula: parche {expected}.", "")
    if value == j * g + i:
        return report(False, "", "Has intercambiado fila y columna: el orden de lectura recorre primero cada fila de izquierda a derecha.")
    if value == expected + 1:
        return report(False, "", "Los índices empiezan en 0: el parche de arriba a la izquierda es el 0.")
    if value == row * img_size + col:
        return report(False, "", "Ese es el índice del píxel, no el del parche: divide primero fila y columna entre el tamaño del parche.")
    return report(False, "", f"La fila del parche es fila // {patch_size} y la columna, columna // {patch_size}; "
                  f"el índice es fila_parche · {g} + columna_parche.")


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
            return report(False, "", f"Con p={p} la forma es {tuple(out.shape)} y debería ser (B, N, C·p·p) = "
                          f"{tuple(expected.shape)}.{hint}")
        if torch.equal(out, expected):
            continue
        transposed_grid = expected.reshape(B, g, g, P).transpose(1, 2).reshape(B, N, P)
        transposed_inner = expected.reshape(B, N, p, p).transpose(-1, -2).reshape(B, N, P)
        if torch.equal(out, transposed_grid):
            why = "los parches salen por columnas; el orden de lectura recorre la cuadrícula fila a fila."
        elif torch.equal(out, transposed_inner):
            why = "dentro de cada parche los píxeles van por columnas; deben ir fila a fila, como en la imagen."
        elif torch.equal(out.flatten(1).sort(dim=1).values, expected.flatten(1).sort(dim=1).values):
            why = ("los valores son los correctos pero el orden no: corta filas y columnas en bloques "
                   "(reshape o unfold) y reordena los ejes con permute antes de aplanar.")
        else:
            ok, reason = close(out, expected, atol=1e-5)
            if ok:
                continue
            why = "los valores no son los píxeles de la imagen: " + reason
        return report(False, "", f"Con p={p} la forma es correcta, pero {why}")
    sizes = ", ".join(str(p) for p in patch_sizes)
    return report(True, f"Tu función coincide con utils.patches.patchify en un lote real (p = {sizes}).", "")


# --- Cuaderno 02: atención ---------------------------------------------------------------------

# --- Cuaderno 03: el bloque Transformer --------------------------------------------------------

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
        return report(False, "", "la respuesta todavía es None. Suma pieza a pieza: embedding de parches, "
                      "token CLS, embedding de posición, cada bloque, LayerNorm final y cabeza.")
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
    return report(False, "", f"hay {'más' if value < expected else 'menos'} de {value}. Recuerda que cada capa "
                  "lineal de a → b entradas tiene a·b pesos y b sesgos, y que un bloque tiene qkv (D → 3D), "
                  "proyección (D → D), dos capas del MLP y dos LayerNorm.")


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
        return report(False, "", "responde con una tupla de dos elementos: (número de tensores, forma de cada uno), "
                      "por ejemplo (6, (8, 4, 50, 50)).")
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
        return report(False, "", f"cada tensor tiene 4 ejes (lote, cabezas, tokens, tokens) y tu forma tiene {len(shape)}.")
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
        return report(False, "", f"pasa la clase sin instanciarla, por ejemplo check_vit_forward(ViTEjercicio); llegó {got}.")
    cfg = ViTConfig(dim=32, depth=2, num_heads=2, mlp_dim=64)
    torch.manual_seed(0)
    reference = ViT(config=cfg).eval()
    try:
        mine = model_class(cfg)
        mine.load_state_dict(reference.state_dict())
    except Exception as exc:  # el estudiante debe ver su error, no una traza del corrector
        return report(False, "", f"no se pudieron copiar los pesos de utils.vit.ViT en tu clase ({type(exc).__name__}: "
                      f"{exc}). Deja el __init__ como está en el enunciado.")
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
        return report(False, "", f"la salida tiene forma {tuple(out.shape)}: quédate solo con el token CLS (x[:, 0]) "
                      "antes de la cabeza.")
    ok, reason = close(out, expected, atol=1e-5)
    if not ok and isinstance(out, torch.Tensor) and out.shape == expected.shape:
        with torch.no_grad():
            x = reference.embed(images)
            for block in reference.blocks:
                x = block(x)
            hints = [
                (reference.head(x[:, 0]), "olvidaste la LayerNorm final (self.norm) antes de la cabeza."),
                (reference.head(reference.norm(x)[:, 1:].mean(1)), "has promediado los parches; usa el token CLS (x[:, 0])."),
                (reference.head(reference.norm(x)[:, -1]), "el token CLS va el primero: concaténalo delante y usa x[:, 0]."),
            ]
        for candidate, why in hints:
            if torch.allclose(out.float(), candidate, atol=1e-5):
                reason = why
                break
    return report(ok, "Tus logits coinciden con los de utils.vit.ViT con los mismos pesos.", reason)


# --- Cuaderno 05: entrenamiento ----------------------------------------------------------------

# --- Cuaderno 06: qué mira el ViT --------------------------------------------------------------

# Matrices del ejercicio «rollout a mano»: dos capas de una sola cabeza con tres tokens (CLS y dos parches).
ROLLOUT_A1 = torch.tensor([[0.6, 0.2, 0.2], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
ROLLOUT_A2 = torch.tensor([[0.2, 0.4, 0.4], [0.5, 0.5, 0.0], [0.0, 0.2, 0.8]])


def _nb06_number(answer) -> float | None:
    """Convierte la respuesta en un número, o ``None`` si no lo es."""
    if isinstance(answer, torch.Tensor) and answer.numel() == 1:
        answer = answer.item()
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return None
    return float(answer)


def check_rollout_by_hand(answer) -> bool:
    """Ejercicio: el rollout R = A2'·A1' de ``ROLLOUT_A1`` y ``ROLLOUT_A2`` con A' = 0.5·A + 0.5·I."""
    from .explain import attention_rollout

    eye = torch.eye(3)
    a1, a2 = 0.5 * ROLLOUT_A1 + 0.5 * eye, 0.5 * ROLLOUT_A2 + 0.5 * eye
    expected = attention_rollout([ROLLOUT_A1[None, None], ROLLOUT_A2[None, None]])[0]
    if answer is None:
        return report(False, "", "aún no hay respuesta: calcula A' = 0.5·A + 0.5·I para cada capa y multiplica R = A2'·A1'.")
    if isinstance(answer, (list, tuple)):
        try:
            answer = torch.tensor(answer, dtype=torch.float32)
        except (TypeError, ValueError):
            return report(False, "", "la respuesta debe ser una matriz 3×3 (un tensor o una lista de listas).")
    ok, why = close(answer, expected, atol=1e-4)
    if not ok and isinstance(answer, torch.Tensor) and answer.shape == expected.shape:
        if close(answer, a1 @ a2, atol=1e-4)[0]:
            why = "has multiplicado en el orden contrario: la capa nueva va a la izquierda, R = A2'·A1'."
        elif close(answer, ROLLOUT_A2 @ ROLLOUT_A1, atol=1e-4)[0]:
            why = "te falta la conexión residual: antes de multiplicar, usa A' = 0.5·A + 0.5·I en cada capa."
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
    value = _nb06_number(answer)
    if value is None or value != int(value):
        return report(False, "", "la respuesta debe ser el número entero de una capa (la primera es la 0).")
    value = int(value)
    why = f"la capa {value} no es la de mayor distancia media. Promedia las cabezas de cada capa y busca el máximo."
    if value == expected + 1:
        why = "casi: las capas se numeran desde 0 (como el argumento layer de utils.explain)."
    elif value == nearest and nearest != expected:
        why = f"la capa {value} es la de menor distancia media, no la de mayor."
    return report(
        value == expected,
        f"En la capa {expected} las cabezas miran, de media, más lejos: "
        f"{per_layer[expected]:.1f} píxeles.",
        why,
    )


def check_uniform_distance(answer, grid_size: int = 14, patch_size: int = 2) -> bool:
    """Ejercicio: distancia media de una atención uniforme en una cuadrícula de 14×14 parches de 2×2 píxeles."""
    from .explain import patch_distances

    d = patch_distances(grid_size, patch_size)
    n = d.shape[0]
    expected = d.mean().item()
    value = _nb06_number(answer)
    if value is None:
        return report(False, "", "la respuesta debe ser un número (la distancia en píxeles).")
    ok = abs(value - expected) < 1e-3 * max(1.0, expected)
    why = "repasa la cuenta: con atención uniforme cada parche mira a todos por igual, así que la distancia es la media de las distancias entre todos los pares de parches."
    if abs(value - d.sum().item() / (n * (n - 1))) < 1e-3 * expected:
        why = "has dejado fuera la distancia de cada parche a sí mismo (0): la atención uniforme también mira al propio parche."
    elif abs(value * patch_size - expected) < 1e-3 * expected:
        why = "la has medido en parches; multiplica por el tamaño del parche para tenerla en píxeles."
    return report(ok, f"Con atención uniforme la distancia media es {expected:.2f} píxeles: el «campo receptivo» de una cabeza global.", why)
