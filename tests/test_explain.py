"""Tests de utils.explain: atención del token CLS, rollout, distancia de atención y embeddings."""

from __future__ import annotations

import math

import matplotlib
import pytest
import torch

matplotlib.use("Agg")

from utils import explain as E  # noqa: E402
from utils.checkpoints import load_checkpoint, save_checkpoint  # noqa: E402
from utils.vit import ViT, ViTConfig  # noqa: E402

TINY = ViTConfig(img_size=28, patch_size=7, dim=16, depth=3, num_heads=2, mlp_dim=32)


def random_maps(depth=3, batch=2, heads=2, tokens=17, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.rand(batch, heads, tokens, tokens, generator=g).softmax(-1) for _ in range(depth)]


@pytest.fixture(scope="module")
def tiny_model():
    torch.manual_seed(0)
    return ViT(config=TINY).eval()


# --- Rollout ----------------------------------------------------------------------------------


def test_rollout_rows_sum_to_one():
    r = E.attention_rollout(random_maps())
    assert r.shape == (2, 17, 17)
    assert torch.allclose(r.sum(-1), torch.ones(2, 17), atol=1e-6)


def test_rollout_of_identity_is_identity():
    eye = torch.eye(5).expand(1, 3, 5, 5)
    r = E.attention_rollout([eye, eye, eye])
    assert torch.allclose(r, torch.eye(5).expand(1, 5, 5))


def test_rollout_two_layers_by_hand():
    # Capa 1: dos cabezas cuya media es [[0.8, 0.2], [0.4, 0.6]]; capa 2: una cabeza [[0.5, 0.5], [0.1, 0.9]].
    layer1 = torch.tensor([[[0.6, 0.4], [0.8, 0.2]], [[1.0, 0.0], [0.0, 1.0]]])[None]  # (1, 2, 2, 2)
    layer2 = torch.tensor([[[0.5, 0.5], [0.1, 0.9]]])[None]  # (1, 1, 2, 2)
    # A1' = 0.5·A1 + 0.5·I = [[0.9, 0.1], [0.2, 0.8]];  A2' = [[0.75, 0.25], [0.05, 0.95]]
    # R = A2'·A1' = [[0.75·0.9 + 0.25·0.2, 0.75·0.1 + 0.25·0.8], [0.05·0.9 + 0.95·0.2, 0.05·0.1 + 0.95·0.8]]
    expected = torch.tensor([[0.725, 0.275], [0.235, 0.765]])
    r = E.attention_rollout([layer1, layer2.expand(1, 2, 2, 2)])
    assert torch.allclose(r[0], expected, atol=1e-6)


def test_rollout_residual_zero_is_plain_product():
    maps = random_maps(depth=2, heads=1)
    r = E.attention_rollout(maps, residual=0.0)
    assert torch.allclose(r, maps[1][:, 0] @ maps[0][:, 0], atol=1e-6)


def test_cls_rollout_up_to_layer():
    maps = random_maps()
    full = E.attention_rollout(maps)
    assert torch.allclose(E.cls_rollout(maps), full[:, 0, 1:].reshape(2, 4, 4))
    first = E.attention_rollout(maps[:1])
    assert torch.allclose(E.cls_rollout(maps, layer=0), first[:, 0, 1:].reshape(2, 4, 4))


# --- Atención del CLS -------------------------------------------------------------------------


def test_cls_attention_shape_and_sum():
    maps = random_maps()
    for layer in range(3):
        grid = E.cls_attention(maps, layer)
        assert grid.shape == (2, 4, 4)
        assert torch.allclose(grid.sum((1, 2)), 1 - maps[layer][:, :, 0, 0].mean(1), atol=1e-6)
        for head in range(2):
            grid = E.cls_attention(maps, layer, head)
            assert torch.allclose(grid.sum((1, 2)), 1 - maps[layer][:, head, 0, 0], atol=1e-6)
            assert torch.equal(grid[0].flatten(), maps[layer][0, head, 0, 1:])


def test_cls_attention_negative_layer_is_last():
    maps = random_maps()
    assert torch.equal(E.cls_attention(maps, -1), E.cls_attention(maps, 2))


def test_with_real_model(tiny_model):
    x = torch.randn(3, 1, 28, 28)
    maps = tiny_model.attention_maps(x)
    assert E.cls_attention(maps, 0).shape == (3, 4, 4)
    assert torch.allclose(E.attention_rollout(maps).sum(-1), torch.ones(3, 17), atol=1e-5)
    d = E.mean_attention_distance(maps, 4, 7)
    assert d.shape == (3, 2) and (d >= 0).all()


# --- Distancia media de atención --------------------------------------------------------------


def test_patch_distances_small_grid():
    d = E.patch_distances(2, 4)
    s = 4 * math.sqrt(2)
    expected = torch.tensor([[0, 4, 4, s], [4, 0, s, 4], [4, s, 0, 4], [s, 4, 4, 0]])
    assert torch.allclose(d, expected)


def test_mean_attention_distance_identity_and_uniform():
    eye = torch.eye(5).expand(2, 3, 5, 5)  # CLS + 2×2 parches; cada token se mira a sí mismo
    uniform = torch.full((2, 3, 5, 5), 1 / 5)
    d_eye = E.mean_attention_distance([eye], grid_size=2, patch_size=4)
    d_uni = E.mean_attention_distance([uniform, uniform], grid_size=2, patch_size=4)
    assert d_eye.shape == (1, 3) and d_uni.shape == (2, 3)
    assert torch.allclose(d_eye, torch.zeros(1, 3))
    # Atención uniforme en 2×2: cada parche está a 0, 4, 4 y 4·√2 píxeles de los cuatro.
    assert torch.allclose(d_uni, torch.full((2, 3), (8 + 4 * math.sqrt(2)) / 4))


def test_mean_attention_distance_local_below_uniform():
    g, p = 4, 2
    dist = E.patch_distances(g, p)
    local = torch.softmax(-dist, dim=-1)  # atención que prefiere a los vecinos
    maps = torch.zeros(1, 1, 17, 17)
    maps[0, 0, 1:, 1:] = local
    maps[0, 0, 0] = 1 / 17
    uniform = torch.full((1, 1, 17, 17), 1 / 17)
    assert E.mean_attention_distance([maps], g, p) < E.mean_attention_distance([uniform], g, p)


# --- Embeddings -------------------------------------------------------------------------------


def test_position_similarity(tiny_model):
    sim = E.position_embedding_similarity(tiny_model.pos_embed)
    assert sim.shape == (4, 4, 4, 4)
    for i in range(4):
        for j in range(4):
            assert sim[i, j, i, j].item() == pytest.approx(1.0, abs=1e-5)
    flat = E.position_embedding_similarity(tiny_model.pos_embed, as_grid=False)
    assert flat.shape == (16, 16)
    assert torch.allclose(flat.diagonal(), torch.ones(16), atol=1e-5)
    assert torch.allclose(flat, flat.T, atol=1e-6)
    assert (flat <= 1 + 1e-5).all() and (flat >= -1 - 1e-5).all()


def test_patch_embedding_pca():
    torch.manual_seed(0)
    w = torch.randn(64, 1, 4, 4)
    comps, explained = E.patch_embedding_pca(w, k=16, explained=True)
    assert comps.shape == (16, 1, 4, 4)
    flat = comps.reshape(16, -1)
    assert torch.allclose(flat @ flat.T, torch.eye(16), atol=1e-4)  # ortogonales y de norma 1
    assert explained.sum().item() == pytest.approx(1.0, abs=1e-5)
    assert (explained[:-1] >= explained[1:] - 1e-7).all()  # de más a menos varianza
    assert E.patch_embedding_pca(w, k=3).shape == (3, 1, 4, 4)


def test_patch_embedding_pca_finds_the_direction():
    direction = torch.zeros(16)
    direction[5] = 0.6
    direction[10] = -0.8
    w = (torch.linspace(-1, 1, 32)[:, None] * direction).reshape(32, 1, 4, 4)
    comps, explained = E.patch_embedding_pca(w, k=1, explained=True)
    assert explained[0].item() == pytest.approx(1.0, abs=1e-5)
    assert torch.allclose(comps.flatten(), -direction, atol=1e-5)  # signo fijado: el mayor |valor| es positivo


# --- Errores en español -----------------------------------------------------------------------


def test_layer_out_of_range_message():
    maps = random_maps(depth=6)
    with pytest.raises(ValueError, match=r"layer=7 fuera de rango: el modelo tiene 6 capas \(0 a 5"):
        E.cls_attention(maps, 7)
    with pytest.raises(ValueError, match="fuera de rango"):
        E.cls_attention(maps, -7)
    with pytest.raises(ValueError, match="capas"):
        E.cls_rollout(maps, layer=6)


def test_head_out_of_range_message():
    with pytest.raises(ValueError, match=r"head=2 fuera de rango: cada capa tiene 2 cabezas \(0 a 1\)"):
        E.cls_attention(random_maps(), 0, head=2)


def test_bad_maps_messages():
    with pytest.raises(ValueError, match="lista no vacía"):
        E.attention_rollout([])
    with pytest.raises(ValueError, match="unsqueeze"):
        E.cls_attention([torch.rand(2, 17, 17)], 0)
    with pytest.raises(ValueError, match="misma forma"):
        E.attention_rollout([torch.rand(1, 2, 17, 17), torch.rand(1, 2, 10, 10)])
    with pytest.raises(ValueError, match="cuadrícula cuadrada"):
        E.cls_attention([torch.rand(1, 2, 11, 11)], 0)
    with pytest.raises(ValueError, match="residual"):
        E.attention_rollout(random_maps(), residual=1.5)


def test_grid_size_mismatch_message():
    with pytest.raises(ValueError, match="grid_size=7 no corresponde.*4×4"):
        E.mean_attention_distance(random_maps(), grid_size=7, patch_size=4)


def test_pca_and_similarity_errors():
    with pytest.raises(ValueError, match=r"k=17 fuera de rango.*\(1 a 16\)"):
        E.patch_embedding_pca(torch.randn(64, 1, 4, 4), k=17)
    with pytest.raises(ValueError, match="conv_weight"):
        E.patch_embedding_pca(torch.randn(64, 16), k=2)
    with pytest.raises(ValueError, match="pos_embed"):
        E.position_embedding_similarity(torch.randn(2, 17, 8))


def test_image_of_wrong_size(tiny_model):
    with pytest.raises(ValueError, match=r"forma \(32, 32\).*28×28"):
        E.check_image(torch.zeros(32, 32, dtype=torch.uint8), tiny_model.config)
    assert E.check_image(torch.zeros(28, 28, dtype=torch.uint8), tiny_model.config).shape == (1, 1, 28, 28)
    assert E.check_image(torch.zeros(1, 28, 28), tiny_model.config).shape == (1, 1, 28, 28)


def test_checkpoint_config_mismatch(tmp_path, tiny_model):
    path = save_checkpoint(tmp_path / "pequeño.pt", tiny_model)
    with pytest.raises(ValueError, match="no coincide"):
        load_checkpoint(path, ViT(config=ViTConfig()))


def test_find_checkpoint(tmp_path, tiny_model):
    with pytest.raises(FileNotFoundError, match="No hay ningún punto de control"):
        E.find_checkpoint(tmp_path)
    save_checkpoint(tmp_path / E.TRAINING_CHECKPOINT, tiny_model)
    assert E.find_checkpoint(tmp_path) == tmp_path / E.TRAINING_CHECKPOINT
    save_checkpoint(tmp_path / E.FINAL_CHECKPOINT, tiny_model)
    assert E.find_checkpoint(tmp_path) == tmp_path / E.FINAL_CHECKPOINT
    with pytest.raises(FileNotFoundError, match="mi_vit.pt"):
        E.find_checkpoint(tmp_path, "checkpoints/mi_vit.pt")
    save_checkpoint(tmp_path / "checkpoints" / "mi_vit.pt", tiny_model)
    assert E.find_checkpoint(tmp_path, "checkpoints/mi_vit.pt") == tmp_path / "checkpoints" / "mi_vit.pt"
