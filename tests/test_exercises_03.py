"""Correctores del cuaderno 03: respuesta correcta → True, equivocada → False, None → False."""

import torch
from torch import nn

from utils.exercises import check_block_fix, check_block_params, check_layer_norm
from utils.vit import Block


def test_check_block_params(capsys):
    # 2 LayerNorm (2·128) + atención (64·192 + 192 + 64·64 + 64) + MLP (64·128 + 128 + 128·64 + 64)
    expected = 2 * 128 + (64 * 192 + 192 + 64 * 64 + 64) + (64 * 128 + 128 + 128 * 64 + 64)
    assert check_block_params(expected)
    assert not check_block_params(None)
    assert not check_block_params([expected])
    capsys.readouterr()
    assert not check_block_params(expected - 256)
    assert "LayerNorm" in capsys.readouterr().out
    assert not check_block_params(expected + 1)


def _layer_norm(x, weight, bias, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, unbiased=False, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * weight + bias


def _unbiased(x, weight, bias, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    return (x - mu) / torch.sqrt(x.var(dim=-1, keepdim=True) + eps) * weight + bias


def _no_affine(x, weight, bias, eps=1e-5):
    return _layer_norm(x, 1.0, 0.0, eps)


def test_check_layer_norm(capsys):
    assert check_layer_norm(_layer_norm)
    assert not check_layer_norm(None)
    capsys.readouterr()
    assert not check_layer_norm(_unbiased)
    assert "insesgada" in capsys.readouterr().out
    assert not check_layer_norm(_no_affine)
    assert "γ" in capsys.readouterr().out
    assert not check_layer_norm(lambda x, w, b, eps=1e-5: x)


class FixedBlock(Block):
    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class BuggyBlock(Block):
    """El cableado con errores que circula en material de cursos: normaliza la propia corriente residual."""

    def forward(self, x):
        x = self.norm1(x)
        att = self.attn(x)
        return x + self.mlp(self.norm2(x + att))


class HalfFixedBlock(Block):
    def forward(self, x):
        h = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(h))


class NotWritten(Block):
    def forward(self, x):
        raise NotImplementedError


class OtherNames(nn.Module):
    def __init__(self, dim, num_heads, mlp_dim):
        super().__init__()
        self.ln = nn.LayerNorm(dim)

    def forward(self, x):
        return self.ln(x)


def test_check_block_fix(capsys):
    assert check_block_fix(FixedBlock)
    assert check_block_fix(Block)
    assert not check_block_fix(None)
    assert not check_block_fix(FixedBlock(32, 4, 64))  # una instancia, no la clase
    capsys.readouterr()
    assert not check_block_fix(BuggyBlock)
    assert "errores" in capsys.readouterr().out
    assert not check_block_fix(HalfFixedBlock)
    assert "atención" in capsys.readouterr().out
    assert not check_block_fix(NotWritten)
    assert "NotImplementedError" in capsys.readouterr().out
    assert not check_block_fix(OtherNames)
    assert "submódulos" in capsys.readouterr().out


def test_check_block_fix_keeps_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_block_fix(FixedBlock)
    assert torch.equal(torch.rand(3), expected)
