"""Correctores de los cuadernos 02 y 02b: la respuesta correcta pasa y un banco de respuestas equivocadas no.

Cada corrector se prueba con la respuesta correcta y con al menos cinco equivocadas (NaN, traspuesta,
la implementación prohibida, un valor fijo, correcta solo en el caso fácil...). Ninguno lanza.
"""

import math

import pytest
import torch
import torch.nn.functional as F

from utils.attention import scaled_dot_product_attention as utils_attention
from utils.exercises import (
    check_attention,
    check_attention_shapes,
    check_local_mask,
    check_mha_params,
    check_permutation_prediction,
    check_stable_softmax,
)

# --- 02.1 Formas ---------------------------------------------------------------------------------


def test_shapes_accepts_the_answer_in_several_spellings():
    assert check_attention_shapes((2, 4, 10, 32), (2, 4, 10, 7))
    assert check_attention_shapes(torch.Size([2, 4, 10, 32]), [2, 4, 10, 7])
    assert check_attention_shapes((2.0, 4, 10, 32), (2, 4, 10, 7.0))


WRONG_SHAPES = [
    (None, None),
    ("no sé", "no sé"),
    ((2, 4, 10, 32), None),
    ((2, 4, 10, 16), (2, 4, 10, 7)),  # dimensión de q en vez de la de v
    ((2, 4, 7, 32), (2, 4, 10, 7)),  # una fila por clave
    ((2, 4, 10, 32), (2, 4, 7, 10)),  # pesos traspuestos
    ((2, 4, 10, 7), (2, 4, 10, 32)),  # respuestas intercambiadas
    ((10, 32), (10, 7)),  # sin los ejes de delante
    ((2, 4, 10, float("nan")), (2, 4, 10, 7)),
    ((2, 4, 10, True), (2, 4, 10, 7)),
    ((2, 4, 10, -32), (2, 4, 10, 7)),
    ((2, 4, 10, 32.5), (2, 4, 10, 7)),
]


@pytest.mark.parametrize("answer", WRONG_SHAPES, ids=range(len(WRONG_SHAPES)))
def test_shapes_rejects_wrong_answers(answer, capsys):
    assert not check_attention_shapes(*answer)
    out = capsys.readouterr().out
    assert out.startswith("❌") and "(2, 4, 10, 32)" not in out and "(2, 4, 10, 7)" not in out  # pista, no respuesta


def test_shapes_hints_point_at_the_mistake(capsys):
    check_attention_shapes((2, 4, 10, 16), (2, 4, 10, 7))
    assert "valores" in capsys.readouterr().out
    check_attention_shapes((2, 4, 10, 32), (2, 4, 7, 10))
    assert "consultas" in capsys.readouterr().out


# --- 02.2 Softmax estable -----------------------------------------------------------------------


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


def _only_2d(x):  # correcta solo para matrices
    e = torch.exp(x - x.amax(dim=1, keepdim=True))
    return e / e.sum(dim=1, keepdim=True)


def _in_place(x):
    x.sub_(x.amax(dim=-1, keepdim=True)).exp_()
    return x / x.sum(dim=-1, keepdim=True)


def _nan_everywhere(x):
    return torch.full_like(x, float("nan"))


def _uses_imported_softmax():
    from torch.nn.functional import softmax

    return lambda x: softmax(x, dim=-1)


WRONG_SOFTMAX = {
    "None": None,
    "sin escribir": _not_written,
    "directa, se desborda": _naive,
    "máximo de todo el tensor": _global_max,
    "sin normalizar": lambda x: torch.exp(x - x.amax(-1, keepdim=True)),
    "sobre la primera dimensión": lambda x: _stable(x.transpose(0, -1)).transpose(0, -1),
    "solo matrices": _only_2d,
    "modifica la entrada": _in_place,
    "NaN": _nan_everywhere,
    "valor fijo": lambda x: torch.full_like(x, 1 / x.shape[-1]),
    "devuelve None": lambda x: None,
    "devuelve una lista": lambda x: _stable(x).tolist(),
    "torch.softmax": lambda x: torch.softmax(x, -1),
    "Tensor.softmax": lambda x: x.softmax(-1),
    "F.softmax": lambda x: F.softmax(x, dim=-1),
    "log_softmax": lambda x: F.log_softmax(x, dim=-1).exp(),
    "softmax importada antes": _uses_imported_softmax(),
    "no es una función": "softmax",
}


def test_stable_softmax_accepts_the_solution():
    assert check_stable_softmax(_stable)
    assert check_stable_softmax(
        lambda x: (x - x.amax(-1, keepdim=True)).exp() / (x - x.amax(-1, keepdim=True)).exp().sum(-1, keepdim=True)
    )


@pytest.mark.parametrize("name", list(WRONG_SOFTMAX))
def test_stable_softmax_rejects_wrong_answers(name, capsys):
    assert not check_stable_softmax(WRONG_SOFTMAX[name])
    assert capsys.readouterr().out.startswith("❌")


def test_stable_softmax_explains_overflow_and_forbidden_calls(capsys):
    check_stable_softmax(_naive)
    assert "máximo" in capsys.readouterr().out
    check_stable_softmax(WRONG_SOFTMAX["torch.softmax"])
    assert "prohíbe" in capsys.readouterr().out
    check_stable_softmax(WRONG_SOFTMAX["softmax importada antes"])
    assert "prohíbe" in capsys.readouterr().out
    assert torch.softmax(torch.zeros(2), -1).sum() == 1  # el corrector devolvió torch.softmax a su sitio


# --- 02.3 La atención a mano ------------------------------------------------------------------


def _attention(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights


def _unscaled(q, k, v, mask=None):
    weights = (q @ k.transpose(-2, -1)).softmax(dim=-1)
    return weights @ v, weights


def _by_d(q, k, v, mask=None):
    weights = (q @ k.transpose(-2, -1) / q.shape[-1]).softmax(dim=-1)
    return weights @ v, weights


def _wrong_axis(q, k, v, mask=None):
    weights = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(dim=-2)
    return weights @ v, weights


def _ignores_mask(q, k, v, mask=None):
    return _attention(q, k, v)


def _inverted_mask(q, k, v, mask=None):
    return _attention(q, k, v, None if mask is None else ~mask | torch.eye(*mask.shape[-2:], dtype=torch.bool))


def _transposed_weights(q, k, v, mask=None):
    out, weights = _attention(q, k, v, mask)
    return out, weights.transpose(-2, -1)


def _nan(q, k, v, mask=None):
    out, weights = _attention(q, k, v, mask)
    return out * float("nan"), weights


def _fused_plus_weights(q, k, v, mask=None):
    weights = _attention(q, k, v, mask)[1]
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask), weights


def _hard_coded(q, k, v, mask=None):
    weights = torch.full((*q.shape[:-1], k.shape[-2]), 1 / k.shape[-2])
    return weights @ v, weights


WRONG_ATTENTION = {
    "None": None,
    "sin escribir": lambda q, k, v, mask=None: (_ for _ in ()).throw(NotImplementedError),
    "solo la salida": lambda q, k, v, mask=None: _attention(q, k, v, mask)[0],
    "sin escalar": _unscaled,
    "entre d": _by_d,
    "softmax sobre las consultas": _wrong_axis,
    "ignora la máscara": _ignores_mask,
    "máscara al revés": _inverted_mask,
    "no admite máscara": lambda q, k, v: _attention(q, k, v),
    "pesos traspuestos": _transposed_weights,
    "NaN": _nan,
    "valor fijo (pesos uniformes)": _hard_coded,
    "la de utils": lambda q, k, v, mask=None: utils_attention(q, k, v, mask=mask),
    "la de utils, por su módulo": lambda q, k, v, mask=None: __import__(
        "utils.attention"
    ).attention.scaled_dot_product_attention(q, k, v, mask),
    "F.scaled_dot_product_attention": _fused_plus_weights,
    "devuelve texto": lambda q, k, v, mask=None: ("salida", "pesos"),
}


def test_attention_accepts_the_solution():
    assert check_attention(_attention)
    assert check_attention(lambda q, k, v, mask=None: _attention(q.double(), k.double(), v.double(), mask))


def _only_4d(q, k, v, mask=None):  # correcta solo con lote y cabezas
    scores = q @ k.transpose(2, 3) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ v, weights


WRONG_ATTENTION["solo con lote y cabezas"] = _only_4d


@pytest.mark.parametrize("name", list(WRONG_ATTENTION))
def test_attention_rejects_wrong_answers(name, capsys):
    assert not check_attention(WRONG_ATTENTION[name])
    assert capsys.readouterr().out.startswith("❌")


def test_attention_hints(capsys):
    check_attention(_unscaled)
    assert "√d" in capsys.readouterr().out
    check_attention(_ignores_mask)
    assert "máscara" in capsys.readouterr().out
    check_attention(WRONG_ATTENTION["la de utils"])
    assert "prohíbe" in capsys.readouterr().out


# --- 02.4 Parámetros de la atención multicabeza ---------------------------------------------

EXPECTED_PARAMS = 64 * 3 * 64 + 3 * 64 + 64 * 64 + 64


def test_mha_params_accepts_the_answer():
    assert check_mha_params(EXPECTED_PARAMS)
    assert check_mha_params(float(EXPECTED_PARAMS))
    assert check_mha_params(torch.tensor(EXPECTED_PARAMS))


WRONG_PARAMS = [
    None,
    "16640",
    True,
    float("nan"),
    float("inf"),
    4 * 64 * 64,  # sin sesgos
    3 * 64 * 64 + 3 * 64,  # sin proj
    EXPECTED_PARAMS * 4,  # por cabeza
    EXPECTED_PARAMS // 4,
    EXPECTED_PARAMS + 0.5,
    -EXPECTED_PARAMS,
    [EXPECTED_PARAMS],
    torch.tensor([EXPECTED_PARAMS, 1]),
]


@pytest.mark.parametrize("answer", WRONG_PARAMS, ids=range(len(WRONG_PARAMS)))
def test_mha_params_rejects_wrong_answers(answer, capsys):
    assert not check_mha_params(answer)
    out = capsys.readouterr().out
    assert out.startswith("❌") and str(EXPECTED_PARAMS) not in out


# --- 02.5 Predice: barajar los tokens ------------------------------------------------------


def test_permutation_prediction_accepts_the_answer(capsys):
    assert check_permutation_prediction("b", "a")
    assert check_permutation_prediction(" B ", "(a)")
    assert "se baraja igual" in capsys.readouterr().out


WRONG_PREDICTIONS = [
    (None, None),
    ("b", None),
    ("no sé", "a"),
    ("a", "a"),
    ("c", "a"),
    ("b", "b"),
    ("b", "c"),
    ("a", "b"),  # al revés
    (True, "a"),
    (2, 1),
    (float("nan"), "a"),
]


@pytest.mark.parametrize("answer", WRONG_PREDICTIONS, ids=range(len(WRONG_PREDICTIONS)))
def test_permutation_prediction_rejects_wrong_answers(answer, capsys):
    assert not check_permutation_prediction(*answer)
    assert "❌" in capsys.readouterr().out


def test_permutation_prediction_shows_nothing_without_a_prediction(capsys):
    check_permutation_prediction(None, None)
    assert "Barajando" not in capsys.readouterr().out


# --- 02b.1 Máscara de ventana local --------------------------------------------------------


def _local(n, window):
    i = torch.arange(n)
    return (i[:, None] - i[None, :] >= 0) & (i[:, None] - i[None, :] <= window)


WRONG_MASKS = {
    "None": None,
    "sin escribir": lambda n, w: (_ for _ in ()).throw(NotImplementedError),
    "traspuesta": lambda n, w: _local(n, w).T,
    "al revés": lambda n, w: ~_local(n, w),
    "simétrica": lambda n, w: (torch.arange(n)[:, None] - torch.arange(n)[None, :]).abs() <= w,
    "uno de menos": lambda n, w: _local(n, max(w - 1, 0)),
    "enteros": lambda n, w: _local(n, w).int(),
    "float con NaN": lambda n, w: torch.full((n, n), float("nan")),
    "fija para n = 6": lambda n, w: _local(6, 2),
    "causal sin ventana": lambda n, w: torch.ones(n, n, dtype=torch.bool).tril(),
    "lista": lambda n, w: _local(n, w).tolist(),
}


def test_local_mask_accepts_the_answer():
    assert check_local_mask(_local)
    assert check_local_mask(
        lambda n, w: torch.ones(n, n, dtype=torch.bool).tril() & ~torch.ones(n, n, dtype=torch.bool).tril(-w - 1)
    )


@pytest.mark.parametrize("name", list(WRONG_MASKS))
def test_local_mask_rejects_wrong_answers(name, capsys):
    assert not check_local_mask(WRONG_MASKS[name])
    assert capsys.readouterr().out.startswith("❌")


# --- Ninguno lanza, llegue lo que llegue -----------------------------------------------------

ODD_INPUTS = [None, "texto", True, float("nan"), math.inf, torch.zeros(3), torch.zeros(2, 2, device="meta"), object()]


@pytest.mark.parametrize("value", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_no_checker_raises(value, capsys):
    for checker in (check_stable_softmax, check_attention, check_mha_params, check_local_mask):
        assert not checker(value)
    assert not check_attention_shapes(value, value)
    assert not check_permutation_prediction(value, value)
    assert not check_attention(lambda q, k, v, mask=None: (value, value))
    assert not check_stable_softmax(lambda x: value)
    assert not check_local_mask(lambda n, w: value)


# --- Lo que los cuadernos 02 y 02b usan de utils (figuras y medida del tiempo) ----------------


def test_loglog_slope_and_time_attention():
    import numpy as np

    from utils.flops import loglog_slope, time_attention

    ns = np.array([10, 20, 40, 80])
    assert abs(loglog_slope(ns, 3 * ns**2.0) - 2) < 1e-9 and abs(loglog_slope(ns, ns**3.0, last=2) - 3) < 1e-9
    with pytest.raises(ValueError):
        loglog_slope([1], [1])
    threads = torch.get_num_threads()
    times = time_attention([8, 16], repeats=1)
    assert torch.get_num_threads() == threads and list(times["tokens"]) == [8, 16]
    assert all((times[k] > 0).all() for k in ("escrita a mano", "fusionada"))
    with pytest.raises(ValueError):
        time_attention([])


def test_attention_figures_use_decimal_comma():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from utils.plots import (
        plot_attention_times,
        plot_attention_weights,
        plot_cls_attention_preview,
        plot_softmax_scaling,
    )

    figs = [
        plot_softmax_scaling([2, 4, 8, 16], [2, 4, 8, 16], [1, 1, 1, 1], [0.2, 0.3, 0.5, 0.6], [0.1] * 4, 49),
        plot_attention_weights([("a", torch.eye(3)), ("b", torch.full((3, 3), 1 / 3))], ["x", "y", "z"]),
        plot_attention_times({"tokens": [128, 256], "escrita a mano": [1e-3, 4e-3], "fusionada": [1e-3, 4e-3]}),
        plot_cls_attention_preview(torch.zeros(28, 28), [("m", torch.rand(7, 7))], "título"),
    ]
    for fig in figs:
        fig.canvas.draw()
        labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
        assert not any("." in t for t in labels), labels  # coma decimal, no punto
        plt.close(fig)
