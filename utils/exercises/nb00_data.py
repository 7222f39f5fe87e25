"""Correctores del cuaderno 00 (introducción y datos).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
"""

from __future__ import annotations

import torch

from .core import as_int, class_index, close, fashion, report


def check_class_count(answer, class_name: str = "bolso", first: int = 1000) -> bool:
    """Ejercicio 00.1: cuántas imágenes de ``class_name`` hay entre las ``first`` primeras de prueba."""
    data = fashion()
    c = data.classes.index(class_name)
    expected = int((data.test_labels[:first] == c).sum())
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta. Cuenta con (etiquetas == clase).sum().")
    value = as_int(answer)
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
    data = fashion()
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
    data = fashion()
    x = data.train_images.float().mean(dim=(1, 2))
    brightness = torch.stack([x[data.train_labels == c].mean() for c in range(len(data.classes))])
    expected = int(brightness.argmax())
    if answer is None:
        return report(
            False, "", "Sustituye el None por tu respuesta. Calcula el brillo medio de cada clase y usa argmax."
        )
    idx = class_index(answer, data.classes)
    if idx is None:
        return report(False, "", f"No reconozco {answer!r} como clase: da un índice de 0 a 9 o un nombre de CLASSES.")
    if idx == expected:
        return report(True, f"La clase más brillante es «{data.classes[expected]}» ({expected}).", "")
    if idx == int(brightness.argmin()):
        return report(False, "", "Esa es la clase más oscura: buscas el máximo (argmax), no el mínimo.")
    rank = int((brightness > brightness[idx]).sum()) + 1
    return report(False, "", f"«{data.classes[idx]}» es la {rank}.ª más brillante de 10; busca la primera.")
