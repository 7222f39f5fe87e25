"""Correctores del cuaderno 01: respuesta correcta → True, equivocada → False, None → False."""

import torch

from utils.exercises import check_patch_count, check_patch_index, check_patchify
from utils.patches import patchify


def test_check_patch_count(capsys):
    assert check_patch_count(196)
    assert check_patch_count(49, img_size=28, patch_size=4)
    assert not check_patch_count(14)
    assert not check_patch_count(197)
    assert not check_patch_count(None)
    assert check_patch_count(196.0)  # (224 / 16) ** 2 también vale
    assert not check_patch_count(196.5)
    capsys.readouterr()
    check_patch_count(256)
    assert "píxeles" in capsys.readouterr().out


def test_check_patch_index(capsys):
    # Píxel (13, 22) con p=4 en 28×28: fila 3, columna 5 de una cuadrícula 7×7 → 3·7 + 5 = 26.
    assert check_patch_index(26)
    assert check_patch_index(0, row=0, col=3)
    assert not check_patch_index(None)
    assert not check_patch_index((3, 5))
    capsys.readouterr()
    assert not check_patch_index(5 * 7 + 3)
    assert "intercambiado" in capsys.readouterr().out
    assert not check_patch_index(27)
    assert "empiezan en 0" in capsys.readouterr().out


def _right(images, p):
    B, C, H, W = images.shape
    x = images.reshape(B, C, H // p, p, W // p, p).permute(0, 2, 4, 1, 3, 5)
    return x.reshape(B, (H // p) * (W // p), C * p * p)


def _columns_first(images, p):
    B, N, P = patchify(images, p).shape
    g = int(N**0.5)
    return patchify(images, p).reshape(B, g, g, P).transpose(1, 2).reshape(B, N, P)


def _naive_reshape(images, p):
    return images.reshape(images.shape[0], -1, p * p)


def _only_p4(images, p):
    return patchify(images, 4)


def test_check_patchify(capsys):
    assert check_patchify(_right)
    assert check_patchify(patchify)
    assert not check_patchify(None)
    assert not check_patchify(lambda images, p: None)
    assert not check_patchify(_right(torch.zeros(1, 1, 28, 28), 4))
    capsys.readouterr()
    assert not check_patchify(_columns_first)
    assert "columnas" in capsys.readouterr().out
    assert not check_patchify(_naive_reshape)
    assert "orden" in capsys.readouterr().out
    assert not check_patchify(_only_p4)
    assert "p=7" in capsys.readouterr().out
    assert not check_patchify(lambda images, p: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out
