"""Una red convolucional (CNN) pequeña y moderna, la referencia con la que se compara el ViT.

Tres bloques «convolución 3×3 → BatchNorm → ReLU → max-pooling», un *pooling* promedio global y
una capa lineal: menos de 100 000 parámetros. Se entrena con el mismo ``utils.train.train_model``
que el ViT, de modo que la comparación solo cambia la arquitectura.
"""

from __future__ import annotations

import torch
from torch import nn

from .validation import InputTypeError, check_fits_in_memory, check_images, check_positive


class SmallCNN(nn.Module):
    """CNN de referencia: ``len(channels)`` bloques conv-BN-ReLU-maxpool, pooling global y una capa lineal.

    Con los valores por defecto, una imagen (1, 28, 28) pasa a (32, 14, 14), (64, 7, 7) y (128, 3, 3);
    el pooling promedio global deja un vector de 128 números y la capa lineal da los 10 logits.
    """

    def __init__(self, in_chans: int = 1, num_classes: int = 10, channels: tuple[int, ...] = (32, 64, 128)):
        super().__init__()
        if isinstance(channels, (str, bytes)) or not hasattr(channels, "__iter__"):
            raise InputTypeError(
                f"channels debe ser una tupla de números de canales, por ejemplo (32, 64, 128), y vale {channels!r}."
            )
        channels = tuple(channels)
        if not channels:
            raise ValueError(
                "channels no puede estar vacío: da al menos un número de canales, por ejemplo (32, 64, 128)."
            )
        check_positive(
            in_chans=in_chans, num_classes=num_classes, **{f"channels[{i}]": c for i, c in enumerate(channels)}
        )
        sizes = (in_chans,) + channels
        check_fits_in_memory(
            f"SmallCNN(channels={channels})",
            sum(9 * a * b for a, b in zip(sizes, sizes[1:])) + channels[-1] * (num_classes + 1),
            "Usa canales como (32, 64, 128).",
        )
        self.in_chans = in_chans
        self.num_classes = num_classes
        self.channels = channels
        layers: list[nn.Module] = []
        prev = in_chans
        for c in channels:
            layers += [
                nn.Conv2d(prev, c, kernel_size=3, padding=1, bias=False),  # sin sesgo: BatchNorm ya lo aporta
                nn.BatchNorm2d(c),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(2),
            ]
            prev = c
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(prev, num_classes)

    def _check_input(self, x: torch.Tensor) -> None:
        check_images("x", x, dtype=self.head.weight.dtype, device=self.head.weight.device)
        min_size = 2 ** len(self.channels)
        if x.ndim != 4 or x.shape[1] != self.in_chans:
            hint = " Para imágenes (B, 28, 28) usa x.unsqueeze(1)." if x.ndim == 3 and self.in_chans == 1 else ""
            raise ValueError(
                f"La CNN espera un lote (B, C, H, W) con C = {self.in_chans} canales y llegó un tensor de forma "
                f"{tuple(x.shape)}.{hint}"
            )
        if min(x.shape[-2:]) < min_size:
            raise ValueError(
                f"Las imágenes miden {tuple(x.shape[-2:])} píxeles, pero con {len(self.channels)} bloques de "
                f"max-pooling deben medir al menos {min_size}×{min_size}. Usa imágenes más grandes o menos bloques."
            )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input(x)
        x = self.features(x)  # (B, C_last, H/2^k, W/2^k)
        x = self.pool(x).flatten(1)  # (B, C_last)
        return self.head(x)  # (B, num_classes)
