import pytest
import torch

from utils.attention import scaled_dot_product_attention
from utils.vit import Block, ViT, ViTConfig, count_parameters


def test_block_matches_transformer_encoder_layer():
    torch.manual_seed(0)
    dim, heads, mlp = 32, 4, 64
    block = Block(dim, heads, mlp).eval()
    ref = torch.nn.TransformerEncoderLayer(
        dim, heads, mlp, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
    ).eval()
    with torch.no_grad():
        ref.self_attn.in_proj_weight.copy_(block.attn.qkv.weight)
        ref.self_attn.in_proj_bias.copy_(block.attn.qkv.bias)
        ref.self_attn.out_proj.weight.copy_(block.attn.proj.weight)
        ref.self_attn.out_proj.bias.copy_(block.attn.proj.bias)
        ref.linear1.weight.copy_(block.mlp.fc1.weight)
        ref.linear1.bias.copy_(block.mlp.fc1.bias)
        ref.linear2.weight.copy_(block.mlp.fc2.weight)
        ref.linear2.bias.copy_(block.mlp.fc2.bias)
        for a, b in ((ref.norm1, block.norm1), (ref.norm2, block.norm2)):
            a.weight.copy_(b.weight + 0.1 * torch.randn_like(b.weight))
            a.bias.copy_(torch.randn_like(b.bias) * 0.1)
            b.weight.copy_(a.weight)
            b.bias.copy_(a.bias)
    x = torch.randn(3, 9, dim)
    out = block(x)
    expected = ref(x)
    assert out.abs().mean() > 0.1  # no es una comparación trivial
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


def test_vit_forward_and_attention_maps_shapes(real_batch):
    x, _ = real_batch
    model = ViT().eval()
    assert model.num_patches == 49
    logits = model(x)
    assert logits.shape == (16, 10)
    maps = model.attention_maps(x)
    assert len(maps) == 6 and all(m.shape == (16, 4, 50, 50) for m in maps)
    logits2, maps2 = model.forward_with_attention(x)
    torch.testing.assert_close(logits, logits2, atol=1e-5, rtol=1e-5)


def test_attention_maps_equal_hand_written_weights(real_batch):
    x, _ = real_batch
    torch.manual_seed(1)
    model = ViT(dim=32, depth=3, num_heads=2, mlp_dim=64).eval()
    maps = model.attention_maps(x)
    h = model.embed(x)
    with torch.no_grad():
        for block, got in zip(model.blocks, maps):
            B, N, D = h.shape
            qkv = block.attn.qkv(block.norm1(h)).reshape(B, N, 3, 2, D // 2).permute(2, 0, 3, 1, 4)
            _, expected = scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
            torch.testing.assert_close(got, expected, atol=1e-6, rtol=1e-5)
            assert got.std() > 0  # pesos no uniformes: la comparación dice algo
            h = block(h)


def test_config_and_kwargs_build_the_same_model():
    cfg = ViTConfig(dim=32, depth=2, num_heads=2, mlp_dim=64)
    a, b = ViT(config=cfg), ViT(dim=32, depth=2, num_heads=2, mlp_dim=64)
    assert count_parameters(a) == count_parameters(b)
    assert ViTConfig.from_dict(cfg.to_dict()) == cfg
    # Parámetros del ViT del curso: patch 16·64+64, cls 64, pos 50·64, 6 bloques, norm 128, cabeza 650.
    block = (64 * 192 + 192) + (64 * 64 + 64) + 2 * 128 + (64 * 128 + 128) + (128 * 64 + 64)
    assert count_parameters(ViT()) == 16 * 64 + 64 + 64 + 50 * 64 + 6 * block + 128 + 650


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(img_size=28, patch_size=5), "img_size=28 no es divisible entre patch_size=5"),
        (dict(dim=30, num_heads=4), "dim=30 no es divisible entre num_heads=4"),
        (dict(depth=0), "depth debe ser un entero positivo"),
        (dict(dim=-64), "dim debe ser un entero positivo"),
        (dict(patch_size=0), "patch_size debe ser un entero positivo"),
        (dict(dropout=1.5), "dropout debe estar en"),
    ],
)
def test_bad_config_raises_spanish_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ViT(**kwargs)


def test_bad_input_batch_raises_spanish_error():
    model = ViT(dim=32, depth=1, num_heads=2, mlp_dim=32)
    with pytest.raises(ValueError, match=r"unsqueeze\(1\)"):
        model(torch.zeros(2, 28, 28))
    with pytest.raises(ValueError, match=r"\(B, 1, 28, 28\).*\(2, 3, 28, 28\)"):
        model(torch.zeros(2, 3, 28, 28))
    with pytest.raises(ValueError, match="32, 32"):
        model(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="no ambos"):
        ViT(config=ViTConfig(), dim=32)
    with pytest.raises(ValueError, match="desconocidos"):
        ViTConfig.from_dict({"dim": 64, "heads": 4})
