"""Tests de los correctores de los cuadernos 06 y 06b: la respuesta buena pasa y un banco de malas no."""

from __future__ import annotations

import math

import pytest
import torch

from utils import explain as E
from utils.exercises import (
    ROLLOUT_A1,
    ROLLOUT_A2,
    check_class_map,
    check_most_local_head,
    check_residual_prediction,
    check_rollout_by_hand,
    check_uniform_distance,
)
from utils.vit import ViT, ViTConfig

TINY = ViTConfig(img_size=28, patch_size=7, dim=16, depth=3, num_heads=2, mlp_dim=32)
NAN = float("nan")


def rejects_all(checker, wrong_answers, *args):
    """Cada respuesta equivocada se rechaza, sin lanzar, con un mensaje que empieza por «❌ Todavía no»."""
    for wrong in wrong_answers:
        verdict = checker(wrong, *args)
        assert not verdict, f"aceptó {wrong!r}"
        assert verdict.message.startswith("❌ Todavía no."), verdict.message


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    return ViT(config=TINY).eval()


@pytest.fixture(scope="module")
def maps(tiny):
    x = torch.randn(3, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    return tiny.attention_maps(x)


# --- Rollout a mano ----------------------------------------------------------------------------


def _rollout_answer():
    eye = torch.eye(3)
    return (0.5 * ROLLOUT_A2 + 0.5 * eye) @ (0.5 * ROLLOUT_A1 + 0.5 * eye)


def test_rollout_by_hand_right(capsys):
    assert check_rollout_by_hand(_rollout_answer())
    assert check_rollout_by_hand(_rollout_answer().tolist())
    assert check_rollout_by_hand(_rollout_answer().double().numpy())
    assert "¡Correcto!" in capsys.readouterr().out


def test_rollout_by_hand_wrong_bank(capsys):
    eye = torch.eye(3)
    a1, a2 = 0.5 * ROLLOUT_A1 + 0.5 * eye, 0.5 * ROLLOUT_A2 + 0.5 * eye
    with_nan = _rollout_answer().clone()
    with_nan[1, 1] = NAN
    wrong = [
        None,
        "hola",
        True,
        a1 @ a2,  # orden contrario
        ROLLOUT_A2 @ ROLLOUT_A1,  # sin la conexión residual
        _rollout_answer().T,  # traspuesta
        with_nan,  # un NaN
        torch.full((3, 3), NAN),
        torch.eye(3),  # valor fijo
        _rollout_answer()[:2],  # forma equivocada
        [[1, 2], [3]],  # lista irregular
        _rollout_answer() + 0.01,
    ]
    rejects_all(check_rollout_by_hand, wrong)
    out = capsys.readouterr().out
    assert "orden contrario" in out and "conexión residual" in out and "traspuesta" in out and "NaN" in out
    assert "0.52" not in out  # ningún mensaje de error da la respuesta


def test_rollout_matrices_are_attention():
    for a in (ROLLOUT_A1, ROLLOUT_A2):
        assert torch.allclose(a.sum(-1), torch.ones(3))


# --- Distancia de la atención uniforme ---------------------------------------------------------


def test_uniform_distance_right_and_wrong_bank(capsys):
    uniform = torch.full((1, 1, 197, 197), 1 / 197)
    expected = E.mean_attention_distance([uniform], 14, 2)[0, 0].item()
    assert check_uniform_distance(expected)
    assert check_uniform_distance(torch.tensor(expected))
    d = E.patch_distances(14, 2)
    capsys.readouterr()
    wrong = [
        None,
        "14,56",
        NAN,
        math.inf,
        True,
        d.sum().item() / (196 * 195),  # sin el propio parche
        expected / 2,  # en parches
        E.patch_distances(7, 4).mean().item(),  # la cuadrícula del modelo, no la de 14×14
        expected + 1,
        torch.tensor([expected, expected]),
    ]
    rejects_all(check_uniform_distance, wrong)
    out = capsys.readouterr().out
    assert "a sí mismo" in out and "en parches" in out
    assert f"{expected:.2f}" not in out


# --- Cambia y predice: el peso de la identidad en el rollout ----------------------------------


def test_residual_prediction_right(maps, capsys):
    measured = E.cls_rollout(maps, residual=0.9).sum((1, 2)).mean()
    assert check_residual_prediction("baja", measured, maps)
    assert check_residual_prediction(" Baja ", measured.item(), maps)
    assert "¡Correcto!" in capsys.readouterr().out


def test_residual_prediction_wrong_bank(maps, capsys):
    at_09 = E.cls_rollout(maps, residual=0.9).sum((1, 2)).mean().item()
    at_05 = E.cls_rollout(maps, residual=0.5).sum((1, 2)).mean().item()
    cases = [
        ("sube", at_09),  # predicción equivocada
        ("igual", at_09),
        (None, at_09),  # sin predicción
        (3, at_09),
        ("baja", None),  # sin medida
        ("baja", NAN),
        ("baja", at_05),  # midió con residual = 0.5
        ("baja", 1 - at_09),  # la masa del propio CLS
        ("baja", E.cls_rollout(maps, residual=0.9).sum((1, 2))),  # sin promediar
        ("baja", at_09 + 0.05),
    ]
    for prediction, measured in cases:
        verdict = check_residual_prediction(prediction, measured, maps)
        assert not verdict, (prediction, measured)
    assert not check_residual_prediction("baja", at_09, None)  # maps_ex sobrescrito
    assert not check_residual_prediction("baja", at_09, "hola")
    out = capsys.readouterr().out
    assert "contradice tu predicción" in out and "residual=0.5" in out and "propio CLS" in out
    assert f"{at_09:.2f}" not in out


# --- La cabeza más local -----------------------------------------------------------------------


@pytest.fixture()
def distances():
    return torch.tensor([[15.5, 14.0], [13.0, 13.5], [13.6, 12.0]])  # la más local: capa 2, cabeza 1


def test_most_local_head_right(distances, capsys):
    assert check_most_local_head((2, 1, 12.0 / 14.4), distances, 14.4)
    assert check_most_local_head([torch.tensor(2), 1, torch.tensor(0.8333)], distances, 14.4)
    assert "¡Correcto!" in capsys.readouterr().out


def test_most_local_head_wrong_bank(distances, capsys):
    wrong = [
        None,
        "capa 1",
        (2, 1),  # falta la fracción
        (1, 2, 12.0 / 14.4),  # capa y cabeza cambiadas
        (3, 2, 12.0 / 14.4),  # numerado desde 1
        (0, 0, 15.5 / 14.4),  # la que mira más lejos
        (2, 1, NAN),
        (2, 1, 83.33),  # en porcentaje
        (2, 1, 14.4 / 12.0),  # al revés
        (2, 1, 0.5),  # fracción fija
        (2.5, 1, 0.83),
    ]
    rejects_all(check_most_local_head, wrong, distances, 14.4)
    assert not check_most_local_head((2, 1, 0.83), None, 14.4)
    assert not check_most_local_head((2, 1, 0.83), distances, NAN)
    assert not check_most_local_head((2, 1, 0.83), torch.full((2, 2), NAN), 14.4)
    out = capsys.readouterr().out
    assert "cambiado el orden" in out and "desde 0" in out and "más lejos" in out and "porcentaje" in out


# --- 06b: el mapa de la segunda clase ----------------------------------------------------------


def test_class_map_right_and_wrong_bank(tiny, capsys):
    x = torch.randn(2, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    second = tiny(x).topk(2, dim=1).indices[:, 1]
    right = E.gradient_rollout(tiny, x, second)
    assert check_class_map(right, tiny, x, second)
    assert "¡Correcto!" in capsys.readouterr().out
    with_nan = right.clone()
    with_nan[0, 0, 0] = NAN
    wrong = [
        None,
        "mapa",
        E.gradient_rollout(tiny, x),  # el de la clase predicha
        E.cls_rollout(tiny.attention_maps(x)),  # el rollout, igual para todas las clases
        right.transpose(-1, -2),  # traspuesto
        with_nan,
        right[:1],  # una sola imagen
        torch.zeros_like(right),
        right.flatten(1),  # sin la cuadrícula
    ]
    rejects_all(check_class_map, wrong, tiny, x, second)
    assert not check_class_map(right, None, x, second)  # el modelo se perdió
    out = capsys.readouterr().out
    assert "clase predicha" in out and "rollout" in out and "traspuesto" in out
