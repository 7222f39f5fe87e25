"""Variantes del bloque Transformer para los experimentos de los cuadernos 03 y 03b.

``utils.vit.Block`` es el bloque *pre-norm* del ViT. Aquí viven las variantes con que se compara:
``PostNormBlock`` (el Transformer original) y ``NoResidualBlock`` (sin conexiones residuales). Las dos
heredan de ``Block`` y solo cambian ``forward``, así que tienen los mismos submódulos y se les pueden
copiar los mismos pesos. :func:`make_vit` construye el ViT del curso con el bloque que se le pida,
:func:`block_grad_norms` mide el gradiente que llega a cada bloque y :func:`train_losses` entrena unos
pocos pasos y devuelve la pérdida de cada paso.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .train import iterate_batches, pick
from .vit import Block, ViT

INITS = ("vit", "xavier")


class PostNormBlock(Block):
    """Bloque *post-norm* del Transformer original: la LayerNorm va después de cada suma."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.norm1(x + self.attn(x))  # (B, N, D)
        return self.norm2(x + self.mlp(x))  # (B, N, D)


class NoResidualBlock(Block):
    """Pre-norm sin conexiones residuales: cada subcapa sustituye al token en lugar de sumarle algo."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.attn(self.norm1(x))  # (B, N, D)
        return self.mlp(self.norm2(x))  # (B, N, D)


def make_vit(block_class: type[nn.Module] = Block, seed: int = 0, init: str = "vit", **config) -> ViT:
    """Un ``utils.vit.ViT`` con sus bloques cambiados por ``block_class`` y los mismos pesos iniciales.

    ``init="vit"`` deja la inicialización del ViT (pesos normales de desviación estándar 0,02, como timm);
    ``init="xavier"`` usa la de Xavier, la del Transformer original, en todas las capas lineales.
    Con la misma semilla, todas las variantes empiezan con exactamente los mismos pesos.
    """
    if init not in INITS:
        raise ValueError(f"init debe ser uno de {INITS} y llegó {init!r}.")
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = ViT(**config)
        c = model.config
        for i, old in enumerate(model.blocks):
            new = block_class(c.dim, c.num_heads, c.mlp_dim)
            new.load_state_dict(old.state_dict())
            model.blocks[i] = new
        if init == "xavier":
            for m in model.modules():
                if isinstance(m, nn.Linear):
                    nn.init.xavier_normal_(m.weight)
    return model


def block_grad_norms(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Norma del gradiente de la pérdida respecto a los parámetros de cada bloque: un tensor ``(depth,)``.

    Es una sola pasada hacia delante y hacia atrás (la del primer paso de entrenamiento), sin cambiar pesos.
    """
    model.zero_grad()
    F.cross_entropy(model(images), labels).backward()
    norms = [torch.sqrt(sum((p.grad**2).sum() for p in block.parameters())) for block in model.blocks]
    model.zero_grad()
    return torch.stack(norms).detach()


def train_losses(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    lr: float = 1e-3,
    steps: int | None = None,
    batch_size: int = 32,
    warmup_steps: int = 0,
    seed: int = 0,
) -> np.ndarray:
    """Entrena ``model`` con Adam durante ``steps`` pasos y devuelve la pérdida de cada paso.

    Sin ``steps``, da 200 pasos (60 en el modo rápido de la integración continua).

    Con la misma ``seed`` los lotes salen en el mismo orden para cualquier modelo. ``warmup_steps`` sube la
    tasa de aprendizaje linealmente durante los primeros pasos. Usa un solo hilo (un modelo tan pequeño no
    gana nada con más) y devuelve los que había.
    """
    steps = pick(200, 60) if steps is None else steps
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    model.train()
    try:
        while len(losses) < steps:
            for xb, yb in iterate_batches(
                images, labels, batch_size, shuffle=True, generator=generator, drop_last=True
            ):
                if warmup_steps:
                    for group in optimizer.param_groups:
                        group["lr"] = lr * min(1.0, (len(losses) + 1) / warmup_steps)
                loss = F.cross_entropy(model(xb), yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
                if len(losses) == steps:
                    break
    finally:
        torch.set_num_threads(threads)
    return np.array(losses)
