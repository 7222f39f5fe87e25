"""Correctores del cuaderno 00 (introducción y datos).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
Recalculan la respuesta a partir de los datos reales (nunca la guardan escrita) y, al fallar, dan una
pista, no la cifra.
"""

from __future__ import annotations

import functools

import torch

from .core import as_float, as_int, as_tensor, class_index, close, fashion, never_raises, report

__all__ = [
    "check_class_count",
    "check_mean_image",
    "check_class_brightness",
    "check_brightest_class",
    "check_normalized_range",
]


@never_raises
def check_class_count(answer, class_name: str = "bolso", first: int = 1000):
    """Ejercicio 00.1: cuántas imágenes de ``class_name`` hay entre las ``first`` primeras de prueba."""
    data = fashion()
    c = data.classes.index(class_name)
    expected = int((data.test_labels[:first] == c).sum())
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta. Cuenta con (etiquetas == clase).sum().")
    value = as_int(answer)
    if value is None:
        return report(
            False,
            "",
            f"Se esperaba un número entero finito y llegó {_describe(answer)}. Usa int(...) o .item() sobre la suma.",
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
    others = {int((data.test_labels[:first] == k).sum()) for k in range(len(data.classes)) if k != c}
    if value in others and value != expected:
        return report(
            False, "", f"Ese es el recuento de otra clase: comprueba el índice con CLASSES.index('{class_name}')."
        )
    return report(
        False, "", f"Compara data.test_labels[:{first}] con CLASSES.index('{class_name}') y suma los aciertos."
    )


def _describe(answer) -> str:
    """Qué llegó, en palabras, sin mostrar el valor entero (un tensor grande, un texto largo)."""
    if isinstance(answer, torch.Tensor):
        return f"un tensor de forma {tuple(answer.shape)} y tipo {answer.dtype}"
    if isinstance(answer, float):
        return f"el número {answer}"
    return f"un valor de tipo {type(answer).__name__}"


def _real_tensor(answer):
    """El tensor ``float64`` de CPU que hay en ``answer``, o ``(None, motivo)`` si no es un tensor de reales."""
    tensor = as_tensor(answer)
    if tensor is None:
        return None, f"se esperaba un tensor y llegó {_describe(answer)}."
    if tensor.dtype == torch.bool or tensor.is_complex():
        return None, f"el tensor es de tipo {tensor.dtype}; se esperaban números reales."
    return tensor.double(), ""


@never_raises
def check_mean_image(answer, class_name: str = "sandalia"):
    """Ejercicio 00.2: la imagen media (28, 28), con píxeles en [0, 1], de una clase en el entrenamiento."""
    data = fashion()
    c = data.classes.index(class_name)
    train = data.train_images[data.train_labels == c].double()
    expected = train.mean(0) / 255.0
    if answer is None:
        return report(
            False,
            "",
            "Sustituye el None por tu respuesta. Selecciona las imágenes de la clase y promedia con .mean(0).",
        )
    tensor, why = _real_tensor(answer)
    if tensor is None:
        return report(False, "", why[:1].upper() + why[1:])
    if tensor.shape != expected.shape and tensor.numel() == expected.numel():
        return report(
            False, "", f"La forma es {tuple(tensor.shape)}; quita los ejes sobrantes con .squeeze() o .reshape(28, 28)."
        )
    ok, reason = close(tensor, expected, atol=1e-4)
    if not ok and tensor.shape == expected.shape and torch.isfinite(tensor).all():
        if torch.allclose(tensor, expected * 255.0, atol=1e-2):
            return report(False, "", "Los valores están en la escala 0-255; divide entre 255 para llevarlos a [0, 1].")
        test_mean = data.test_images[data.test_labels == c].double().mean(0) / 255.0
        if torch.allclose(tensor, test_mean, atol=1e-4):
            return report(
                False, "", "Esa es la imagen media del conjunto de prueba; el ejercicio pide la de entrenamiento."
            )
        if torch.allclose(tensor, data.train_images.double().mean(0) / 255.0, atol=1e-4):
            return report(False, "", "Has promediado todas las clases; quédate antes solo con las de la clase pedida.")
        if torch.allclose(tensor, expected.T, atol=1e-4):
            return report(False, "", "La imagen está traspuesta (filas por columnas): no hace falta ningún .T.")
    return report(ok, f"Esa es la imagen media de «{class_name}» (promedio de {len(train)} imágenes).", reason)


def _brightness_per_class(images: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """El brillo medio (píxeles en [0, 1]) de las imágenes de cada clase: un tensor de ``num_classes`` valores."""
    per_image = images.double().mean(dim=(1, 2)) / 255.0
    return torch.stack([per_image[labels == c].mean() for c in range(num_classes)])


@functools.cache
def _brightness(split: str) -> torch.Tensor:
    """El brillo medio de cada clase en ``split`` («train» o «test»), calculado una vez con los datos reales."""
    data = fashion()
    images, labels = (
        (data.train_images, data.train_labels) if split == "train" else (data.test_images, data.test_labels)
    )
    return _brightness_per_class(images, labels, len(data.classes))


@never_raises
def check_class_brightness(answer):
    """Ejercicio 00.3: el brillo medio de cada clase del entrenamiento, un tensor de 10 valores en [0, 1]."""
    data = fashion()
    n = len(data.classes)
    expected = _brightness("train")
    if answer is None:
        return report(
            False,
            "",
            "Sustituye el None por tu respuesta: un tensor de 10 valores, el brillo medio de las imágenes de cada clase.",
        )
    tensor, why = _real_tensor(answer)
    if tensor is None:
        return report(False, "", why[:1].upper() + why[1:])
    if tensor.numel() == n and tensor.shape != expected.shape:
        tensor = tensor.reshape(n)  # (10, 1) o (1, 10) también valen
    ok, reason = close(tensor, expected, atol=1e-4)
    if not ok and tensor.shape == expected.shape and torch.isfinite(tensor).all():
        if torch.allclose(tensor, expected * 255.0, atol=1e-2):
            return report(False, "", "Los valores están en la escala 0-255; divide entre 255 para llevarlos a [0, 1].")
        test = _brightness("test")
        if torch.allclose(tensor, test, atol=1e-4):
            return report(False, "", "Ese es el brillo del conjunto de prueba; el ejercicio pide el de entrenamiento.")
        if torch.allclose(tensor.sort().values, expected.sort().values, atol=1e-4):
            return report(
                False, "", "Los diez valores son los buenos pero no están en el orden de las clases (0, 1, …, 9)."
            )
        if torch.allclose(tensor, tensor[:1].expand_as(tensor)):
            return report(False, "", "Los diez valores son iguales: calcula el brillo por separado para cada clase.")
    return report(ok, "Ese es el brillo medio de cada clase. Ahora, ¿cuál es la más brillante?", reason)


@never_raises
def check_brightest_class(answer):
    """Ejercicio 00.3 (segunda parte): la clase (índice o nombre) con mayor brillo medio en el entrenamiento."""
    data = fashion()
    brightness = _brightness("train")
    expected = int(brightness.argmax())
    if answer is None:
        return report(
            False, "", "Sustituye el None por tu respuesta. Usa el tensor de brillos que acabas de calcular y argmax."
        )
    idx = class_index(answer, data.classes)
    if idx is None:
        return report(
            False, "", f"No reconozco {_describe(answer)} como clase: da un índice de 0 a 9 o un nombre de CLASSES."
        )
    if idx == expected:
        return report(True, f"La clase más brillante es «{data.classes[expected]}» ({expected}).", "")
    if idx == int(brightness.argmin()):
        return report(False, "", "Esa es la clase más oscura: buscas el máximo (argmax), no el mínimo.")
    return report(False, "", f"«{data.classes[idx]}» no es la más brillante; mira el máximo de tu tensor de brillos.")


@functools.cache
def _normalized_range() -> tuple[float, float]:
    """El mínimo y el máximo de ``to_float`` sobre el conjunto de entrenamiento (calculados una vez)."""
    from ..data import to_float

    x = to_float(fashion().train_images)
    return x.min().item(), x.max().item()


@never_raises
def check_normalized_range(answer):
    """Ejercicio 00.4 (predice): el valor mínimo y el máximo de un píxel tras ``to_float``, como ``(mín, máx)``.

    Se recalcula a partir de los datos (``to_float`` sobre el conjunto de entrenamiento) con una tolerancia
    de 0,01, que admite una predicción hecha a mano con tres cifras.
    """
    from ..data import MEAN, STD

    expected = _normalized_range()
    if answer is None:
        return report(False, "", "Sustituye el None por tu predicción: una pareja (mínimo, máximo).")
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return report(
            False, "", f"Escribe dos números entre paréntesis, (mínimo, máximo); llegó {type(answer).__name__}."
        )
    low, high = as_float(answer[0]), as_float(answer[1])
    if low is None or high is None:
        return report(False, "", "Los dos valores deben ser números finitos (ni NaN, ni infinito, ni texto).")
    if (low, high) in ((0.0, 1.0), (0.0, 255.0)):
        return report(
            False, "", "Esa es la escala antes de normalizar; aplica la fórmula x̂ = (x/255 − μ)/σ a 0 y a 255."
        )
    if abs(low - expected[1]) < 0.01 and abs(high - expected[0]) < 0.01:
        return report(False, "", "Están cambiados: el primero es el mínimo.")
    if abs(low + MEAN) < 0.01 and abs(high - (1 - MEAN)) < 0.01:
        return report(False, "", "Has restado la media pero falta dividir entre la desviación estándar.")
    if abs(low - expected[0]) < 0.01 and abs(high - expected[1]) < 0.01:
        return report(True, "Un píxel de fondo pasa a ser negativo y uno saturado, positivo y mayor que 1.", "")
    which = "el mínimo" if abs(low - expected[0]) >= 0.01 else "el máximo"
    return report(False, "", f"Revisa {which}: ¿qué valor da la fórmula (x/255 − {MEAN})/{STD} en ese extremo?")
