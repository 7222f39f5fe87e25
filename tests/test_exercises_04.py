"""Correctores del cuaderno 04: la respuesta correcta pasa y un banco de equivocadas no (ninguna lanza)."""

import math

import pytest
import torch
from torch import nn

from utils.exercises import (
    EJERCICIO_04_CONFIG,
    check_attention_maps_shape,
    check_flops_ratio,
    check_num_tokens,
    check_small_vit_config,
    check_vit_forward,
    check_vit_param_count,
)
from utils.flops import vit_flops
from utils.patches import PatchEmbedding
from utils.vit import Block, ViT, ViTConfig, count_parameters

PARAMS = count_parameters(ViT(**EJERCICIO_04_CONFIG))
D = EJERCICIO_04_CONFIG["dim"]


def test_param_count_correct():
    assert check_vit_param_count(PARAMS)
    assert check_vit_param_count(torch.tensor(PARAMS))
    assert check_vit_param_count(float(PARAMS))


@pytest.mark.parametrize(
    "wrong",
    [
        None,
        str(PARAMS),
        True,
        math.nan,
        math.inf,
        [PARAMS],
        PARAMS - D,
        PARAMS - 2 * D,
        PARAMS + 1,
        PARAMS + 0.5,
        205962,
    ],
)
def test_param_count_rejects(wrong, capsys):
    assert not check_vit_param_count(wrong)
    assert "❌" in capsys.readouterr().out


def test_param_count_hint(capsys):
    check_vit_param_count(PARAMS - 2 * D)
    assert "token CLS" in capsys.readouterr().out


def test_param_count_keeps_global_rng():
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    check_vit_param_count(PARAMS)
    assert torch.equal(torch.rand(2), expected)


def test_num_tokens_correct():
    assert check_num_tokens(257)
    assert check_num_tokens(257.0)
    assert check_num_tokens(50, img_size=28, patch_size=4)


@pytest.mark.parametrize("wrong", [None, "257", True, math.nan, math.inf, 256, 16, 17, 257.5, 197, [257]])
def test_num_tokens_rejects(wrong, capsys):
    assert not check_num_tokens(wrong)
    out = capsys.readouterr().out
    assert "❌" in out and "257" not in out.replace(repr(wrong), "")


def test_attention_maps_shape_correct():
    model = ViT(patch_size=7, depth=3, num_heads=2)
    maps = model.attention_maps(torch.zeros(5, 1, 28, 28))
    assert check_attention_maps_shape((len(maps), tuple(maps[0].shape)))
    assert check_attention_maps_shape([3, torch.Size([5, 2, 17, 17])])


@pytest.mark.parametrize(
    "wrong",
    [
        None,
        "no sé",
        True,
        (3, (5, 2, 16, 16)),
        (6, (5, 2, 17, 17)),
        (5, 2, 17, 17),
        (3, 17),
        (3, (2, 5, 17, 17)),
        (3, (5, 2, 17)),
        (math.nan, (5, 2, 17, 17)),
        (3, (5, 2, math.inf, 17)),
        (3, (5, 4, 17, 17)),
        (3, "forma"),
    ],
)
def test_attention_maps_shape_rejects(wrong, capsys):
    assert not check_attention_maps_shape(wrong)
    out = capsys.readouterr().out
    assert "❌" in out and "(5, 2, 17, 17)" not in out  # no regala la forma


def test_attention_maps_shape_hints(capsys):
    check_attention_maps_shape((3, (2, 5, 17, 17)))
    assert "al revés" in capsys.readouterr().out
    check_attention_maps_shape((3, (5, 2, 16, 16)))
    assert "CLS" in capsys.readouterr().out


# --- El forward del ViT ----------------------------------------------------------------------------


class _Skeleton(nn.Module):
    """El __init__ del enunciado del ejercicio 04.5."""

    def __init__(self, config):
        super().__init__()
        c = config
        self.patch_embed = PatchEmbedding(c.img_size, c.patch_size, c.in_chans, c.dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, c.dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, c.dim))
        self.blocks = nn.ModuleList(Block(c.dim, c.num_heads, c.mlp_dim) for _ in range(c.depth))
        self.norm = nn.LayerNorm(c.dim)
        self.head = nn.Linear(c.dim, c.num_classes)

    def tokens(self, x, pos=True, batch=None):
        x = self.patch_embed(x)
        cls = self.cls_token.expand(batch or x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + (self.pos_embed if pos else 0)
        for block in self.blocks:
            x = block(x)
        return x


class _Correct(_Skeleton):
    def forward(self, x):
        return self.head(self.norm(self.tokens(x))[:, 0])


class _NoFinalNorm(_Skeleton):
    def forward(self, x):
        return self.head(self.tokens(x)[:, 0])


class _MeanPool(_Skeleton):
    def forward(self, x):
        return self.head(self.norm(self.tokens(x))[:, 1:].mean(1))


class _NoPosition(_Skeleton):
    def forward(self, x):
        return self.head(self.norm(self.tokens(x, pos=False))[:, 0])


class _Softmax(_Correct):
    def forward(self, x):
        return super().forward(x).softmax(-1)


class _Transposed(_Correct):
    def forward(self, x):
        return super().forward(x).T


class _NaN(_Correct):
    def forward(self, x):
        return super().forward(x) * math.nan


class _FixedBatch(_Skeleton):  # bien solo con lotes de 16 imágenes
    def forward(self, x):
        return self.head(self.norm(self.tokens(x, batch=16))[:, 0])


class _OnlyGray(_Skeleton):  # bien solo con imágenes de un canal de 28×28
    def forward(self, x):
        x = x[:, :1, :28, :28]
        return self.head(self.norm(self.tokens(x))[:, 0])


class _AllTokens(_Skeleton):
    def forward(self, x):
        return self.head(self.norm(self.tokens(x)))


class _Placeholder(_Skeleton):
    def forward(self, x):
        return None  # tu código aquí


class _Crashes(_Skeleton):
    def forward(self, x):
        raise RuntimeError("fallo a propósito")


class _UsesViT(_Skeleton):  # llama al forward de utils.vit.ViT en lugar de escribirlo
    def forward(self, x):
        ref = ViT(config=ViTConfig(dim=32, depth=2, num_heads=2, mlp_dim=64))
        return ref(x)


class _OtherNames(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embedding = nn.Linear(16, config.dim)


def test_vit_forward_correct():
    assert check_vit_forward(_Correct)


@pytest.mark.parametrize(
    "wrong",
    [
        None,
        "ViTEjercicio",
        _Correct(ViTConfig()),
        _NoFinalNorm,
        _MeanPool,
        _NoPosition,
        _Softmax,
        _Transposed,
        _NaN,
        _FixedBatch,
        _OnlyGray,
        _AllTokens,
        _Placeholder,
        _Crashes,
        _UsesViT,
        _OtherNames,
        ViT,
        int,
    ],
)
def test_vit_forward_rejects(wrong, capsys):
    assert not check_vit_forward(wrong)
    assert "❌" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_NoFinalNorm, "LayerNorm final"),
        (_MeanPool, "token CLS"),
        (_NoPosition, "posición"),
        (_Softmax, "softmax"),
        (_AllTokens, "un vector por token"),
        (_FixedBatch, "una imagen"),
        (_UsesViT, "prohíbe"),
    ],
)
def test_vit_forward_hints(wrong, hint, capsys):
    check_vit_forward(wrong)
    assert hint in capsys.readouterr().out


# --- Predicción de los FLOPs y configuración pequeña -----------------------------------------------

RATIO = vit_flops(ViTConfig(patch_size=2)) / vit_flops(ViTConfig())


def test_flops_ratio_correct():
    assert check_flops_ratio(RATIO)
    assert check_flops_ratio(round(RATIO))


@pytest.mark.parametrize("wrong", [None, "6", True, math.nan, math.inf, 4, 3.94, 16, 15.5, 2, 0.17, -RATIO])
def test_flops_ratio_rejects(wrong, capsys):
    assert not check_flops_ratio(wrong)
    assert "❌" in capsys.readouterr().out


def test_flops_ratio_hints(capsys):
    check_flops_ratio(4)
    assert "T²" in capsys.readouterr().out
    check_flops_ratio(16)
    assert "solo crecen con T" in capsys.readouterr().out


def test_small_config_correct():
    assert check_small_vit_config(ViTConfig(dim=48, depth=4, num_heads=3, mlp_dim=96))


@pytest.mark.parametrize(
    "wrong",
    [
        None,
        "ViTConfig()",
        {"dim": 48},
        ViTConfig(),
        ViTConfig(in_chans=3),
        ViTConfig(img_size=32, dim=32),
        ViTConfig(num_classes=100, dim=32),
        ViT(dim=32),
        ViTConfig(dim=96, depth=2, mlp_dim=384),
    ],
)
def test_small_config_rejects(wrong, capsys):
    assert not check_small_vit_config(wrong)
    assert "❌" in capsys.readouterr().out
