"""Figuras de matplotlib que usan los cuadernos, con títulos y ejes en español.

Cada función devuelve su ``Figure`` para que los tests puedan inspeccionarla.
"""

from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from .data import CLASSES


def _as_image(img: torch.Tensor | np.ndarray) -> np.ndarray:
    """Convierte (H, W), (1, H, W) o (C, H, W) en un arreglo listo para ``imshow``."""
    a = img.detach().cpu().numpy() if isinstance(img, torch.Tensor) else np.asarray(img)
    if a.ndim == 3 and a.shape[0] in (1, 3):
        a = a[0] if a.shape[0] == 1 else a.transpose(1, 2, 0)
    return a


def show_images(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor | None = None,
    predictions: Sequence[int] | torch.Tensor | None = None,
    classes: Sequence[str] = CLASSES,
    ncols: int = 8,
    title: str | None = None,
    size: float = 1.4,
) -> Figure:
    """Cuadrícula de imágenes con su clase (y la predicción, en rojo si es errónea)."""
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * size, nrows * (size + 0.35)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(_as_image(images[i]), cmap="gray_r" if images.dtype == torch.uint8 else "gray")
        if labels is not None:
            text = classes[int(labels[i])]
            color = "black"
            if predictions is not None:
                pred = int(predictions[i])
                color = "black" if pred == int(labels[i]) else "crimson"
                text = f"{text}\n→ {classes[pred]}"
            ax.set_title(text, fontsize=8, color=color)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_patch_grid(image: torch.Tensor, patch_size: int, numbers: bool = True, ax=None) -> Figure:
    """Dibuja una imagen con la cuadrícula de parches numerada en orden de lectura."""
    a = _as_image(image)
    H, W = a.shape[:2]
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(4, 4))
    ax.imshow(a, cmap="gray_r" if a.dtype == np.uint8 else "gray")
    for k in range(0, W + 1, patch_size):
        ax.axvline(k - 0.5, color="tab:orange", lw=1)
    for k in range(0, H + 1, patch_size):
        ax.axhline(k - 0.5, color="tab:orange", lw=1)
    if numbers:
        g = W // patch_size
        for i in range(H // patch_size):
            for j in range(g):
                ax.text(j * patch_size + patch_size / 2 - 0.5, i * patch_size + patch_size / 2 - 0.5, str(i * g + j),
                        ha="center", va="center", fontsize=7, color="tab:blue")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Parches de {patch_size}×{patch_size}")
    return fig


def plot_history(history, title: str = "Curvas de entrenamiento") -> Figure:
    """Pérdida y exactitud por época (entrenamiento y prueba) de un ``History``."""
    h = history if isinstance(history, dict) else history.as_dict()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.plot(h["epoch"], h["train_loss"], "o-", label="entrenamiento")
    if h.get("test_loss"):
        ax1.plot(h["epoch"], h["test_loss"], "o-", label="prueba")
    ax1.set(xlabel="época", ylabel="pérdida (entropía cruzada)", title="Pérdida")
    ax2.plot(h["epoch"], np.array(h["train_acc"]) * 100, "o-", label="entrenamiento")
    if h.get("test_acc"):
        ax2.plot(h["epoch"], np.array(h["test_acc"]) * 100, "o-", label="prueba")
    ax2.set(xlabel="época", ylabel="exactitud (%)", title="Exactitud")
    for ax in (ax1, ax2):
        ax.legend()
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def confusion_matrix(labels: torch.Tensor, predictions: torch.Tensor, num_classes: int = 10) -> torch.Tensor:
    """Matriz de confusión (verdadera × predicha) como tensor de enteros."""
    idx = labels.long() * num_classes + predictions.long()
    return torch.bincount(idx, minlength=num_classes**2).reshape(num_classes, num_classes)


def plot_confusion_matrix(cm: torch.Tensor, classes: Sequence[str] = CLASSES, title: str = "Matriz de confusión") -> Figure:
    """Matriz de confusión con los nombres de las clases en español y los recuentos en cada celda."""
    cm = cm.cpu().numpy() if isinstance(cm, torch.Tensor) else np.asarray(cm)
    fig, ax = plt.subplots(figsize=(7, 6))
    im = ax.imshow(cm, cmap="Blues")
    n = len(classes)
    ax.set_xticks(range(n), classes, rotation=45, ha="right")
    ax.set_yticks(range(n), classes)
    ax.set(xlabel="clase predicha", ylabel="clase verdadera", title=title)
    threshold = cm.max() / 2
    for i in range(n):
        for j in range(n):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if cm[i, j] > threshold else "black")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def overlay_attention(image: torch.Tensor, attention_grid: torch.Tensor, ax=None, alpha: float = 0.5,
                      title: str | None = None) -> Figure:
    """Superpone un mapa de atención (g, g) ampliado al tamaño de la imagen."""
    a = _as_image(image)
    H, W = a.shape[:2]
    att = attention_grid.detach().float().cpu()[None, None]
    att = torch.nn.functional.interpolate(att, size=(H, W), mode="bilinear", align_corners=False)[0, 0].numpy()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(3, 3))
    ax.imshow(a, cmap="gray")
    ax.imshow(att, cmap="inferno", alpha=alpha)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=8)
    return fig
