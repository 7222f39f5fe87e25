"""Pruebas de utils.flops: la cuenta a mano coincide con FlopCounterMode."""

import pytest
import torch

from utils import flops as F
from utils.flops import measure_flops, vit_flops, vit_macs
from utils.vit import ViT, ViTConfig


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"patch_size": 7, "dim": 32, "depth": 2, "num_heads": 2, "mlp_dim": 64},
        {"img_size": 32, "patch_size": 8, "in_chans": 3, "num_classes": 5, "dim": 48, "depth": 3, "num_heads": 3},
    ],
)
def test_analytic_count_matches_flop_counter(kwargs):
    torch.manual_seed(0)
    model = ViT(**kwargs)
    c = model.config
    x = torch.randn(3, c.in_chans, c.img_size, c.img_size)
    assert measure_flops(model, x) == vit_flops(model.config)


def test_measure_flops_restores_fused_attention_and_mode():
    model = ViT(depth=2).train()
    measure_flops(model, torch.randn(2, 1, 28, 28))
    assert all(block.attn.fused for block in model.blocks)
    assert model.training


def test_call_styles_agree():
    cfg = ViTConfig(dim=32, num_heads=2)
    assert vit_macs(cfg) == vit_macs(ViT(config=cfg)) == vit_macs(dim=32, num_heads=2)
    assert vit_flops(cfg) == 2 * sum(vit_macs(cfg).values())


def test_vit_base_matches_literature():
    # ViT-B/16 a 224×224: unos 17,6 G multiplicaciones-sumas (lo que muchos artículos llaman «GFLOPs»).
    macs = sum(
        vit_macs(
            img_size=224, patch_size=16, in_chans=3, num_classes=1000, dim=768, depth=12, num_heads=12, mlp_dim=3072
        ).values()
    )
    assert 17.0e9 < macs < 18.0e9


def test_bad_input_gives_spanish_error():
    with pytest.raises(ValueError, match="ViTConfig"):
        vit_macs("grande")
    with pytest.raises(ValueError, match="no ambos"):
        vit_macs(ViTConfig(), dim=32)
    with pytest.raises(ValueError, match="no es divisible"):
        vit_flops(dim=64, num_heads=5)


def test_measure_matmul_gflops():
    from utils.flops import measure_matmul_gflops

    assert 0.01 < measure_matmul_gflops(n=128, repeats=3) < 1e5  # GFLOP/s de una CPU, no de otra cosa
    with pytest.raises(ValueError, match="positivos"):
        measure_matmul_gflops(n=0)


def test_l3_cache_bytes_reads_the_level_3_entry(tmp_path):
    for name, level, size in [("index0", "1", "48K"), ("index2", "2", "2048K"), ("index3", "3", "32768K")]:
        (tmp_path / name).mkdir()
        (tmp_path / name / "level").write_text(level + "\n")
        (tmp_path / name / "size").write_text(size + "\n")
    assert F.l3_cache_bytes(tmp_path) == 32 * 2**20
    (tmp_path / "index3" / "size").write_text("raro\n")
    assert F.l3_cache_bytes(tmp_path) is None
    assert F.l3_cache_bytes(tmp_path / "no_existe") is None  # sin /sys (Mac, Windows): no se sabe
