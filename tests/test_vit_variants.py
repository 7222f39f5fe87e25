"""Las opciones para pocos datos del ViT: media global, seno-coseno 2-D, parches desplazados y LSA."""

import math

import pytest
import torch

from utils.attention import MultiHeadAttention
from utils.checkpoints import load_checkpoint
from utils.vit import ViT, ViTConfig
from utils.vit_variants import LocalitySelfAttention, ShiftedPatchEmbedding, sincos_pos_embed_2d

VARIANTS = [
    dict(pool="mean"),
    dict(pos_embed="sincos"),
    dict(spt=True),
    dict(lsa=True),
    dict(pool="mean", pos_embed="sincos", spt=True, lsa=True),
]


def test_defaults_are_todays_vit_and_shipped_checkpoint_loads(real_batch):
    c = ViTConfig()
    assert (c.pool, c.pos_embed, c.spt, c.lsa) == ("cls", "learned", False, False)
    model, meta = load_checkpoint("checkpoints/vit_fashion_mnist.pt")  # su configuración no trae los campos nuevos
    x, y = real_batch
    assert (model(x).argmax(1) == y).float().mean() >= 0.8


@pytest.mark.parametrize("kwargs", VARIANTS)
def test_variant_shapes_and_attention_maps(kwargs, real_batch):
    x, _ = real_batch
    model = ViT(**kwargs).eval()
    tokens = 49 + (0 if kwargs.get("pool") == "mean" else 1)
    assert model(x).shape == (16, 10)
    assert model.embed(x).shape == (16, tokens, 64)
    maps = model.attention_maps(x)
    assert len(maps) == 6 and maps[0].shape == (16, 4, tokens, tokens)
    torch.testing.assert_close(maps[0].sum(-1), torch.ones(16, 4, tokens))
    # la ruta fusionada y la escrita a mano dan lo mismo
    fused = model(x)
    for block in model.blocks:
        block.attn.fused = False
    torch.testing.assert_close(model(x), fused, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("kwargs", VARIANTS)
def test_variant_trains_one_step(kwargs, real_batch):
    x, y = real_batch
    torch.manual_seed(0)
    model = ViT(**kwargs)
    loss = torch.nn.functional.cross_entropy(model(x), y)
    loss.backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    assert all(g is not None and torch.isfinite(g).all() for g in grads.values())
    if kwargs.get("lsa"):
        assert grads["blocks.0.attn.logit_scale"].abs() > 0  # la temperatura se aprende


def test_sincos_matches_formula_written_by_hand():
    g, dim = 7, 64
    pe = sincos_pos_embed_2d(g, dim)
    assert pe.shape == (49, 64)
    q = dim // 4
    for n in (0, 9, 48):
        row, col = divmod(n, g)
        for k in (0, 5, q - 1):
            w = 1.0 / 10_000 ** (k / (q - 1))
            expected = [math.sin(col * w), math.cos(col * w), math.sin(row * w), math.cos(row * w)]
            got = [pe[n, k].item(), pe[n, q + k].item(), pe[n, 2 * q + k].item(), pe[n, 3 * q + k].item()]
            assert got == pytest.approx(expected, abs=1e-6)


def test_sincos_is_a_fixed_buffer_with_zero_for_cls():
    model = ViT(pos_embed="sincos")
    assert "pos_embed" not in dict(model.named_parameters())
    assert "pos_embed" not in model.state_dict()  # se recalcula, no se guarda
    torch.testing.assert_close(model.pos_embed[0, 0], torch.zeros(64))
    torch.testing.assert_close(model.pos_embed[0, 1:], sincos_pos_embed_2d(7, 64))
    assert torch.equal(ViT(pos_embed="sincos", pool="mean").pos_embed[0], sincos_pos_embed_2d(7, 64))


def test_mean_pool_has_no_cls_and_averages_normalised_tokens(real_batch):
    x, _ = real_batch
    model = ViT(pool="mean").eval()
    assert model.cls_token is None and model.pos_embed.shape == (1, 49, 64)
    with torch.no_grad():
        t = model.embed(x)
        for block in model.blocks:
            t = block(t)
        expected = model.head(model.norm(t).mean(dim=1))
        torch.testing.assert_close(model(x), expected)


def test_spt_shifts_are_half_a_patch_in_the_four_diagonals():
    spt = ShiftedPatchEmbedding(img_size=8, patch_size=4, in_chans=1, dim=16)
    x = torch.arange(64.0).reshape(1, 1, 8, 8) + 1  # sin ceros, para ver el relleno
    s = spt.shifted(x)
    assert s.shape == (1, 5, 8, 8) and spt.shift == 2
    assert torch.equal(s[:, 0], x[:, 0])
    for c, (dy, dx) in enumerate(ShiftedPatchEmbedding.DIRECTIONS, start=1):
        for i in range(8):
            for j in range(8):
                si, sj = i - 2 * dy, j - 2 * dx  # el píxel de origen
                inside = 0 <= si < 8 and 0 <= sj < 8
                assert s[0, c, i, j].item() == (x[0, 0, si, sj].item() if inside else 0.0)
    # abajo-derecha: la copia es la imagen movida 2 píxeles hacia abajo y a la derecha
    assert torch.equal(s[0, 4, 2:, 2:], x[0, 0, :-2, :-2])


def test_spt_tokens_are_layernorm_then_linear_of_the_patches():
    from utils.patches import patchify

    torch.manual_seed(0)
    spt = ShiftedPatchEmbedding(28, 7, 1, 32)
    x = torch.randn(2, 1, 28, 28)
    patches = patchify(spt.shifted(x), 7)
    assert patches.shape == (2, 16, 5 * 49)
    torch.testing.assert_close(spt(x), spt.proj(spt.norm(patches)))
    assert ViT(spt=True).patch_embed.proj.in_features == 5 * 16


def test_lsa_starts_as_attention_with_the_diagonal_masked():
    torch.manual_seed(0)
    lsa = LocalitySelfAttention(32, 4).eval()
    mha = MultiHeadAttention(32, 4).eval()
    mha.load_state_dict({k: v for k, v in lsa.state_dict().items() if k != "logit_scale"})
    assert lsa.logit_scale.exp().item() == pytest.approx(1 / math.sqrt(8))
    x = torch.randn(3, 10, 32)
    off_diagonal = ~torch.eye(10, dtype=torch.bool)
    torch.testing.assert_close(lsa(x), mha(x, mask=off_diagonal), atol=1e-6, rtol=1e-5)
    _, w = lsa(x, return_weights=True)
    assert torch.all(w.diagonal(dim1=-2, dim2=-1) == 0)


def test_lsa_temperature_changes_the_scale():
    torch.manual_seed(0)
    lsa = LocalitySelfAttention(32, 4, fused=False).eval()
    x = torch.randn(2, 6, 32)
    with torch.no_grad():
        lsa.logit_scale.fill_(math.log(0.5))
        _, w = lsa(x, return_weights=True)
        q, k, _ = lsa.qkv(x).reshape(2, 6, 3, 4, 8).permute(2, 0, 3, 1, 4).unbind(0)
        scores = (q @ k.transpose(-2, -1) * 0.5).masked_fill(torch.eye(6, dtype=torch.bool), float("-inf"))
        torch.testing.assert_close(w, scores.softmax(-1))
        lsa.fused = True
        fused = lsa(x)
        lsa.fused = False
        torch.testing.assert_close(fused, lsa(x), atol=1e-6, rtol=1e-5)


def test_lsa_rejects_an_extra_mask():
    with pytest.raises(ValueError, match="máscara diagonal"):
        LocalitySelfAttention(32, 4)(torch.randn(1, 5, 32), mask=torch.ones(5, 5, dtype=torch.bool))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(pool="max"), "pool debe ser uno de"),
        (dict(pos_embed="fixed"), "pos_embed debe ser uno de"),
        (dict(pos_embed="sincos", dim=66, num_heads=3), "múltiplo de 4"),
        (dict(spt="sí"), "spt"),
    ],
)
def test_bad_variant_options_raise_spanish_errors(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        ViTConfig(**kwargs)


def test_config_round_trip_keeps_the_options():
    c = ViTConfig(pool="mean", pos_embed="sincos", spt=True, lsa=True)
    assert ViTConfig.from_dict(c.to_dict()) == c
