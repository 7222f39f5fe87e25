"""Correctores del cuaderno 00: la respuesta correcta pasa y cada respuesta del banco de errores se rechaza.

Ningún corrector lanza una excepción, llegue lo que llegue, y un NaN nunca es correcto.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from tests.exercise_helpers import JUNK, silent
from utils.data import MEAN, STD, to_float
from utils.exercises import (
    check_brightest_class,
    check_class_brightness,
    check_class_count,
    check_mean_image,
    check_normalized_range,
)


@pytest.mark.parametrize(
    "checker",
    [check_class_count, check_mean_image, check_class_brightness, check_brightest_class, check_normalized_range],
)
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_never_raises_and_rejects_junk(checker, junk, capsys):
    verdict, _ = silent(checker, junk, capsys)
    assert not verdict


# --- 00.1: cuántos «bolso» entre las 1000 primeras de prueba ------------------------------------------


def test_check_class_count(fashion, capsys):
    c = fashion.classes.index("bolso")
    right = int((fashion.test_labels[:1000] == c).sum())
    for good in (right, torch.tensor(right), np.int64(right), float(right), (fashion.test_labels[:1000] == c).sum()):
        assert silent(check_class_count, good, capsys)[0]
    wrong = {
        "uno más": right + 1,
        "en entrenamiento": int((fashion.train_labels[:1000] == c).sum()),
        "total de la clase": 1000,
        "otra clase": int((fashion.test_labels[:1000] == c - 2).sum()),
        "la máscara sin sumar": fashion.test_labels[:1000] == c,
        "NaN": float("nan"),
        "decimal": right + 0.5,
        "texto": str(right),
        "tensor de dos valores": torch.tensor([right, right]),
    }
    for name, answer in wrong.items():
        verdict, out = silent(check_class_count, answer, capsys)
        assert not verdict, name
        assert not re.search(rf"(?<![\d.]){right}(?!\.?\d)", out), f"{name}: el mensaje da la respuesta"


# --- 00.2: imagen media de «sandalia» -----------------------------------------------------------------


def test_check_mean_image(fashion, capsys):
    c = fashion.classes.index("sandalia")
    sandals = fashion.train_images[fashion.train_labels == c]
    right = sandals.float().mean(0) / 255
    for good in (right, right.numpy(), right.double(), right.half().float().clamp(0, 1) * 0 + right):
        assert silent(check_mean_image, good, capsys)[0]
    with_nan = right.clone()
    with_nan[5, 5] = float("nan")
    wrong = {
        "NaN en un píxel": (with_nan, "NaN"),
        "traspuesta": (right.T, "traspuesta"),
        "escala 0-255": (right * 255, "0-255"),
        "con un eje de más": (right[None], "squeeze"),
        "aplanada": (right.flatten(), "squeeze"),
        "del conjunto de prueba": (fashion.test_images[fashion.test_labels == c].float().mean(0) / 255, "prueba"),
        "de todas las clases": (fashion.train_images.float().mean(0) / 255, "todas las clases"),
        "mediana en vez de media": (sandals.float().median(0).values / 255, ""),
        "una sola imagen": (sandals[0].float() / 255, ""),
        "valor fijo": (torch.full((28, 28), 0.137), ""),
        "otra clase": (fashion.train_images[fashion.train_labels == c + 2].float().mean(0) / 255, ""),
        "booleana": (right > 0.1, "tipo"),
        "ligeramente desplazada": (right + 0.01, ""),
    }
    for name, (answer, clue) in wrong.items():
        verdict, out = silent(check_mean_image, answer, capsys)
        assert not verdict, name
        assert clue in out, f"{name}: {out}"


# --- 00.3: brillo medio de cada clase y la más brillante ------------------------------------------------


@pytest.fixture(scope="module")
def brightness(fashion):
    per_image = fashion.train_images.float().mean(dim=(1, 2)) / 255
    return torch.stack([per_image[fashion.train_labels == c].mean() for c in range(10)])


def test_check_class_brightness(fashion, brightness, capsys):
    for good in (brightness, brightness.double(), brightness[:, None], brightness.tolist()):
        assert silent(check_class_brightness, good, capsys)[0]
    per_image_test = fashion.test_images.float().mean(dim=(1, 2)) / 255
    with_nan = brightness.clone()
    with_nan[3] = float("nan")
    wrong = {
        "NaN": (with_nan, "NaN"),
        "escala 0-255": (brightness * 255, "0-255"),
        "ordenado": (brightness.sort(descending=True).values, "orden"),
        "del conjunto de prueba": (
            torch.stack([per_image_test[fashion.test_labels == c].mean() for c in range(10)]),
            "prueba",
        ),
        "el mismo valor para todas": (torch.full((10,), float(brightness.mean())), "iguales"),
        "máximo en vez de media": (
            torch.stack([fashion.train_images[fashion.train_labels == c].float().amax() / 255 for c in range(10)]),
            "",
        ),
        "solo nueve clases": (brightness[:9], ""),
        "el índice de la más brillante": (int(brightness.argmax()), ""),
    }
    for name, (answer, clue) in wrong.items():
        verdict, out = silent(check_class_brightness, answer, capsys)
        assert not verdict, name
        assert clue in out, f"{name}: {out}"


def test_check_brightest_class(fashion, brightness, capsys):
    right = int(brightness.argmax())
    for good in (right, fashion.classes[right], torch.tensor(right), fashion.classes[right].upper(), float(right)):
        assert silent(check_brightest_class, good, capsys)[0]
    second = int(brightness.argsort(descending=True)[1])
    wrong = {
        "la más oscura": int(brightness.argmin()),
        "la segunda": second,
        "la segunda por nombre": fashion.classes[second],
        "fuera de rango": 10,
        "negativo": -1,
        "una clase que no existe": "zapato de tacón",
        "NaN": float("nan"),
        "el brillo en vez de la clase": float(brightness.max()),
        "el tensor entero": brightness,
    }
    for name, answer in wrong.items():
        verdict, out = silent(check_brightest_class, answer, capsys)
        assert not verdict, name
        assert fashion.classes[right] not in out, f"{name}: el mensaje da la respuesta"
    assert "oscura" in silent(check_brightest_class, int(brightness.argmin()), capsys)[1]


# --- 00.4 (predice): rango de los píxeles tras to_float ------------------------------------------------


def test_check_normalized_range(fashion, capsys):
    x = to_float(fashion.train_images[:2000])
    low, high = (0 - MEAN) / STD, (1 - MEAN) / STD
    assert math.isclose(x.min().item(), low, abs_tol=1e-5) and math.isclose(x.max().item(), high, abs_tol=1e-5)
    for good in ((low, high), [round(low, 2), round(high, 2)], (torch.tensor(low), np.float32(high))):
        assert silent(check_normalized_range, good, capsys)[0]
    wrong = {
        "sin normalizar": ((0, 1), "antes de normalizar"),
        "en 0-255": ((0, 255), "antes de normalizar"),
        "cambiados": ((high, low), "cambiados"),
        "sin dividir entre σ": ((-MEAN, 1 - MEAN), "desviación estándar"),
        "simétrico": ((-1, 1), ""),
        "NaN": ((float("nan"), high), "finitos"),
        "solo el mínimo": (low, "dos números"),
        "tres números": ((low, 0, high), "dos números"),
        "mínimo mal": ((low + 0.1, high), "mínimo"),
        "máximo mal": ((low, high - 0.1), "máximo"),
    }
    for name, (answer, clue) in wrong.items():
        verdict, out = silent(check_normalized_range, answer, capsys)
        assert not verdict, name
        assert clue in out, f"{name}: {out}"
        assert f"{high:.2f}" not in out and f"{low:.2f}" not in out, f"{name}: el mensaje da la respuesta"
