"""Parches: de una imagen a una secuencia de vectores.

``patchify`` corta a mano; ``PatchEmbedding`` hace lo mismo con una convolución cuyo
filtro y paso miden lo mismo que el parche, seguida de la proyección lineal.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .validation import (
    InputTypeError,
    check_divisible,
    check_fits_in_memory,
    check_positive,
    check_tensor,
    fix_to_float,
)


def patchify(images: torch.Tensor, patch_size: int) -> torch.Tensor:
    """Corta un lote de imágenes en parches aplanados, en orden de lectura.

    Args:
        images: tensor (B, C, H, W).
        patch_size: lado ``p`` de cada parche cuadrado.

    Returns:
        Tensor (B, N, C·p·p) con N = (H/p)·(W/p). Cada vector sigue el orden (canal, fila, columna),
        el mismo que los pesos aplanados de ``nn.Conv2d``.
    """
    check_positive(patch_size=patch_size)
    images = check_tensor("images", images)
    if images.ndim != 4:
        raise ValueError(
            f"Se esperaba un lote (B, C, H, W) y llegó un tensor de forma {tuple(images.shape)}. "
            "Para una sola imagen en escala de grises usa images[None, None] o images.unsqueeze(1)."
        )
    B, C, H, W = images.shape
    check_divisible("H", H, "patch_size", patch_size)
    check_divisible("W", W, "patch_size", patch_size)
    p = patch_size
    x = images.unfold(2, p, p).unfold(3, p, p)  # (B, C, H/p, W/p, p, p)
    x = x.permute(0, 2, 3, 1, 4, 5)  # (B, H/p, W/p, C, p, p)
    return x.reshape(B, (H // p) * (W // p), C * p * p)  # (B, N, C·p·p)


def unpatchify(patches: torch.Tensor, patch_size: int, channels: int = 1) -> torch.Tensor:
    """Inversa de :func:`patchify`: de (B, N, C·p·p) a (B, C, H, W) con imágenes cuadradas."""
    check_positive(patch_size=patch_size, channels=channels)
    patches = check_tensor("patches", patches)
    if patches.ndim != 3:
        raise ValueError(
            f"Se esperaban parches (B, N, C·p·p) como los de patchify y llegó un tensor de forma {tuple(patches.shape)}."
        )
    B, N, P = patches.shape
    p = patch_size
    if P != channels * p * p:
        guess = P // (p * p) if P % (p * p) == 0 else None
        fix = f"usa channels={guess}" if guess else "revisa patch_size y channels"
        raise ValueError(
            f"Con channels={channels} y patch_size={p}, cada parche debe tener {channels}·{p}·{p} = {channels * p * p} "
            f"números y tiene {P}: {fix}."
        )
    g = math.isqrt(N)
    if g * g != N:
        raise ValueError(f"N={N} parches no forman una cuadrícula cuadrada; unpatchify solo admite imágenes cuadradas.")
    x = patches.reshape(B, g, g, channels, p, p).permute(0, 3, 1, 4, 2, 5)  # (B, C, g, p, g, p)
    return x.reshape(B, channels, g * p, g * p)


class PatchEmbedding(nn.Module):
    """Convierte imágenes (B, C, H, W) en embeddings de parches (B, N, D).

    Una convolución con ``kernel_size = stride = patch_size`` equivale a cortar en parches y
    aplicar la misma capa lineal a cada uno.
    """

    def __init__(self, img_size: int = 28, patch_size: int = 4, in_chans: int = 1, dim: int = 64):
        super().__init__()
        check_positive(img_size=img_size, patch_size=patch_size, in_chans=in_chans, dim=dim)
        check_divisible("img_size", img_size, "patch_size", patch_size)
        check_fits_in_memory(
            f"PatchEmbedding(dim={dim})", (in_chans * patch_size**2 + 1) * dim, "Usa un dim como 64 o 128."
        )
        self.img_size = img_size
        self.patch_size = patch_size
        self.in_chans = in_chans
        self.grid_size = img_size // patch_size
        self.num_patches = self.grid_size**2
        self.proj = nn.Conv2d(in_chans, dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = check_tensor("x", x)
        p = self.patch_size
        if x.ndim != 4 or x.shape[1] != self.in_chans or x.shape[-2] % p or x.shape[-1] % p:
            raise ValueError(
                f"PatchEmbedding espera un lote (B, C={self.in_chans}, H, W) con H y W múltiplos de patch_size={p} "
                f"y llegó un tensor de forma {tuple(x.shape)}."
            )
        if not x.is_floating_point():
            raise InputTypeError(f"x es de tipo {x.dtype} y PatchEmbedding espera float32: {fix_to_float('x')}.")
        x = self.proj(x)  # (B, D, H/p, W/p)
        return x.flatten(2).transpose(1, 2)  # (B, N, D)
