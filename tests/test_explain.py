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
    save_checkpoint(tmp_path / "checkpoints" / "vit_fashion_mnist.estado.pt", tiny_model)
    with pytest.raises(FileNotFoundError, match="No hay ningún punto de control"):
        E.find_checkpoint(tmp_path)  # el estado de un entrenamiento a medias no es el modelo del curso
    save_checkpoint(tmp_path / E.FINAL_CHECKPOINT, tiny_model)
    assert E.find_checkpoint(tmp_path) == tmp_path / E.FINAL_CHECKPOINT
    with pytest.raises(FileNotFoundError, match="mi_vit.pt"):
        E.find_checkpoint(tmp_path, "checkpoints/mi_vit.pt")
    save_checkpoint(tmp_path / "checkpoints" / "mi_vit.pt", tiny_model)
    assert E.find_checkpoint(tmp_path, "checkpoints/mi_vit.pt") == tmp_path / "checkpoints" / "mi_vit.pt"


# --- Rollout como lo usan los practicantes: fusión de cabezas y descarte ----------------------


@pytest.mark.parametrize("fusion", ["mean", "max", "min"])
@pytest.mark.parametrize("discard", [0.0, 0.5, 0.9])
def test_rollout_fusions_rows_sum_to_one(fusion, discard):
    r = E.attention_rollout(random_maps(), head_fusion=fusion, discard_ratio=discard)
    assert torch.allclose(r.sum(-1), torch.ones(2, 17), atol=1e-5)
    assert (r >= 0).all()


@pytest.mark.parametrize("fusion", ["mean", "max", "min"])
@pytest.mark.parametrize("discard", [0.0, 0.9])
def test_rollout_fusions_identity_in_identity_out(fusion, discard):
    eye = torch.eye(5).expand(2, 3, 5, 5)
    r = E.attention_rollout([eye, eye], head_fusion=fusion, discard_ratio=discard)
    assert torch.allclose(r, torch.eye(5).expand(2, 5, 5))


def test_rollout_max_and_min_two_layers_by_hand():
    layer1 = torch.tensor([[[0.6, 0.4], [0.8, 0.2]], [[1.0, 0.0], [0.0, 1.0]]])[None]  # (1, 2, 2, 2)
    layer2 = torch.tensor([[[0.5, 0.5], [0.1, 0.9]]])[None].expand(1, 2, 2, 2)
    # Máximo de las cabezas: [[1.0, 0.4], [0.8, 1.0]]; A1' = 0.5·max + 0.5·I = [[1.0, 0.2], [0.4, 1.0]],
    # que renormalizada es [[5/6, 1/6], [2/7, 5/7]]. A2' = [[0.75, 0.25], [0.05, 0.95]].
    a1 = torch.tensor([[5 / 6, 1 / 6], [2 / 7, 5 / 7]])
    a2 = torch.tensor([[0.75, 0.25], [0.05, 0.95]])
    expected = torch.tensor(
        [
            [0.75 * 5 / 6 + 0.25 * 2 / 7, 0.75 * 1 / 6 + 0.25 * 5 / 7],
            [0.05 * 5 / 6 + 0.95 * 2 / 7, 0.05 * 1 / 6 + 0.95 * 5 / 7],
        ]
    )
    assert torch.allclose(expected, a2 @ a1)
    assert torch.allclose(E.attention_rollout([layer1, layer2], head_fusion="max")[0], expected, atol=1e-6)
    # Mínimo: [[0.6, 0.0], [0.0, 0.2]] → A1' = [[0.8, 0], [0, 0.6]] → renormalizada, la identidad: R = A2'.
    assert torch.allclose(E.attention_rollout([layer1, layer2], head_fusion="min")[0], a2, atol=1e-6)


def test_discard_lowest_by_hand_and_keeps_cls():
    fused = torch.tensor([[0.5, 0.3, 0.2], [0.15, 0.6, 0.25], [0.05, 0.1, 0.85]])[None]
    out = E.discard_lowest(fused, 1 / 3)  # 3 de 9: los tres más bajos (0.05, 0.1 y 0.15)
    expected = torch.tensor([[0.5, 0.3, 0.2], [0.0, 0.6, 0.25], [0.0, 0.0, 0.85]])
    assert torch.equal(out[0], expected)
    low_cls = torch.tensor([[0.01, 0.5, 0.49], [0.3, 0.4, 0.3], [0.2, 0.2, 0.6]])[None]
    assert E.discard_lowest(low_cls, 1 / 9)[0, 0, 0] == 0.01  # el CLS sobre sí mismo nunca se descarta
    assert torch.equal(E.discard_lowest(torch.cat([fused, fused]), 1 / 3)[1], expected)  # cada imagen del lote


def test_rollout_fusion_errors():
    with pytest.raises(ValueError, match="head_fusion='mediana' no existe"):
        E.attention_rollout(random_maps(), head_fusion="mediana")
    with pytest.raises(ValueError, match="discard_ratio=1.0 fuera de rango"):
        E.attention_rollout(random_maps(), discard_ratio=1.0)
    assert E.cls_rollout(random_maps(), head_fusion="max", discard_ratio=0.9).shape == (2, 4, 4)


# --- Controles ---------------------------------------------------------------------------------


def test_untrained_like_same_architecture_and_rng_untouched(tiny_model):
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    fresh = E.untrained_like(tiny_model, seed=5)
    assert torch.equal(torch.rand(1), before)
    assert fresh.config == tiny_model.config and not fresh.training
    assert not torch.equal(fresh.pos_embed, tiny_model.pos_embed)
    assert torch.equal(E.untrained_like(tiny_model, seed=5).pos_embed, fresh.pos_embed)


def test_cls_entropy_uniform_and_one_hot():
    uniform = E.uniform_attention(depth=2, num_tokens=17, batch=3)
    assert torch.allclose(E.cls_entropy(uniform), torch.full((2, 1), math.log(17)))
    one_hot = torch.zeros(1, 2, 17, 17)
    one_hot[..., 3] = 1.0
    assert torch.allclose(E.cls_entropy([one_hot]), torch.zeros(1, 2), atol=1e-6)


def test_garment_mass_of_a_uniform_map_is_the_garment_fraction():
    images = torch.zeros(2, 28, 28, dtype=torch.uint8)
    images[0, :7, :14] = 255  # dos parches de 7×7
    images[1, 7:14, :] = 200  # cuatro parches
    mask = E.garment_patches(images, 7)
    assert mask.sum(1).tolist() == [2, 4]
    share = E.mass_on(torch.ones(2, 4, 4), mask)
    assert torch.allclose(share, torch.tensor([2 / 16, 4 / 16]))
    with pytest.raises(ValueError, match="uint8"):
        E.garment_patches(images.float(), 7)


def test_statistics_with_controls(tiny_model):
    g = torch.Generator().manual_seed(0)
    images = torch.randint(0, 256, (6, 28, 28), generator=g, dtype=torch.uint8)
    from utils.data import to_float

    mask = E.garment_patches(images, TINY.patch_size)
    stats = E.attention_statistics(tiny_model, to_float(images), mask, batch_size=4)
    assert stats["distancia"].shape == (TINY.depth, TINY.num_heads)
    assert stats["entropía"].shape == (TINY.depth, TINY.num_heads)
    assert 0 <= stats["prenda (rollout)"] <= 1
    uni = E.uniform_statistics(TINY, mask)
    d = E.patch_distances(4, 7)
    assert torch.allclose(uni["distancia"], torch.full((TINY.depth, 1), d.mean().item()), atol=1e-5)
    assert uni["prenda (rollout)"] == pytest.approx(mask.float().mean().item())
    # El rollout de una atención uniforme reparte igual entre los parches: su masa en la prenda es la fracción.
    rollout = E.cls_rollout(E.uniform_attention(TINY.depth, 17, batch=6))
    assert torch.allclose(E.mass_on(rollout, mask).mean(), torch.tensor(uni["prenda (rollout)"]))


def test_mirror_similarity():
    g, D = 4, 8
    torch.manual_seed(0)
    base = torch.randn(g, g // 2, D)
    grid = torch.cat([base, base.flip(1)], dim=1)  # simétrico izquierda-derecha: columna c igual a 3 - c
    pos = torch.cat([torch.randn(1, D), grid.reshape(g * g, D)])
    m = E.mirror_similarity(E.position_embedding_similarity(pos))
    assert m["espejo horizontal"] == pytest.approx(1.0, abs=1e-5)
    assert m["espejo vertical"] < 0.9
    with pytest.raises(ValueError, match=r"\(g, g, g, g\)"):
        E.mirror_similarity(torch.zeros(16, 16))


# --- Explicación específica de clase -----------------------------------------------------------


def test_gradient_rollout_is_class_specific(tiny_model):
    g = torch.Generator().manual_seed(4)
    x = torch.randn(3, 1, 28, 28, generator=g)
    maps = {c: E.gradient_rollout(tiny_model, x, c) for c in range(3)}
    assert maps[0].shape == (3, 4, 4) and all((m >= 0).all() for m in maps.values())
    assert not torch.allclose(maps[0], maps[1])  # otra clase, otro mapa
    predicted = tiny_model(x).argmax(1)
    assert torch.allclose(E.gradient_rollout(tiny_model, x), E.gradient_rollout(tiny_model, x, predicted))
    assert tiny_model.pos_embed.grad is None  # no deja gradientes en el modelo
    with pytest.raises(ValueError, match="target fuera de rango"):
        E.gradient_rollout(tiny_model, x, 10)


def test_gradient_rollout_by_hand_one_layer():
    # Con una capa, R = I + Ā, así que el mapa es la fila del CLS de media_h((∇A ⊙ A)⁺) sin el CLS.
    torch.manual_seed(1)
    model = ViT(config=ViTConfig(img_size=28, patch_size=14, dim=8, depth=1, num_heads=2, mlp_dim=16)).eval()
    x = torch.randn(1, 1, 28, 28)
    logits, maps = model.forward_with_attention(x)
    (grad,) = torch.autograd.grad(logits[0, 2], maps)
    expected = (grad * maps[0]).clamp_min(0).mean(1)[0, 0, 1:].reshape(1, 2, 2)
    assert torch.allclose(E.gradient_rollout(model, x, 2), expected.detach(), atol=1e-6)


# --- Fidelidad ---------------------------------------------------------------------------------


def test_occlude_patches():
    x = torch.arange(2 * 16, dtype=torch.float32).reshape(2, 1, 4, 4)
    out = E.occlude_patches(x, torch.tensor([[0], [3]]), 2, -1.0)
    assert (out[0, 0, :2, :2] == -1).all() and (out[0, 0, 2:] == x[0, 0, 2:]).all()
    assert (out[1, 0, 2:, 2:] == -1).all() and (out[1, 0, :2] == x[1, 0, :2]).all()
    assert torch.equal(E.occlude_patches(x, torch.zeros(2, 0, dtype=torch.long), 2, -1.0), x)


def test_deletion_curve(tiny_model):
    g = torch.Generator().manual_seed(5)
    x = torch.randn(10, 1, 28, 28, generator=g)
    y = tiny_model(x).argmax(1)  # así la exactitud sin borrar es 1
    curve = E.deletion_curve(tiny_model, x, y, torch.rand(10, 16, generator=g), [0, 8, 16], background=-1.0)
    assert curve[0] == 1.0 and curve.shape == (3,)
    blank = tiny_model(torch.full((1, 1, 28, 28), -1.0)).argmax(1)
    assert curve[2] == (y == blank).float().mean()  # con todo borrado queda la imagen de fondo
    with pytest.raises(ValueError, match="scores"):
        E.deletion_curve(tiny_model, x, y, torch.rand(10, 9), [0], background=-1.0)
    assert E.deletion_area([0, 8, 16], torch.tensor([1.0, 0.5, 0.0]), 16) == pytest.approx(0.5)
