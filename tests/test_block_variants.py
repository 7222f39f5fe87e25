"""utils.block_variants: las variantes comparten pesos, la medida del gradiente y el entrenamiento corto."""

import pytest
import torch

from utils.block_variants import NoResidualBlock, PostNormBlock, block_grad_norms, make_vit, train_losses
from utils.vit import Block, ViT

SMALL = dict(dim=16, depth=3, num_heads=2, mlp_dim=32, patch_size=7)


def test_variants_start_from_the_same_weights():
    models = [make_vit(cls, seed=0, **SMALL) for cls in (Block, PostNormBlock, NoResidualBlock)]
    reference = models[0].state_dict()
    assert all(torch.equal(reference[k], m.state_dict()[k]) for m in models for k in reference)
    assert type(models[1].blocks[0]) is PostNormBlock


def test_pre_norm_variant_is_the_course_vit():
    torch.manual_seed(0)
    plain = ViT(**SMALL).eval()
    x = torch.randn(2, 1, 28, 28)
    assert torch.allclose(make_vit(Block, seed=0, **SMALL).eval()(x), plain(x))


def test_make_vit_keeps_global_rng_and_checks_init():
    torch.manual_seed(3)
    expected = torch.rand(2)
    torch.manual_seed(3)
    make_vit(Block, init="xavier", **SMALL)
    assert torch.equal(torch.rand(2), expected)
    with pytest.raises(ValueError, match="init"):
        make_vit(Block, init="kaiming", **SMALL)


def test_post_norm_forward():
    block = PostNormBlock(16, 2, 32)
    x = torch.randn(2, 5, 16)
    expected = block.norm2(block.norm1(x + block.attn(x)) + block.mlp(block.norm1(x + block.attn(x))))
    assert torch.allclose(block(x), expected, atol=1e-6)


def test_grad_norms_and_training_are_deterministic():
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
    g = block_grad_norms(make_vit(Block, **SMALL), x, y)
    assert g.shape == (3,) and torch.isfinite(g).all() and (g > 0).all()
    a = train_losses(make_vit(Block, **SMALL), x, y, steps=4, batch_size=16)
    b = train_losses(make_vit(Block, **SMALL), x, y, steps=4, batch_size=16, warmup_steps=2)
    assert len(a) == 4 and a[0] == b[0] and torch.get_num_threads() >= 1
