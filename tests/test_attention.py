import math

import pytest
import torch
import torch.nn.functional as F

from utils.attention import MultiHeadAttention, scaled_dot_product_attention


def test_hand_written_matches_pytorch_fused():
    torch.manual_seed(0)
    q, k, v = torch.randn(3, 2, 4, 10, 8).unbind(0)
    out, w = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 4, 10))
    expected_w = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(8), dim=-1)
    torch.testing.assert_close(w, expected_w)


def test_hand_written_with_boolean_mask_matches_fused():
    torch.manual_seed(1)
    q, k, v = torch.randn(3, 2, 6, 4).unbind(0)
    mask = torch.tril(torch.ones(6, 6, dtype=torch.bool))
    out, w = scaled_dot_product_attention(q, k, v, mask=mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=1e-5, rtol=1e-5)
    assert torch.all(w[:, 0, 1:] == 0)


def _copy_to_torch_mha(mha: MultiHeadAttention, dim: int, heads: int) -> torch.nn.MultiheadAttention:
    ref = torch.nn.MultiheadAttention(dim, heads, batch_first=True)
    with torch.no_grad():
        ref.in_proj_weight.copy_(mha.qkv.weight)
        ref.in_proj_bias.copy_(mha.qkv.bias)
        ref.out_proj.weight.copy_(mha.proj.weight)
        ref.out_proj.bias.copy_(mha.proj.bias)
    return ref.eval()


def test_fused_manual_and_torch_multihead_agree():
    torch.manual_seed(2)
    mha = MultiHeadAttention(32, 4).eval()
    x = torch.randn(3, 11, 32)
    fused = mha(x)
    manual, weights = mha(x, return_weights=True)
    ref_out, ref_w = _copy_to_torch_mha(mha, 32, 4)(x, x, x, need_weights=True, average_attn_weights=False)
    torch.testing.assert_close(fused, manual, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(manual, ref_out, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(weights, ref_w, atol=1e-6, rtol=1e-5)
    mha.fused = False
    torch.testing.assert_close(mha(x), fused, atol=1e-5, rtol=1e-5)


def test_mask_in_module_matches_torch():
    torch.manual_seed(3)
    mha = MultiHeadAttention(16, 2).eval()
    x = torch.randn(2, 5, 16)
    allowed = torch.rand(5, 5) > 0.3
    allowed |= torch.eye(5, dtype=torch.bool)
    ref, _ = _copy_to_torch_mha(mha, 16, 2)(x, x, x, attn_mask=~allowed)  # en torch, True = bloquear
    torch.testing.assert_close(mha(x, mask=allowed), ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(mha(x, mask=allowed, return_weights=True)[0], ref, atol=1e-5, rtol=1e-5)


def test_bad_inputs_get_spanish_errors():
    with pytest.raises(ValueError, match="dim=30 no es divisible entre num_heads=4"):
        MultiHeadAttention(30, 4)
    with pytest.raises(ValueError, match="entero positivo"):
        MultiHeadAttention(0, 1)
    mha = MultiHeadAttention(16, 2)
    with pytest.raises(ValueError, match=r"\(B, N, D=16\)"):
        mha(torch.randn(2, 5, 8))
    with pytest.raises(ValueError, match="máscara tiene forma"):
        mha(torch.randn(2, 5, 16), mask=torch.ones(4, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="máscara"):
        scaled_dot_product_attention(*torch.randn(3, 1, 5, 4).unbind(0), mask=torch.ones(5, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match="misma última dimensión"):
        scaled_dot_product_attention(torch.randn(2, 4), torch.randn(2, 5), torch.randn(2, 5))
