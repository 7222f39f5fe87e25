"""Piezas de los ViT hechos para pocos datos, que ``utils.vit.ViT`` usa como opciones.

- :func:`sincos_pos_embed_2d`: embeddings de posición 2-D seno-coseno fijos (no se aprenden), como en
  Beyer, Zhai y Kolesnikov (2022, arXiv:2205.01580), su ``posemb_sincos_2d``.
- :class:`ShiftedPatchEmbedding`: tokenización de parches desplazados (SPT) de Lee, Lee y Song (2021),
  arXiv:2112.13492: la imagen y cuatro copias desplazadas medio parche en
  diagonal se cortan juntas en parches, así que cada token ve también un poco de sus vecinos.
- :class:`LocalitySelfAttention`: la autoatención de localidad (LSA) del mismo artículo: una temperatura
  aprendida en lugar de la fija 1/√d y una máscara diagonal que impide que un token se atienda a sí mismo,
  lo que afila la atención hacia los demás tokens.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .attention import MultiHeadAttention
from .patches import patchify
from .validation import as_int, check_tensor


def sincos_pos_embed_2d(grid_size: int, dim: int, temperature: float = 10_000.0) -> torch.Tensor:
    """Embeddings de posición 2-D seno-coseno para una cuadrícula ``grid_size × grid_size``: (N, dim).

    Cada cuarto de las ``dim`` columnas es sen(x·ω), cos(x·ω), sen(y·ω) y cos(y·ω), con x la columna
    y y la fila del parche (orden de lectura) y ω_k = 1 / temperature^(k / (dim/4 − 1)), k = 0 … dim/4 − 1.
    """
    grid_size = as_int("grid_size", grid_size, minimum=1)
    dim = as_int("dim", dim, minimum=8)
    if dim % 4:
        raise ValueError(
            f"Los embeddings seno-coseno 2-D necesitan dim múltiplo de 4 (un cuarto por seno y coseno de cada eje) "
            f"y dim vale {dim}. Usa, por ejemplo, dim={4 * round(dim / 4) or 8}."
        )
    y, x = torch.meshgrid(torch.arange(grid_size), torch.arange(grid_size), indexing="ij")  # (g, g) cada uno
    omega = torch.arange(dim // 4) / (dim // 4 - 1)
    omega = 1.0 / temperature**omega  # (dim/4,)
    y = y.flatten()[:, None] * omega[None, :]  # (N, dim/4)
    x = x.flatten()[:, None] * omega[None, :]  # (N, dim/4)
    return torch.cat([x.sin(), x.cos(), y.sin(), y.cos()], dim=1).float()  # (N, dim)


class ShiftedPatchEmbedding(nn.Module):
    """Tokenización de parches desplazados (SPT): (B, C, H, W) → (B, N, D).

    Se concatenan en los canales la imagen y sus cuatro copias desplazadas ``patch_size // 2`` píxeles en
    diagonal (rellenando con ceros, como el artículo); se corta en parches de (5·C)·p·p números, se normaliza
    cada parche con LayerNorm y se proyecta a ``dim``.
    """

    # (dy, dx) de cada copia, en unidades de medio parche: arriba-izquierda, arriba-derecha, abajo-izquierda, abajo-derecha
    DIRECTIONS = ((-1, -1), (-1, 1), (1, -1), (1, 1))

    def __init__(self, img_size: int = 28, patch_size: int = 4, in_chans: int = 1, dim: int = 64):
        super().__init__()
        self.img_size, self.patch_size, self.in_chans = img_size, patch_size, in_chans
        self.grid_size = img_size // patch_size
        self.num_patches = self.grid_size**2
        self.shift = max(1, patch_size // 2)
        patch_dim = 5 * in_chans * patch_size**2
        self.norm = nn.LayerNorm(patch_dim)
        self.proj = nn.Linear(patch_dim, dim)

    def shifted(self, x: torch.Tensor) -> torch.Tensor:
        """La imagen y sus cuatro copias desplazadas: (B, C, H, W) → (B, 5·C, H, W)."""
        s = self.shift
        padded = F.pad(x, (s, s, s, s))  # (B, C, H+2s, W+2s), ceros alrededor
        H, W = x.shape[-2:]
        # una copia movida (dy, dx) medios parches: el píxel (i, j) de la copia es el (i - dy·s, j - dx·s) de x
        copies = [padded[..., s - dy * s : s - dy * s + H, s - dx * s : s - dx * s + W] for dy, dx in self.DIRECTIONS]
        return torch.cat([x, *copies], dim=1)  # (B, 5·C, H, W)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_tensor("x", x)
        x = patchify(self.shifted(x), self.patch_size)  # (B, N, 5·C·p·p)
        return self.proj(self.norm(x))  # (B, N, D)


class LocalitySelfAttention(MultiHeadAttention):
    """Autoatención de localidad (LSA): softmax(Q·Kᵀ · t), con t = exp(``logit_scale``) aprendida, y la
    diagonal enmascarada (ningún token se atiende a sí mismo).

    Empieza con t = 1/√d, la escala de la atención normal; los mismos ``qkv`` y ``proj`` que
    :class:`~utils.attention.MultiHeadAttention`, así que sus pesos se pueden copiar de una a otra.
    """

    def __init__(self, dim: int, num_heads: int, dropout: float = 0.0, fused: bool = True):
        super().__init__(dim, num_heads, dropout=dropout, fused=fused)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(self.head_dim**-0.5)))  # log t, t = 1/√d al principio

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, return_weights: bool = False):
        if mask is not None:
            raise ValueError("LocalitySelfAttention ya usa su propia máscara diagonal; no admite otra (mask=None).")
        x = check_tensor("x", x)
        if x.ndim != 3 or x.shape[-1] != self.qkv.in_features:
            raise ValueError(
                f"Se esperaba una secuencia (B, N, D={self.qkv.in_features}) y llegó un tensor de forma {tuple(x.shape)}."
            )
        B, N, D = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim)  # (B, N, 3, H, d)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)  # 3 × (B, H, N, d)
        allowed = ~torch.eye(N, dtype=torch.bool, device=x.device)  # (N, N): False en la diagonal
        scale = self.logit_scale.exp()
        p = self.dropout if self.training else 0.0
        if self.fused and not return_weights:
            # el argumento scale de PyTorch no admite un tensor con gradiente: se escala q, y la versión
            # fusionada divide por √d, así que (q·t·√d)·Kᵀ/√d = Q·Kᵀ·t
            q = q * (scale * math.sqrt(self.head_dim))
            out, weights = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=p), None
        else:
            scores = (q @ k.transpose(-2, -1)) * scale  # (B, H, N, N)
            weights = scores.masked_fill(~allowed, float("-inf")).softmax(dim=-1)  # (B, H, N, N)
            out = F.dropout(weights, p=p) @ v  # (B, H, N, d)
        out = out.transpose(1, 2).reshape(B, N, D)  # (B, N, D)
        out = self.proj_drop(self.proj(out))
        return (out, weights) if return_weights else out
