"""Correctores del cuaderno 02: respuesta correcta → True, equivocada → False, None → False."""

import math

import torch

from utils.exercises import check_attention, check_attention_shapes, check_mha_params, check_stable_softmax


def test_check_attention_shapes(capsys):
    assert check_attention_shapes((2, 4, 10, 32), (2, 4, 10, 7))
    assert check_attention_shapes(torch.Size([2, 4, 10, 32]), [2, 4, 10, 7])
    assert not check_attention_shapes(None, None)
    assert not check_attention_shapes((2, 4, 10, 32))
    assert not check_attention_shapes("(2, 4, 10, 32)", (2, 4, 10, 7))
    capsys.readouterr()
    assert not check_attention_shapes((2, 4, 10, 16), (2, 4, 10, 7))
    assert "valores" in capsys.readouterr().out
    assert not check_attention_shapes((2, 4, 10, 32), (2, 4, 7, 10))
    assert "consultas" in capsys.readouterr().out


def _stable(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


def _naive(x):
    e = torch.exp(x)
    return e / e.sum(dim=-1, keepdim=True)


def _global_max(x):
    e = torch.exp(x - x.max())
    return e / e.sum(dim=-1, keepdim=True)


def _not_written(x):
    raise NotImplementedError


def test_check_stable_softmax(capsys):
    assert check_stable_softmax(_stable)
    assert not check_stable_softmax(None)
    assert not check_stable_softmax(_not_written)
    capsys.readouterr()
    assert not check_stable_softmax(_naive)
    assert "máximo" in capsys.readouterr().out
    assert not check_stable_softmax(_global_max)  # la fila de -1000 se queda en 0/0
    assert not check_stable_softmax(lambda x: torch.exp(x - x.amax(-1, keepdim=True)))
    assert not check_stable_softmax(lambda x: None)


def _attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights


def _unscaled(q, k, v, mask=None):
    weights = (q @ k.transpose(-2, -1)).softmax(dim=-1)
    return weights @ v, weights


def _ignores_mask(q, k, v, mask=None):
    return _attention(q, k, v)


def test_check_attention(capsys):
    assert check_attention(_attention)
    assert not check_attention(None)
    assert not check_attention(lambda q, k, v, mask=None: _attention(q, k, v, mask)[0])
    capsys.readouterr()
    assert not check_attention(_unscaled)
    assert "√d" in capsys.readouterr().out
    assert not check_attention(_ignores_mask)
    assert "máscara" in capsys.readouterr().out
    assert not check_attention(lambda q, k, v: _attention(q, k, v))  # no admite la máscara


def test_check_mha_params(capsys):
    expected = 64 * 3 * 64 + 3 * 64 + 64 * 64 + 64
    assert check_mha_params(expected)
    assert check_mha_params(float(expected))
    assert not check_mha_params(None)
    assert not check_mha_params("16640")
    capsys.readouterr()
    assert not check_mha_params(4 * 64 * 64)
    assert "sesgos" in capsys.readouterr().out
    assert not check_mha_params(expected * 4)
    assert "cabezas" in capsys.readouterr().out
