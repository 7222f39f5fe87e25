"""Correctores de los cuadernos 03 y 03b: la respuesta correcta pasa y un banco de equivocadas no.

Cada corrector se prueba con al menos cinco respuestas equivocadas (NaN, la referencia prohibida, una
subclase vacía, un valor fijo, una versión que solo vale en el caso fácil…), y ninguna lanza.
"""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.functional import layer_norm as imported_layer_norm

from utils.block_variants import PostNormBlock
from utils.exercises import (
    check_block_fix,
    check_block_params,
    check_init_prediction,
    check_layer_norm,
    check_post_norm_layer,
)
from utils.exercises.nb03_block import measure_last_block_grads
from utils.vit import Block

BLOCK_PARAMS = 2 * 128 + (64 * 192 + 192 + 64 * 64 + 64) + (64 * 128 + 128 + 128 * 64 + 64)


def test_block_params_correct():
    assert check_block_params(BLOCK_PARAMS)
    assert check_block_params(float(BLOCK_PARAMS))
    assert check_block_params(torch.tensor(BLOCK_PARAMS))


@pytest.mark.parametrize(
    "wrong",
    [
        None,
        "33472",
        True,
        math.nan,
        math.inf,
        [BLOCK_PARAMS],
        BLOCK_PARAMS - 256,
        BLOCK_PARAMS - 128,
        BLOCK_PARAMS - (192 + 64 + 128 + 64),
        BLOCK_PARAMS + 1,
        BLOCK_PARAMS + 0.5,
        16640,
    ],
)
def test_block_params_rejects(wrong, capsys):
    assert not check_block_params(wrong)
    assert "❌" in capsys.readouterr().out


def test_block_params_hint(capsys):
    check_block_params(BLOCK_PARAMS - 256)
    assert "LayerNorm" in capsys.readouterr().out


# --- LayerNorm a mano ------------------------------------------------------------------------------


def _layer_norm(x, weight, bias, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, unbiased=False, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * weight + bias


def _unbiased(x, weight, bias, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    return (x - mu) / torch.sqrt(x.var(dim=-1, keepdim=True) + eps) * weight + bias


def _no_affine(x, weight, bias, eps=1e-5):
    return _layer_norm(x, 1.0, 0.0, eps)


def _uses_f(x, weight, bias, eps=1e-5):
    return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)


def _uses_module(x, weight, bias, eps=1e-5):
    ln = nn.LayerNorm(x.shape[-1], eps=eps)
    with torch.no_grad():
        ln.weight.copy_(weight)
        ln.bias.copy_(bias)
    return ln(x)


def _uses_imported(x, weight, bias, eps=1e-5):
    return imported_layer_norm(x, (x.shape[-1],), weight, bias, eps)


def _only_3d(x, weight, bias, eps=1e-5):  # normaliza el eje 2: bien solo con tensores de 3 ejes
    mu = x.mean(dim=2, keepdim=True)
    var = x.var(dim=2, unbiased=False, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * weight + bias


def _fixed_eps(x, weight, bias, eps=1e-5):
    return _layer_norm(x, weight, bias, 1e-5)


def _nan(x, weight, bias, eps=1e-5):
    out = _layer_norm(x, weight, bias, eps)
    out[0, 0] = math.nan
    return out


def _whole_tensor(x, weight, bias, eps=1e-5):
    return (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + eps) * weight + bias


def _eps_outside(x, weight, bias, eps=1e-5):
    mu = x.mean(dim=-1, keepdim=True)
    return (x - mu) / (x.std(dim=-1, unbiased=False, keepdim=True) + eps) * weight + bias


def _raises(x, weight, bias, eps=1e-5):
    raise RuntimeError("fallo a propósito")


def _not_written(x, weight, bias, eps=1e-5):
    raise NotImplementedError


def test_layer_norm_correct():
    assert check_layer_norm(_layer_norm)


@pytest.mark.parametrize(
    "wrong",
    [
        None,
        "my_layer_norm",
        True,
        _unbiased,
        _no_affine,
        _uses_f,
        _uses_module,
        _uses_imported,
        _only_3d,
        _fixed_eps,
        _nan,
        _whole_tensor,
        _eps_outside,
        _raises,
        _not_written,
        lambda x, w, b, eps=1e-5: x,
        lambda x, w, b, eps=1e-5: None,
        lambda x, w, b, eps=1e-5: "hola",
        lambda x, w, b, eps=1e-5: _layer_norm(x, w, b, eps).mT,
    ],
)
def test_layer_norm_rejects(wrong, capsys):
    assert not check_layer_norm(wrong)
    assert "❌" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_unbiased, "insesgada"),
        (_no_affine, "γ"),
        (_uses_f, "prohíbe"),
        (_uses_module, "prohíbe"),
        (_uses_imported, "prohíbe"),
        (_only_3d, "2 ejes"),
        (_fixed_eps, "ε"),
        (_eps_outside, "eps=0.5"),
    ],
)
def test_layer_norm_hints(wrong, hint, capsys):
    check_layer_norm(wrong)
    assert hint in capsys.readouterr().out


def test_layer_norm_leaves_torch_unpatched():
    check_layer_norm(_uses_f)
    x = torch.randn(2, 8)
    assert torch.allclose(F.layer_norm(x, (8,)), nn.LayerNorm(8)(x))


# --- El bloque corregido ---------------------------------------------------------------------------


class FixedBlock(Block):
    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class BuggyBlock(Block):
    """La estructura con errores del enunciado: normaliza la propia corriente residual."""

    def forward(self, x):
        x = self.norm1(x)
        att = self.attn(x)
        return x + self.mlp(self.norm2(x + att))


class HalfFixedBlock(Block):
    def forward(self, x):
        h = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(h))


class EmptySubclass(Block):
    pass


class CopiedForward(Block):
    forward = Block.forward


class CallsSuper(Block):
    def forward(self, x):
        return super().forward(x)


class NotWritten(Block):
    def forward(self, x):
        raise NotImplementedError


class NaNBlock(FixedBlock):
    def forward(self, x):
        return super().forward(x) * math.nan


class MlpFirst(Block):
    def forward(self, x):
        x = x + self.mlp(self.norm2(x))
        return x + self.attn(self.norm1(x))


class FixedShape(Block):  # solo vale para lotes de 3 imágenes de 7 tokens
    def forward(self, x):
        x = x.reshape(3, 7, -1)
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class OtherNames(nn.Module):
    def __init__(self, dim, num_heads, mlp_dim):
        super().__init__()
        self.ln = nn.LayerNorm(dim)

    def forward(self, x):
        return self.ln(x)


def test_block_fix_correct():
    assert check_block_fix(FixedBlock)


@pytest.mark.parametrize(
    "wrong",
    [
        None,
        "FixedBlock",
        FixedBlock(32, 4, 64),
        Block,
        EmptySubclass,
        CopiedForward,
        CallsSuper,
        BuggyBlock,
        HalfFixedBlock,
        NotWritten,
        NaNBlock,
        MlpFirst,
        FixedShape,
        OtherNames,
        PostNormBlock,
        int,
    ],
)
def test_block_fix_rejects(wrong, capsys):
    assert not check_block_fix(wrong)
    assert "❌" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (BuggyBlock, "errores"),
        (HalfFixedBlock, "atención"),
        (NotWritten, "NotImplementedError"),
        (OtherNames, "submódulos"),
        (EmptySubclass, "no define su propio"),
        (CallsSuper, "prohíbe"),
    ],
)
def test_block_fix_hints(wrong, hint, capsys):
    check_block_fix(wrong)
    assert hint in capsys.readouterr().out


def test_block_fix_keeps_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_block_fix(FixedBlock)
    assert torch.equal(torch.rand(3), expected)


# --- La predicción de la inicialización ------------------------------------------------------------


def _truth():
    g = measure_last_block_grads(init="vit")
    ratio = g["post-norm"] / g["pre-norm"]
    return "mayor" if ratio > 1.5 else "menor" if ratio < 1 / 1.5 else "parecida"


def test_init_prediction():
    truth = _truth()
    assert check_init_prediction(truth)
    assert check_init_prediction(f"  {truth.upper()} ")
    for wrong in [None, True, math.nan, 0, "no sé", *[p for p in ("mayor", "parecida", "menor") if p != truth]]:
        assert not check_init_prediction(wrong)


# --- 03b: la capa de PyTorch en post-norm -----------------------------------------------------------


def _layer(**changes):
    args = dict(d_model=64, nhead=4, dim_feedforward=128, dropout=0.0, activation="gelu", batch_first=True)
    return nn.TransformerEncoderLayer(**{**args, **changes})


def test_post_norm_layer_correct():
    assert check_post_norm_layer(_layer())


@pytest.mark.parametrize(
    "wrong",
    [
        None,
        "norm_first=False",
        PostNormBlock(64, 4, 128),
        _layer(norm_first=True),
        _layer(activation="relu"),
        _layer(batch_first=False),
        _layer(d_model=32),
        _layer(dim_feedforward=2048),
    ],
)
def test_post_norm_layer_rejects(wrong, capsys):
    assert not check_post_norm_layer(wrong)
    assert "❌" in capsys.readouterr().out


def test_post_norm_layer_dropout_is_irrelevant_in_eval_mode():
    layer = _layer(dropout=0.5)  # en eval() el dropout no actúa: la estructura es la correcta
    assert check_post_norm_layer(layer)
