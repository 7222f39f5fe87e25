"""Atención de producto escalado y atención multicabeza.

``scaled_dot_product_attention`` está escrita a mano para enseñar y devuelve los pesos.
``MultiHeadAttention`` usa por defecto la versión fusionada de PyTorch
(``F.scaled_dot_product_attention``), más rápida, y la escrita a mano cuando se piden los pesos.
La versión fusionada nunca materializa la softmax, así que un *hook* no puede verlos: por eso
los pesos se obtienen recalculando con la ruta manual (``return_weights=True``).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .validation import check_divisible, check_positive


def _check_mask(mask: torch.Tensor | None, scores_shape: torch.Size) -> None:
    """Comprueba que la máscara se pueda difundir a la forma de las puntuaciones (..., N, M)."""
    if mask is None:
        return
    try:
        shape = torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        shape = None
    if shape != scores_shape or mask.shape[-2:] != scores_shape[-2:]:
        raise ValueError(
            f"La máscara tiene forma {tuple(mask.shape)} y debe poder difundirse a {tuple(scores_shape)} "
            f"(las puntuaciones); usa una máscara (N, M) = {tuple(scores_shape[-2:])} o (B, 1, N, M)."
        )
    if mask.dtype != torch.bool and not mask.is_floating_point():
        raise ValueError(
            f"La máscara es de tipo {mask.dtype}; usa bool (True = se puede atender) o float (se suma a las puntuaciones)."
        )


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Atención de producto escalado escrita a mano: softmax(Q·Kᵀ/√d)·V.

    Args:
        q: consultas (..., N, d).
        k: claves (..., M, d).
        v: valores (..., M, d_v).
        mask: opcional, bool (True = se puede atender) o float (se suma), difundible a (..., N, M).
        dropout_p: probabilidad de *dropout* sobre los pesos.

    Returns:
        ``(salida, pesos)``: salida (..., N, d_v) y pesos de atención (..., N, M); cada fila suma 1.
    """
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q y k deben tener la misma última dimensión y tienen {q.shape[-1]} y {k.shape[-1]}.")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k y v deben tener el mismo número de elementos y tienen {k.shape[-2]} y {v.shape[-2]}.")
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., N, M)
    _check_mask(mask, scores.shape)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    weights = scores.softmax(dim=-1)  # (..., N, M)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return weights @ v, weights  # (..., N, d_v), (..., N, M)


class MultiHeadAttention(nn.Module):
    """Atención multicabeza con una proyección ``qkv`` fusionada, como en timm.

    Args:
        dim: dimensión de los tokens ``D``.
        num_heads: número de cabezas ``H``; cada una trabaja en ``D / H`` dimensiones.
        dropout: *dropout* sobre los pesos de atención y tras la proyección de salida.
        fused: usar ``F.scaled_dot_product_attention`` (por defecto) o la versión escrita a mano.
    """

    def __init__(self, dim: int, num_heads: int, dropout: float = 0.0, fused: bool = True):
        super().__init__()
        check_positive(dim=dim, num_heads=num_heads)
        check_divisible("dim", dim, "num_heads", num_heads)
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.dropout = dropout
        self.fused = fused
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(dropout)

    def forward(
        self, x: torch.Tensor, mask: torch.Tensor | None = None, return_weights: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Aplica la atención a ``x`` (B, N, D).

        Con ``return_weights=True`` usa la ruta escrita a mano y devuelve también los pesos (B, H, N, N).
        """
        if x.ndim != 3 or x.shape[-1] != self.qkv.in_features:
            raise ValueError(
                f"Se esperaba una secuencia (B, N, D={self.qkv.in_features}) y llegó un tensor de forma {tuple(x.shape)}."
            )
        B, N, D = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim)  # (B, N, 3, H, d)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # 3 × (B, H, N, d)
        _check_mask(mask, torch.Size((B, self.num_heads, N, N)))
        p = self.dropout if self.training else 0.0
        if self.fused and not return_weights:
            out, weights = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p), None
        else:
            out, weights = scaled_dot_product_attention(q, k, v, mask=mask, dropout_p=p)
        out = out.transpose(1, 2).reshape(B, N, D)  # (B, N, D): se concatenan las cabezas
        out = self.proj_drop(self.proj(out))
        return (out, weights) if return_weights else out
