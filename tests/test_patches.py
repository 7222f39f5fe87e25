import pytest
import torch

from utils.patches import PatchEmbedding, patchify, unpatchify


def test_patchify_shape_and_reading_order():
    x = torch.arange(2 * 1 * 4 * 4, dtype=torch.float32).reshape(2, 1, 4, 4)
    p = patchify(x, 2)  # (2, 4, 4)
    assert p.shape == (2, 4, 4)
    # El parche 1 es el de arriba a la derecha: filas 0-1, columnas 2-3.
    assert torch.equal(p[0, 1], torch.tensor([2.0, 3.0, 6.0, 7.0]))
    assert torch.equal(p[0, 2], torch.tensor([8.0, 9.0, 12.0, 13.0]))
    assert torch.equal(unpatchify(p, 2), x)


def test_patch_embedding_equals_patchify_plus_linear(real_batch):
    x, _ = real_batch
    torch.manual_seed(0)
    pe = PatchEmbedding(28, 4, 1, 32)
    assert pe.num_patches == 49 and pe.grid_size == 7
    linear = torch.nn.Linear(16, 32)
    with torch.no_grad():
        linear.weight.copy_(pe.proj.weight.reshape(32, -1))
        linear.bias.copy_(pe.proj.bias)
    expected = linear(patchify(x, 4))
    out = pe(x)
    assert out.shape == (16, 49, 32)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


def test_patch_embedding_multichannel_matches():
    torch.manual_seed(1)
    x = torch.randn(3, 3, 12, 12)
    pe = PatchEmbedding(12, 3, 3, 8)
    expected = patchify(x, 3) @ pe.proj.weight.reshape(8, -1).T + pe.proj.bias
    torch.testing.assert_close(pe(x), expected, atol=1e-5, rtol=1e-5)


def test_bad_sizes_raise_spanish_errors():
    with pytest.raises(ValueError, match="img_size=28 no es divisible entre patch_size=5"):
        PatchEmbedding(28, 5)
    with pytest.raises(ValueError, match="entero positivo"):
        PatchEmbedding(28, 0)
    with pytest.raises(ValueError, match="entero positivo"):
        PatchEmbedding(28, 4, 1, -3)
    with pytest.raises(ValueError, match="unsqueeze"):
        patchify(torch.zeros(28, 28), 4)
    with pytest.raises(ValueError, match="no es divisible"):
        patchify(torch.zeros(1, 1, 28, 28), 6)
