"""Pruebas de los correctores del cuaderno 04: respuesta correcta, equivocada y sin responder."""

import torch
from torch import nn

from utils.exercises import (
    EJERCICIO_04_CONFIG,
    check_attention_maps_shape,
    check_num_tokens,
    check_vit_forward,
    check_vit_param_count,
)
from utils.patches import PatchEmbedding
from utils.vit import Block, ViT, count_parameters


class _Skeleton(nn.Module):
    """El __init__ del enunciado del ejercicio 04.4."""

    def __init__(self, config):
        super().__init__()
        c = config
        self.patch_embed = PatchEmbedding(c.img_size, c.patch_size, c.in_chans, c.dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, c.dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, c.dim))
        self.blocks = nn.ModuleList(Block(c.dim, c.num_heads, c.mlp_dim) for _ in range(c.depth))
        self.norm = nn.LayerNorm(c.dim)
        self.head = nn.Linear(c.dim, c.num_classes)

    def tokens(self, x):
        x = self.patch_embed(x)
        cls = self.cls_token.expand(x.shape[0], -1, -1)
        x = torch.cat([cls, x], dim=1) + self.pos_embed
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


class _Placeholder(_Skeleton):
    def forward(self, x):
        return None  # tu código aquí


class _Crashes(_Skeleton):
    def forward(self, x):
        raise RuntimeError("fallo a propósito")


class _OtherNames(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embedding = nn.Linear(16, config.dim)


def test_param_count():
    expected = count_parameters(ViT(**EJERCICIO_04_CONFIG))
    assert check_vit_param_count(expected)
    assert check_vit_param_count(torch.tensor(expected))
    assert not check_vit_param_count(expected - EJERCICIO_04_CONFIG["dim"])
    assert not check_vit_param_count(expected + 1)
    assert not check_vit_param_count(expected + 0.5)
    assert not check_vit_param_count(None)


def test_param_count_hint(capsys):
    expected = count_parameters(ViT(**EJERCICIO_04_CONFIG))
    check_vit_param_count(expected - 2 * EJERCICIO_04_CONFIG["dim"])
    assert "token CLS" in capsys.readouterr().out


def test_num_tokens():
    assert check_num_tokens(257)
    assert check_num_tokens(50, img_size=28, patch_size=4)
    assert not check_num_tokens(256)
    assert not check_num_tokens(16)
    assert not check_num_tokens("257")
    assert not check_num_tokens(None)


def test_attention_maps_shape():
    model = ViT(patch_size=7, depth=3, num_heads=2)
    maps = model.attention_maps(torch.zeros(5, 1, 28, 28))
    real = (len(maps), tuple(maps[0].shape))
    assert check_attention_maps_shape(real)
    assert check_attention_maps_shape([3, torch.Size([5, 2, 17, 17])])
    assert not check_attention_maps_shape((3, (5, 2, 16, 16)))
    assert not check_attention_maps_shape((6, (5, 2, 17, 17)))
    assert not check_attention_maps_shape((5, 2, 17, 17))
    assert not check_attention_maps_shape((3, 17))
    assert not check_attention_maps_shape(None)


def test_vit_forward():
    assert check_vit_forward(_Correct)
    assert not check_vit_forward(_NoFinalNorm)
    assert not check_vit_forward(_MeanPool)
    assert not check_vit_forward(_Placeholder)
    assert not check_vit_forward(_Crashes)
    assert not check_vit_forward(_OtherNames)
    assert not check_vit_forward(_Correct(ViT().config))
    assert not check_vit_forward(None)


def test_vit_forward_hints(capsys):
    check_vit_forward(_NoFinalNorm)
    assert "LayerNorm final" in capsys.readouterr().out
    check_vit_forward(_MeanPool)
    assert "token CLS" in capsys.readouterr().out
