"""Comprobaciones de argumentos con mensajes de error claros en español.

Cada función pública de ``utils`` llama a estas comprobaciones a su entrada, y solo ahí: así un
error nombra el argumento que llegó mal, su valor y cómo arreglarlo, en lugar de una traza
en inglés desde el fondo de PyTorch o, peor, un resultado erróneo silencioso.

Todos los errores son ``ValueError``; los de tipo (una cadena donde va un número, un arreglo de
NumPy donde va un tensor) son además ``TypeError`` (:class:`InputTypeError`).
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

from .fmt import comma, thousands

# Las imágenes de ``to_float`` están entre (0 - MEAN) / STD ≈ -0,81 y (1 - MEAN) / STD ≈ 2,02.
# Un valor mayor que este límite delata píxeles de 0 a 255 sin normalizar.
NORMALIZED_LIMIT = 25.0

# Ningún modelo del curso se acerca a esto: por encima, el tamaño es casi seguro una errata.
MAX_PARAMETER_BYTES = 8 * 2**30

FIX_TO_FLOAT = "conviértelas con to_float(images), que las pasa a float32 normalizadas (N, 1, 28, 28)"


def fix_to_float(name: str) -> str:
    """El arreglo para imágenes ``uint8``: ``to_float``, con el nombre del argumento."""
    return FIX_TO_FLOAT.replace("(images)", f"({name})")


class InputTypeError(TypeError, ValueError):
    """Un argumento tiene un tipo equivocado. Es ``TypeError`` y también ``ValueError``."""


def describe(value) -> str:
    """Descripción corta de un valor para un mensaje de error."""
    if isinstance(value, torch.Tensor):
        return f"un tensor de forma {tuple(value.shape)} y tipo {value.dtype}"
    if isinstance(value, np.ndarray):
        return f"un arreglo de NumPy de forma {value.shape} y tipo {value.dtype}"
    if isinstance(value, (list, tuple)):
        kind = "una lista" if isinstance(value, list) else "una tupla"
        return f"{kind} de {len(value)} elemento{'' if len(value) == 1 else 's'}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(value):
    """Un tensor o un escalar de NumPy de un solo elemento como número de Python; lo demás, igual."""
    if isinstance(value, torch.Tensor) and value.ndim == 0:
        return value.item() if value.dtype != torch.bool else bool(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _range_text(minimum, maximum) -> str:
    if minimum == 1 and maximum is None:
        return " positivo"
    if minimum == 0 and maximum is None:
        return " mayor o igual que 0"
    if minimum is not None and maximum is not None:
        return f" entre {minimum} y {maximum}"
    if minimum is not None:
        return f" mayor o igual que {minimum}"
    if maximum is not None:
        return f" menor o igual que {maximum}"
    return ""


def as_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None, fix: str = "") -> int:
    """Devuelve ``value`` como ``int`` de Python o lanza un error en español.

    Acepta ``int``, enteros de NumPy (``np.int64(3)``) y tensores de un solo elemento entero
    (``torch.tensor(3)``). Rechaza ``bool`` (``True`` no es un tamaño), cadenas y decimales.
    """
    want = f"{name} debe ser un entero{_range_text(minimum, maximum)}"
    fix = f" {fix}" if fix else ""
    raw = value
    value = _plain(value)
    if isinstance(value, bool):
        raise InputTypeError(
            f"{want} y vale {raw!r}, un booleano (en Python True cuenta como 1, pero aquí casi seguro es una "
            f"errata).{fix}"
        )
    if isinstance(value, str):
        hint = f" Escríbelo sin comillas: {name}={value.strip()}." if value.strip().lstrip("-").isdigit() else ""
        raise InputTypeError(f"{want} y vale {value!r}, una cadena de texto.{hint}{fix}")
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            raise InputTypeError(f"{want} y vale {value!r}, un número decimal: usa {name}={int(value)}.{fix}")
        if math.isfinite(value):
            lo, hi = math.floor(value), math.ceil(value)
            raise InputTypeError(f"{want} y vale {value!r}, que no es entero: usa {lo} o {hi}.{fix}")
        raise ValueError(f"{want} y vale {value!r}, que no es un número finito.{fix}")
    if not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{want} y llegó {describe(raw)}.{fix}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{want} y vale {value}.{fix}")
    return value


def as_float(
    name: str,
    value,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    min_inclusive: bool = True,
    max_inclusive: bool = True,
    fix: str = "",
) -> float:
    """Devuelve ``value`` como ``float`` finito de Python o lanza un error en español.

    Acepta números de Python o de NumPy y tensores de un solo elemento. Rechaza ``bool``,
    cadenas (``'1e-3'``), NaN e infinitos, y los valores fuera de ``[minimum, maximum]``
    (o del intervalo abierto por el lado que diga ``min_inclusive`` / ``max_inclusive``).
    """
    left = "[" if min_inclusive else "("
    right = "]" if max_inclusive else ")"
    if minimum is not None and maximum is not None:
        want = f"{name} debe ser un número en {left}{minimum}, {maximum}{right}"
    elif minimum is not None:
        want = f"{name} debe ser un número {'mayor o igual que' if min_inclusive else 'mayor que'} {minimum}"
    elif maximum is not None:
        want = f"{name} debe ser un número {'menor o igual que' if max_inclusive else 'menor que'} {maximum}"
    else:
        want = f"{name} debe ser un número"
    fix = f" {fix}" if fix else ""
    raw = value
    value = _plain(value)
    if isinstance(value, bool):
        raise InputTypeError(f"{want} y vale {raw!r}, un booleano.{fix}")
    if isinstance(value, str):
        try:
            hint = f" Escríbelo sin comillas: {name}={float(value)!r}."
        except ValueError:
            hint = ""
        raise InputTypeError(f"{want} y vale {value!r}, una cadena de texto.{hint}{fix}")
    if not isinstance(value, numbers.Real):
        raise InputTypeError(f"{want} y llegó {describe(raw)}.{fix}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{want} y vale {value!r}, que no es un número finito.{fix}")
    too_low = minimum is not None and (value < minimum if min_inclusive else value <= minimum)
    too_high = maximum is not None and (value > maximum if max_inclusive else value >= maximum)
    if too_low or too_high:
        raise ValueError(f"{want} y vale {value!r}.{fix}")
    return value


def as_bool(name: str, value) -> bool:
    """Devuelve ``value`` si es ``True`` o ``False``; rechaza cadenas como ``'False'`` (que es verdadera)."""
    value = _plain(value)
    if not isinstance(value, bool):
        raise InputTypeError(f"{name} debe ser True o False y llegó {describe(value)}.")
    return value


def as_index(name: str, value) -> int:
    """Un índice (capa, cabeza, imagen) como ``int``: acepta ``np.int64(1)`` y ``torch.tensor(1)``.

    El rango lo comprueba quien llama, que sabe cuántos elementos hay.
    """
    return as_int(name, value)


def check_positive(**values) -> None:
    """Lanza un error en español si algún valor no es un entero positivo (``bool`` no vale)."""
    for name, value in values.items():
        as_int(name, value, minimum=1, fix="Usa un valor como 4, 64 o 128.")


def check_divisible(name: str, value: int, by_name: str, by: int) -> None:
    """Lanza ``ValueError`` si ``value`` no es divisible entre ``by``."""
    if value % by != 0:
        lower = value - value % by
        raise ValueError(
            f"{name}={value} no es divisible entre {by_name}={by}. "
            f"Elige un {name} múltiplo de {by} (por ejemplo {lower or by} o {lower + by}) o cambia {by_name}."
        )


def check_fits_in_memory(what: str, num_parameters: int, fix: str) -> None:
    """Rechaza un modelo cuyos parámetros (float32) ocuparían más de ``MAX_PARAMETER_BYTES``."""
    needed = 4 * num_parameters
    if needed > MAX_PARAMETER_BYTES:
        gib = needed / 2**30
        size = thousands(gib) if gib < 1e9 else f"{gib:.1e}"
        raise ValueError(
            f"{what} tendría {num_parameters:.3g} parámetros, unos {size} GiB de memoria solo para los pesos "
            f"(el límite es {MAX_PARAMETER_BYTES // 2**30} GiB): no cabe en ninguna máquina del curso. {fix}"
        )


def check_tensor(name: str, value) -> torch.Tensor:
    """Comprueba que ``value`` sea un tensor de PyTorch; si es NumPy o una lista, dice cómo convertirlo."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, np.ndarray):
        fix = f"conviértelo con torch.from_numpy({name})"
        if value.dtype == np.float64:
            fix += ".float()"
        raise InputTypeError(f"{name} debe ser un tensor de PyTorch y es {describe(value)}: {fix}.")
    if isinstance(value, (list, tuple)):
        raise InputTypeError(
            f"{name} debe ser un tensor de PyTorch y es {describe(value)}: conviértela con torch.tensor({name}) "
            f"(o torch.stack({name}) si es una lista de tensores)."
        )
    raise InputTypeError(f"{name} debe ser un tensor de PyTorch y llegó {describe(value)}.")


def check_finite(name: str, x: torch.Tensor) -> None:
    """Lanza ``ValueError`` si ``x`` tiene NaN o infinitos, con cuántos y dónde está el primero."""
    if not x.is_floating_point() or x.numel() == 0:
        return
    finite = torch.isfinite(x)
    if bool(finite.all()):
        return
    bad = ~finite
    n_nan = int(torch.isnan(x).sum())
    n_inf = int(bad.sum()) - n_nan
    first = tuple(int(i) for i in bad.nonzero()[0])
    raise ValueError(
        f"Hay {n_nan} NaN y {n_inf} infinitos en {name} (el primero en la posición {first}): con ellos la "
        "predicción no tiene sentido (saldría la clase 0). Revisa de dónde vienen, por ejemplo una división "
        "entre cero al normalizar."
    )


def check_images(
    name: str, x, *, dtype: torch.dtype = torch.float32, singular: bool = False, device: torch.device | None = None
) -> torch.Tensor:
    """Comprueba un lote de imágenes para un modelo: tensor, tipo ``float32``, finito y normalizado.

    Una imagen ``uint8`` o entera, o ``float`` con píxeles de 0 a 255, se nombra como tal, con el
    arreglo (``to_float``). La forma la comprueba cada modelo, que sabe cuál espera. Con
    ``singular=True`` los mensajes hablan de «la imagen» en vez de «las imágenes». Con ``device``, las
    imágenes deben estar en ese dispositivo (el del modelo).
    """
    x = check_tensor(name, x)
    what, es, tiene = (f"La imagen {name}", "es", "tiene") if singular else (f"Las imágenes {name}", "son", "tienen")
    if x.dtype == torch.uint8:
        raise InputTypeError(
            f"{what} {es} uint8 (píxeles de 0 a 255), como las da load_fashion_mnist(), y el modelo espera "
            f"float32 normalizadas: {fix_to_float(name)}."
        )
    if x.dtype == torch.bool or not (x.is_floating_point() or x.is_complex()):
        raise InputTypeError(
            f"{what} {es} de tipo {x.dtype} y el modelo espera float32 normalizadas: si son píxeles de 0 a 255, "
            f"usa to_float({name}.to(torch.uint8))."
        )
    if x.dtype != dtype:
        fix = f"{name}.float()" if dtype == torch.float32 else f"{name}.to({dtype})"
        raise InputTypeError(f"{what} {es} de tipo {x.dtype} y el modelo tiene sus pesos en {dtype}: usa {fix}.")
    if device is not None and x.device != device:
        raise ValueError(
            f"{what} {'está' if singular else 'están'} en {x.device} y el modelo en {device}: usa "
            f"{name}.to({str(device)!r})"
            " (o mueve el modelo con model.to(device))."
        )
    if x.numel() == 0:
        return x
    lo, hi = (float(v) for v in torch.aminmax(x.detach()))  # una sola pasada; un NaN o un inf se ven aquí
    if not (math.isfinite(lo) and math.isfinite(hi)):
        check_finite(what[0].lower() + what[1:], x)
    top = max(-lo, hi)
    if top > NORMALIZED_LIMIT:
        raise ValueError(
            f"{what} {tiene} valores de hasta {comma(top, 1)}: parecen píxeles de 0 a 255 sin normalizar, y el modelo "
            f"espera imágenes normalizadas (entre -0.81 y 2.02). Si {es} uint8, {fix_to_float(name)}; si ya "
            f"{es} float de 0 a 255, usa to_float({name}.round().to(torch.uint8))."
        )
    return x


def check_labels(name: str, labels, *, n: int | None = None, num_classes: int | None = None) -> torch.Tensor:
    """Comprueba unas etiquetas de clase: tensor de enteros (N,), de 0 a ``num_classes - 1``.

    Devuelve las etiquetas como ``int64`` (lo que pide la entropía cruzada).
    """
    labels = check_tensor(name, labels)
    if labels.is_floating_point() or labels.dtype == torch.bool or labels.is_complex():
        raise InputTypeError(
            f"{name} son de tipo {labels.dtype} y deben ser números enteros de clase (0, 1, …, 9): "
            f"conviértelas con {name}.long() (si son probabilidades o one-hot, usa {name}.argmax(1))."
        )
    if labels.ndim != 1:
        hint = f" Si son one-hot, usa {name}.argmax(1)." if labels.ndim == 2 else ""
        raise ValueError(
            f"{name} debe ser un tensor (N,) con una clase por ejemplo y tiene forma {tuple(labels.shape)}.{hint}"
        )
    if n is not None and len(labels) != n:
        raise ValueError(f"Hay {n} imágenes y {len(labels)} etiquetas en {name}: deben ser las mismas.")
    if labels.numel():
        low, high = int(labels.min()), int(labels.max())
        top = None if num_classes is None else num_classes - 1
        bad = low if low < 0 else (high if top is not None and high > top else None)
        if bad is not None:
            where = int((labels == bad).nonzero()[0])
            valid = f"de 0 a {top}" if top is not None else "mayores o iguales que 0"
            raise ValueError(
                f"{name} tiene la etiqueta {bad} (en la posición {where}), fuera de rango: las clases van {valid}. "
                "Revisa que sean las etiquetas de Fashion-MNIST y que el modelo tenga num_classes suficientes."
            )
    return labels.long()


def num_classes_of(model) -> int | None:
    """Número de clases de un modelo del curso (``ViT`` o ``SmallCNN``), o ``None`` si no se sabe."""
    config = getattr(model, "config", None)
    n = getattr(config, "num_classes", None) or getattr(model, "num_classes", None)
    return n if isinstance(n, int) and not isinstance(n, bool) else None


def model_dtype(model) -> torch.dtype:
    """El tipo de los pesos de ``model`` (float32 salvo que se haya convertido)."""
    param = next(iter(model.parameters()), None)
    return param.dtype if param is not None else torch.float32


def check_model(model) -> None:
    """Comprueba que ``model`` sea un ``nn.Module`` (y no, por ejemplo, la clase sin crear el modelo)."""
    if isinstance(model, type) and issubclass(model, torch.nn.Module):
        raise InputTypeError(f"model es la clase {model.__name__}, no un modelo: créalo con {model.__name__}().")
    if not isinstance(model, torch.nn.Module):
        raise InputTypeError(f"model debe ser un modelo de PyTorch (nn.Module) y llegó {describe(model)}.")


def check_dataset(model, images, labels, images_name: str, labels_name: str) -> torch.Tensor:
    """Imágenes y etiquetas para ``model``: imágenes float32 normalizadas y etiquetas de sus clases.

    Devuelve las etiquetas como ``int64``. Un conjunto vacío es un error (no tiene media ni exactitud).
    """
    images = check_images(images_name, images, dtype=model_dtype(model))
    if images.ndim != 4:
        hint = f" Usa {images_name}.unsqueeze(1) o to_float, que ya la añade." if images.ndim == 3 else ""
        raise ValueError(
            f"{images_name} debe ser un lote (N, C, H, W) y tiene forma {tuple(images.shape)}: falta el canal.{hint}"
            if images.ndim == 3
            else f"{images_name} debe ser un lote (N, C, H, W) y tiene forma {tuple(images.shape)}."
        )
    if len(images) == 0:
        raise ValueError(f"{images_name} está vacío (0 imágenes): hace falta al menos una para medir algo.")
    return check_labels(labels_name, labels, n=len(images), num_classes=num_classes_of(model))


def check_train_args(
    model,
    train_images,
    train_labels,
    val_images,
    val_labels,
    *,
    epochs,
    batch_size,
    lr,
    weight_decay,
    warmup_epochs,
    label_smoothing,
    use_augment,
    seed,
    device,
    checkpoint_path,
    checkpoint_metadata,
    time_budget_s,
    progress,
    erase_prob=0.0,
    compile=False,
    val_names: tuple[str, str] = ("val_images", "val_labels"),
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Todas las comprobaciones de ``train_model``, antes de la primera época.

    Devuelve ``(train_labels, val_labels)`` como ``int64``. Así un error (imágenes uint8, una etiqueta
    10, ``lr='1e-3'``, metadatos que no se podrían guardar…) sale al instante y no tras una época.
    """
    check_model(model)
    positive = "epochs, batch_size y lr deben ser positivos"
    as_int("epochs", epochs, minimum=1, fix=f"{positive}; por ejemplo epochs=5.")
    as_int("batch_size", batch_size, minimum=1, fix=f"{positive}; por ejemplo batch_size=128.")
    as_float("lr", lr, minimum=0.0, min_inclusive=False, fix=f"{positive}; por ejemplo lr=0.001.")
    as_float("weight_decay", weight_decay, minimum=0.0, fix="Por ejemplo weight_decay=0.05.")
    as_float("warmup_epochs", warmup_epochs, minimum=0.0, fix="Por ejemplo warmup_epochs=1.")
    as_float("label_smoothing", label_smoothing, minimum=0.0, maximum=1.0, max_inclusive=False, fix="Usa 0.1.")
    as_float("erase_prob", erase_prob, minimum=0.0, maximum=1.0, fix="Usa 0.0 (sin borrado) o 0.25.")
    as_bool("use_augment", use_augment)
    as_bool("progress", progress)
    as_bool("compile", compile)
    as_int("seed", seed, minimum=0, fix="Por ejemplo seed=0.")
    if time_budget_s is not None:
        as_float("time_budget_s", time_budget_s, minimum=0.0, min_inclusive=False, fix="En segundos, p. ej. 300.")
    if not isinstance(device, (str, torch.device)):
        raise InputTypeError(
            f"device debe ser 'auto', 'cpu', 'cuda', 'mps' o un torch.device y llegó {describe(device)}."
        )
    train_labels = check_dataset(model, train_images, train_labels, "train_images", "train_labels")
    if int(batch_size) > len(train_labels):
        raise ValueError(
            f"batch_size={batch_size} es mayor que el número de ejemplos ({len(train_labels)}). Usa un lote más pequeño."
        )
    vi, vl = val_names
    if (val_images is None) != (val_labels is None):
        given, missing = (vi, vl) if val_labels is None else (vl, vi)
        raise ValueError(
            f"Se dio {given} sin {missing}: para medir en validación hacen falta las dos (imágenes y etiquetas), "
            f"o ninguna. Pasa también {missing}."
        )
    if val_images is not None:
        val_labels = check_dataset(model, val_images, val_labels, vi, vl)
    from .checkpoints import check_checkpoint_target, check_metadata

    if checkpoint_path is not None:
        if not hasattr(model, "config") or not hasattr(model.config, "to_dict"):
            raise InputTypeError(
                f"checkpoint_path solo sirve con un ViT (el punto de control guarda su ViTConfig) y el modelo es "
                f"{type(model).__name__}. Quita checkpoint_path y, al terminar, guarda sus pesos con "
                "torch.save(model.state_dict(), ruta)."
            )
        check_checkpoint_target(checkpoint_path)
    check_metadata(checkpoint_metadata)
    return train_labels, val_labels
