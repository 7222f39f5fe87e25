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

from .validation import InputTypeError, as_float, check_divisible, check_fits_in_memory, check_positive, check_tensor


def _check_mask(mask, scores_shape: torch.Size) -> torch.Tensor | None:
    """Comprueba la máscara frente a la forma de las puntuaciones (..., N, M) y la devuelve.

    La máscara es bool (True = se puede atender) o float (se suma a las puntuaciones) y se lleva
    a (..., N, M) por *broadcasting*, con las reglas de PyTorch. Cada consulta debe poder atender al menos a una clave:
    una fila toda False (o toda -inf) no tiene softmax definida (la versión escrita a mano daría NaN y
    la fusionada ceros), así que se rechaza con un error en lugar de dar dos resultados distintos.
    """
    if mask is None:
        return None
    mask = check_tensor("mask", mask)
    if mask.dtype != torch.bool and not mask.is_floating_point():
        raise InputTypeError(
            f"La máscara es de tipo {mask.dtype}; usa bool (True = se puede atender) o float (se suma a las "
            "puntuaciones). Si es de 0 y 1, conviértela con mask.bool()."
        )
    try:
        shape = torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        shape = None
    if mask.ndim < 2 or shape != scores_shape or mask.shape[-2:] != scores_shape[-2:]:
        raise ValueError(
            f"La máscara tiene forma {tuple(mask.shape)} y no encaja por broadcasting con las puntuaciones "
            f"{tuple(scores_shape)}; usa una máscara (N, M) = {tuple(scores_shape[-2:])} o (B, 1, N, M)."
        )
    if mask.dtype == torch.bool:
        empty = ~mask.any(dim=-1)
    else:
        if torch.isnan(mask).any() or torch.isposinf(mask).any():
            raise ValueError("La máscara float tiene NaN o +inf; usa 0 para permitir y -inf (o -1e9) para bloquear.")
        empty = torch.isneginf(mask).all(dim=-1)
    if empty.any():
        where = [int(i) for i in empty.nonzero()[0]]
        where = str(where[0]) if len(where) == 1 else f"{where[-1]} (en la posición {tuple(where)})"
        raise ValueError(
            f"La fila {where} de la máscara no deja atender a ninguna clave (toda False o -inf): la softmax de esa "
            "consulta no está definida. Deja que cada consulta se atienda al menos a sí misma, por ejemplo con "
            "mask = mask | torch.eye(N, dtype=torch.bool)."
        )
    return mask


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
        mask: opcional, bool (True = se puede atender) o float (se suma), que se lleva a (..., N, M)
            por *broadcasting* con las reglas de PyTorch. Cada fila debe permitir al menos una clave.
        dropout_p: probabilidad de *dropout* sobre los pesos, en [0, 1).

    Returns:
        ``(salida, pesos)``: salida (..., N, d_v) y pesos de atención (..., N, M); cada fila suma 1.
    """
    for name, t in (("q", q), ("k", k), ("v", v)):
        t = check_tensor(name, t)
        if t.ndim < 2 or not t.is_floating_point():
            raise ValueError(
                f"{name} debe ser un tensor float (..., N, d) y es de forma {tuple(t.shape)} y tipo {t.dtype}."
            )
    dropout_p = as_float("dropout_p", dropout_p, minimum=0.0, maximum=1.0, max_inclusive=False)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q y k deben tener la misma última dimensión y tienen {q.shape[-1]} y {k.shape[-1]}.")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k y v deben tener el mismo número de elementos y tienen {k.shape[-2]} y {v.shape[-2]}.")
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., N, M)
    mask = _check_mask(mask, scores.shape)
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

    La máscara de ``forward`` (bool, True = se puede atender, o float, que se suma) admite tres formas,
    sin ambigüedad: (N, N), la misma para todo el lote; (B, N, N), una por imagen (nunca por cabeza,
    aunque B sea igual al número de cabezas); y (B o 1, H o 1, N, N), explícita por imagen y cabeza.
    """

    def __init__(self, dim: int, num_heads: int, dropout: float = 0.0, fused: bool = True):
        super().__init__()
        check_positive(dim=dim, num_heads=num_heads)
        check_divisible("dim", dim, "num_heads", num_heads)
        check_fits_in_memory(f"MultiHeadAttention(dim={dim})", 4 * dim * dim + 4 * dim, "Usa un dim como 64 o 128.")
        dropout = as_float("dropout", dropout, minimum=0.0, maximum=1.0, max_inclusive=False, fix="Usa 0.0 o 0.1.")
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
        x = check_tensor("x", x)
        if x.dtype != self.qkv.weight.dtype:
            raise InputTypeError(
                f"x es de tipo {x.dtype} y la atención tiene sus pesos en {self.qkv.weight.dtype}: usa x.float()."
            )
        if x.ndim != 3 or x.shape[-1] != self.qkv.in_features:
            raise ValueError(
                f"Se esperaba una secuencia (B, N, D={self.qkv.in_features}) y llegó un tensor de forma {tuple(x.shape)}."
            )
        B, N, D = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim)  # (B, N, 3, H, d)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # 3 × (B, H, N, d)
        if isinstance(mask, torch.Tensor) and mask.ndim == 3:
            if mask.shape[0] not in (1, B):
                raise ValueError(
                    f"La máscara tiene forma {tuple(mask.shape)}: una máscara (B, N, N) es una por imagen y el lote "
                    f"tiene B={B}. Para una máscara por cabeza usa la forma (1, H, N, N) = (1, {self.num_heads}, {N}, {N})."
                )
            mask = mask[:, None]  # (B, 1, N, N): la misma para todas las cabezas de cada imagen
        mask = _check_mask(mask, torch.Size((B, self.num_heads, N, N)))
        p = self.dropout if self.training else 0.0
        if self.fused and not return_weights:
            out, weights = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p), None
        else:
            out, weights = scaled_dot_product_attention(q, k, v, mask=mask, dropout_p=p)
        out = out.transpose(1, 2).reshape(B, N, D)  # (B, N, D): se concatenan las cabezas
        out = self.proj_drop(self.proj(out))
        return (out, weights) if return_weights else out
