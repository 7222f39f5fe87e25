"""Correctores del cuaderno 07: la respuesta correcta pasa y cada respuesta del banco de errores se rechaza.

Ningún corrector lanza una excepción, llegue lo que llegue, y un NaN nunca es correcto.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.exercise_helpers import JUNK, silent
from utils.exercises import check_flops_growth, check_lsa_weights, check_mlp_ratio, check_shift
from utils.flops import vit_flops
from utils.vit import ViTConfig
from utils.vit_variants import ShiftedPatchEmbedding


@pytest.mark.parametrize("checker", [check_mlp_ratio, check_flops_growth, check_shift, check_lsa_weights])
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_never_raises_and_rejects_junk(checker, junk, capsys):
    assert not silent(checker, junk, capsys)[0]


def test_check_mlp_ratio(capsys):
    for good in (3.0, 3, 576 / 192, torch.tensor(3.0), np.float64(3.0)):
        assert silent(check_mlp_ratio, good, capsys)[0]
    wrong = {
        "el ancho del MLP": (576, "ancho del MLP"),
        "al revés": (192 / 576, "al revés"),
        "el de timm por defecto": (4.0, "defecto"),
        "NaN": (float("nan"), "no finito"),
        "texto": ("3", "sin comillas"),
        "el de ViT del curso": (2.0, ""),
        "redondeado": (2.9, ""),
    }
    for name, (answer, clue) in wrong.items():
        verdict, out = silent(check_mlp_ratio, answer, capsys)
        assert not verdict and clue in out, f"{name}: {out}"
        assert " 3 " not in out and "3.0" not in out, f"{name}: el mensaje da la respuesta"


def _tiny(p):
    return ViTConfig(
        img_size=224, patch_size=p, in_chans=3, num_classes=1000, dim=192, depth=12, num_heads=3, mlp_dim=768
    )


def test_check_flops_growth(capsys):
    right = vit_flops(_tiny(8)) / vit_flops(_tiny(16))
    assert 4.2 < right < 6  # más que los tokens, mucho menos que su cuadrado
    for good in (right, round(right, 2), torch.tensor(right)):
        assert silent(check_flops_growth, good, capsys)[0]
    tokens = 785 / 197
    wrong = {
        "los tokens": (tokens, "tokens"),
        "los tokens al cuadrado": (tokens**2, "N²"),
        "al revés": (1 / right, "mayor que 1"),
        "el lado del parche": (2.0, "lado"),
        "NaN": (float("nan"), "no finito"),
        "infinito": (float("inf"), "no finito"),
        "cuatro": (4, ""),
        "texto": (f"{right}", "sin comillas"),
    }
    for name, (answer, clue) in wrong.items():
        verdict, out = silent(check_flops_growth, answer, capsys)
        assert not verdict and clue in out, f"{name}: {out}"
        assert f"{right:.2f}"[:3] not in out.replace(f"{right}", "") or name == "texto", f"{name}: da la respuesta"


def good_shift(x, dy, dx):
    H, W = x.shape[-2:]
    s = max(abs(dy), abs(dx), 1)
    padded = F.pad(x, (s, s, s, s))
    return padded[..., s - dy : s - dy + H, s - dx : s - dx + W]


def test_check_shift_accepts_a_correct_function(capsys):
    assert silent(check_shift, good_shift, capsys)[0]


def test_check_shift_rejects_the_bank_of_wrong_answers(capsys):
    spt = ShiftedPatchEmbedding()

    def nan_shift(x, dy, dx):
        return good_shift(x, dy, dx) * float("nan")

    def utils_shift(x, dy, dx):
        return spt.shifted(x)[:, x.shape[1] :][:, : x.shape[1]]

    def only_channel_0(x, dy, dx):
        out = good_shift(x, dy, dx)
        return out[:, :1].expand_as(out).clone()

    def square_only(x, dy, dx):
        H = x.shape[-2]
        return good_shift(x[..., :H, :H], dy, dx) if x.shape[-1] != H else good_shift(x, dy, dx)

    def positive_only(x, dy, dx):
        return good_shift(x, abs(dy), abs(dx))

    def not_implemented(x, dy, dx):
        raise NotImplementedError

    wrong = {
        "torch.roll": (lambda x, dy, dx: torch.roll(x, (dy, dx), (-2, -1)), "torch.roll"),
        "sentido contrario": (lambda x, dy, dx: good_shift(x, -dy, -dx), "contrario"),
        "ejes cambiados": (lambda x, dy, dx: good_shift(x, dx, dy), "ejes"),
        "NaN": (nan_shift, "NaN"),
        "la de utils": (utils_shift, "prohíbe"),
        "solo el canal 0": (only_channel_0, ""),
        "solo cuadradas": (square_only, ""),
        "solo positivos": (positive_only, ""),
        "sin escribir": (not_implemented, "Aún no"),
        "la identidad": (lambda x, dy, dx: x, ""),
    }
    for name, (fn, clue) in wrong.items():
        verdict, out = silent(check_shift, fn, capsys)
        assert not verdict and clue in out, f"{name}: {out}"


def good_lsa(q, k, logit_scale):
    scores = q @ k.transpose(-2, -1) * logit_scale.exp()
    n = q.shape[-2]
    return scores.masked_fill(torch.eye(n, dtype=torch.bool), float("-inf")).softmax(-1)


def test_check_lsa_weights_accepts_correct_functions(capsys):
    assert silent(check_lsa_weights, good_lsa, capsys)[0]

    def big_negative(q, k, logit_scale):
        scores = q @ k.transpose(-2, -1) * math.exp(float(logit_scale))
        return (scores - 1e9 * torch.eye(q.shape[-2])).softmax(dim=-1)

    assert silent(check_lsa_weights, big_negative, capsys)[0]


def test_check_lsa_weights_rejects_the_bank_of_wrong_answers(capsys):
    from utils.vit_variants import LocalitySelfAttention

    def no_mask(q, k, s):
        return (q @ k.transpose(-2, -1) * s.exp()).softmax(-1)

    def also_sqrt_d(q, k, s):
        return good_lsa(q / math.sqrt(q.shape[-1]), k, s)

    def scale_not_exp(q, k, s):
        return good_lsa(q, k, torch.log(s) if s > 0 else s)

    def mask_after(q, k, s):
        w = (q @ k.transpose(-2, -1) * s.exp()).softmax(-1)
        return w * (1 - torch.eye(q.shape[-2]))

    def transposed(q, k, s):
        return good_lsa(q, k, s).transpose(-2, -1)

    def with_sdpa(q, k, s):
        F.scaled_dot_product_attention(q, k, k)
        return good_lsa(q, k, s)

    def uses_utils(q, k, s):
        LocalitySelfAttention(q.shape[-1], 1)(q.flatten(0, -3))
        return good_lsa(q, k, s)

    def four_dims_only(q, k, s):
        if q.ndim != 4:
            return torch.zeros(*q.shape[:-1], q.shape[-2])
        return good_lsa(q, k, s)

    wrong = {
        "sin máscara": (no_mask, "diagonal"),
        "dividiendo por √d": (also_sqrt_d, "√d"),
        "escala sin exp": (scale_not_exp, "exp"),
        "máscara después": (mask_after, "suman 1"),
        "traspuesta": (transposed, ""),
        "con sdpa": (with_sdpa, "prohíbe"),
        "con la de utils": (uses_utils, "prohíbe"),
        "NaN": (lambda q, k, s: good_lsa(q, k, s) * float("nan"), "NaN"),
        "solo 4 ejes": (four_dims_only, ""),
    }
    for name, (fn, clue) in wrong.items():
        verdict, out = silent(check_lsa_weights, fn, capsys)
        assert not verdict and clue in out, f"{name}: {out}"
