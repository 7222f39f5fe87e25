"""Tests de los correctores del cuaderno 06 (qué mira el ViT)."""

from __future__ import annotations

import pytest
import torch

from utils.exercises import (
    ROLLOUT_A1,
    ROLLOUT_A2,
    check_farthest_layer,
    check_rollout_by_hand,
    check_uniform_distance,
)


def test_rollout_by_hand(capsys):
    eye = torch.eye(3)
    a1, a2 = 0.5 * ROLLOUT_A1 + 0.5 * eye, 0.5 * ROLLOUT_A2 + 0.5 * eye
    assert check_rollout_by_hand(a2 @ a1)
    assert check_rollout_by_hand((a2 @ a1).tolist())
    assert "¡Correcto!" in capsys.readouterr().out
    assert not check_rollout_by_hand(a1 @ a2)
    assert "orden contrario" in capsys.readouterr().out
    assert not check_rollout_by_hand(ROLLOUT_A2 @ ROLLOUT_A1)
    assert "conexión residual" in capsys.readouterr().out
    assert not check_rollout_by_hand(torch.eye(2))
    assert not check_rollout_by_hand("hola")
    assert not check_rollout_by_hand(None)
    assert "Aún no hay respuesta" in capsys.readouterr().out


def test_rollout_matrices_are_attention():
    for a in (ROLLOUT_A1, ROLLOUT_A2):
        assert torch.allclose(a.sum(-1), torch.ones(3))


def test_farthest_layer(capsys):
    distances = torch.tensor([[2.0, 4.0], [9.0, 11.0], [6.0, 6.0], [1.0, 1.0]])
    assert check_farthest_layer(1, distances)
    assert check_farthest_layer(torch.tensor(1), distances)
    assert not check_farthest_layer(2, distances)
    assert "desde 0" in capsys.readouterr().out
    assert not check_farthest_layer(3, distances)
    assert "menor distancia" in capsys.readouterr().out
    assert not check_farthest_layer(1.5, distances)
    assert not check_farthest_layer(None, distances)
    with pytest.raises(ValueError, match="mean_attention_distance"):
        check_farthest_layer(1, None)


def test_uniform_distance(capsys):
    from utils.explain import mean_attention_distance, patch_distances

    uniform = torch.full((1, 1, 197, 197), 1 / 197)
    expected = mean_attention_distance([uniform], 14, 2)[0, 0].item()
    assert check_uniform_distance(expected)
    assert check_uniform_distance(torch.tensor(expected))
    d = patch_distances(14, 2)
    assert not check_uniform_distance(d.sum().item() / (196 * 195))
    assert "a sí mismo" in capsys.readouterr().out
    assert not check_uniform_distance(expected / 2)
    assert "en parches" in capsys.readouterr().out
    assert not check_uniform_distance(expected + 1)
    assert not check_uniform_distance(None)
