"""Correctores del cuaderno 01: la respuesta correcta pasa y cada respuesta del banco de errores se rechaza.

Ningún corrector lanza una excepción, llegue lo que llegue, y un NaN nunca es correcto.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.exercise_helpers import JUNK, silent
from utils.exercises import check_attention_growth, check_patch_count, check_patch_index, check_patchify
from utils.patches import patchify


@pytest.mark.parametrize("checker", [check_patch_count, check_attention_growth, check_patch_index, check_patchify])
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_never_raises_and_rejects_junk(checker, junk, capsys):
    assert not silent(checker, junk, capsys)[0]


def test_check_patch_count(capsys):
    for good in (576, 576.0, (384 // 16) ** 2, torch.tensor(576), np.int64(576), (384 / 16) ** 2):
        assert silent(check_patch_count, good, capsys)[0]
    assert check_patch_count(49, img_size=28, patch_size=4)
    capsys.readouterr()
    wrong = {
        "por lado": (24, "por lado"),
        "píxeles del parche": (256, "píxeles"),
        "con el token CLS": (577, "CLS"),
        "el de 224": (196, "224"),
        "decimal": (576.5, ""),
        "NaN": (float("nan"), "no finito"),
        "texto": ("576", "sin comillas"),
        "lista": ([24, 24], ""),
        "píxeles de la imagen": (384 * 384, ""),
    }
    for name, (answer, clue) in wrong.items():
        verdict, out = silent(check_patch_count, answer, capsys)
        assert not verdict and clue in out, f"{name}: {out}"
        assert "576" not in out or name == "texto", f"{name}: el mensaje da la respuesta"


def test_check_attention_growth(capsys):
    right = (576 / 196) ** 2
    for good in (right, round(right, 2), torch.tensor(right), 576**2 / 196**2):
        assert silent(check_attention_growth, good, capsys)[0]
    wrong = {
        "lo que crece N": (576 / 196, "crece N"),
        "lo que crece el lado": (384 / 224, "lado"),
        "al revés": (1 / right, "al revés"),
        "la diferencia": (576**2 - 196**2, "diferencia"),
        "los píxeles": ((384 / 224) ** 2, ""),
        "NaN": (float("nan"), "no finito"),
        "infinito": (math.inf, "no finito"),
        "lo que crece N⁴": (right**2, ""),
    }
    for name, (answer, clue) in wrong.items():
        verdict, out = silent(check_attention_growth, answer, capsys)
        assert not verdict and clue in out, f"{name}: {out}"
        assert "8.6" not in out and "8,6" not in out, f"{name}: el mensaje da la respuesta"


def test_check_patch_index(capsys):
    # Píxel (13, 22) con p=4 en 28×28: fila 3, columna 5 de una cuadrícula 7×7.
    right = (13 // 4) * 7 + 22 // 4
    for good in (right, float(right), torch.tensor(right)):
        assert silent(check_patch_index, good, capsys)[0]
    assert check_patch_index(0, row=0, col=3)
    capsys.readouterr()
    wrong = {
        "fila y columna cambiadas": (5 * 7 + 3, "intercambiado"),
        "contando desde 1": (right + 1, "empiezan en 0"),
        "fila y columna desde 1": (4 * 7 + 6, "empiezan en 0"),
        "índice del píxel": (13 * 28 + 22, "píxel"),
        "con 4 parches por fila": (3 * 4 + 5, "parches"),
        "la pareja (i, j)": ((3, 5), "un solo número"),
        "NaN": (float("nan"), "no finito"),
        "negativo": (-right, ""),
        "texto": ("veintiséis", "sin comillas"),
    }
    for name, (answer, clue) in wrong.items():
        verdict, out = silent(check_patch_index, answer, capsys)
        assert not verdict and clue in out, f"{name}: {out}"
        assert f"parche {right}" not in out and f" {right}." not in out, f"{name}: el mensaje da la respuesta"


# --- 01.4: mi_patchify ---------------------------------------------------------------------------------


def _right(images, p):
    B, C, H, W = images.shape
    x = images.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, (H // p) * (W // p), C * p * p)


def _right_unfold(images, p):
    return F.unfold(images, kernel_size=p, stride=p).transpose(1, 2)  # (B, N, C·p·p), otra ruta válida


def _channels_last(images, p):  # bien con un canal, mal en color
    B, C, H, W = images.shape
    x = images.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 3, 5, 1)
    return x.reshape(B, (H // p) * (W // p), C * p * p)


def _first_channel(images, p):  # fija images[:, 0]
    B, _, H, W = images.shape
    x = images[:, 0].reshape(B, H // p, p, W // p, p).permute(0, 1, 3, 2, 4)
    return x.reshape(B, (H // p) * (W // p), p * p)


def _square_only(images, p):  # usa H para las dos direcciones
    B, C, H, _ = images.shape
    x = images[..., :H].reshape(B, C, H // p, p, H // p, p).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, (H // p) ** 2, C * p * p)


def _columns_first(images, p):
    B, C, H, W = images.shape
    x = images.reshape(B, C, H // p, p, W // p, p).permute(0, 4, 2, 1, 3, 5)
    return x.reshape(B, (H // p) * (W // p), C * p * p)


def _inner_transposed(images, p):
    B, C, H, W = images.shape
    x = images.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 5, 3)
    return x.reshape(B, (H // p) * (W // p), C * p * p)


def _naive_reshape(images, p):
    return images.reshape(images.shape[0], -1, images.shape[1] * p * p)


def _only_p4(images, p):
    return _right(images, 4)


def _with_nan(images, p):
    out = _right(images, p)
    out[0, 0, 0] = float("nan")
    return out


def _wraps_reference(images, p):
    return patchify(images, p)


def _first_image_only(images, p):
    return _right(images[:1], p).expand(images.shape[0], -1, -1)


WRONG_PATCHIFY = {
    "canal al final (falla en color)": (_channels_last, "canal va primero"),
    "fija images[:, 0]": (_first_channel, "images[:, 0]"),
    "solo imágenes cuadradas": (_square_only, "no cuadradas"),
    "parches por columnas": (_columns_first, "columnas"),
    "píxeles del parche por columnas": (_inner_transposed, "por columnas"),
    "reshape directo": (_naive_reshape, "orden"),
    "siempre p=4": (_only_p4, "p=7"),
    "un NaN": (_with_nan, "NaN"),
    "llama a utils.patches.patchify": (_wraps_reference, "utils.patches.patchify"),
    "la propia utils.patches.patchify": (patchify, "utils.patches.patchify"),
    "solo la primera imagen": (_first_image_only, "parte del lote"),
    "traspone el resultado": (lambda images, p: _right(images, p).transpose(1, 2), "ejes cambiados"),
    "devuelve None": (lambda images, p: None, "return"),
    "devuelve una lista": (lambda images, p: _right(images, p).tolist(), "tensor"),
    "lanza un error": (lambda images, p: 1 / 0, "ZeroDivisionError"),
    "booleano": (lambda images, p: _right(images, p) > 0, "tipo"),
    "sin el argumento p": (lambda images: _right(images, 4), "TypeError"),
    "tensor sin datos (meta)": (lambda images, p: _right(images, p).to("meta"), "No he podido corregir"),
}


def test_check_patchify_accepts_right_versions(capsys):
    assert silent(check_patchify, _right, capsys)[0]
    assert silent(check_patchify, _right_unfold, capsys)[0]
    assert silent(check_patchify, lambda images, p: _right(images, p).double(), capsys)[0]


@pytest.mark.parametrize("name", list(WRONG_PATCHIFY))
def test_check_patchify_rejects(name, capsys):
    fn, clue = WRONG_PATCHIFY[name]
    verdict, out = silent(check_patchify, fn, capsys)
    assert not verdict and clue in out, out


def test_check_patchify_restores_the_profiler(capsys):
    import sys

    before = sys.getprofile()
    check_patchify(_wraps_reference)
    check_patchify(lambda images, p: 1 / 0)
    assert sys.getprofile() is before
