"""Figuras de matplotlib que usan los cuadernos, con títulos y ejes en español.

Cada función devuelve su ``Figure`` para que los tests puedan inspeccionarla.
"""

from __future__ import annotations

from collections.abc import Sequence

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
                ax.text(
                    j * patch_size + patch_size / 2 - 0.5,
                    i * patch_size + patch_size / 2 - 0.5,
                    str(i * g + j),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="tab:blue",
                )
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


def plot_confusion_matrix(
    cm: torch.Tensor, classes: Sequence[str] = CLASSES, title: str = "Matriz de confusión"
) -> Figure:
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
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if cm[i, j] > threshold else "black",
            )
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def overlay_attention(
    image: torch.Tensor, attention_grid: torch.Tensor, ax=None, alpha: float = 0.5, title: str | None = None
) -> Figure:
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


# --- Cuaderno 06: qué mira el ViT -------------------------------------------------------------


def _verdict(label: int | None, prediction: int | None, classes: Sequence[str]) -> tuple[str, str]:
    """Texto «clase verdadera · predicción» y su color (verde si acierta, rojo si falla)."""
    parts, color = [], "black"
    if label is not None:
        parts.append(f"clase verdadera: {classes[int(label)]}")
    if prediction is not None:
        parts.append(f"predicción: {classes[int(prediction)]}")
        if label is not None:
            color = "darkgreen" if int(prediction) == int(label) else "crimson"
    return " · ".join(parts), color


def plot_attention_heads(
    image: torch.Tensor,
    maps: Sequence[torch.Tensor],
    label: int | None = None,
    prediction: int | None = None,
    classes: Sequence[str] = CLASSES,
    alpha: float = 0.6,
    size: float = 1.3,
) -> Figure:
    """Atención del token CLS sobre una imagen: una fila por capa y una columna por cabeza, más la media.

    ``maps`` son los pesos de atención de esa imagen: ``model.attention_maps(x[i:i+1])`` (un tensor
    (1, H, N+1, N+1) o (H, N+1, N+1) por capa). Cada mapa usa su propia escala de color.
    """
    from .explain import cls_attention

    maps = [m if m.ndim == 4 else m[None] for m in maps]
    if maps[0].shape[0] != 1:
        raise ValueError(
            f"plot_attention_heads dibuja una sola imagen y los pesos traen un lote de {maps[0].shape[0]}. "
            "Pasa model.attention_maps(x[i:i+1])."
        )
    depth, heads = len(maps), maps[0].shape[1]
    fig, axes = plt.subplots(depth, heads + 1, figsize=((heads + 1) * size, depth * size + 0.7), squeeze=False)
    for layer in range(depth):
        for col in range(heads + 1):
            head = col if col < heads else None
            overlay_attention(image, cls_attention(maps, layer, head)[0], ax=axes[layer, col], alpha=alpha)
            if layer == 0:
                axes[0, col].set_title("media" if head is None else f"cabeza {col}", fontsize=9)
        axes[layer, 0].text(
            -0.1,
            0.5,
            f"capa {layer}",
            transform=axes[layer, 0].transAxes,
            rotation=90,
            ha="right",
            va="center",
            fontsize=9,
        )
    text, color = _verdict(label, prediction, classes)
    fig.suptitle(f"Atención del token CLS · {text}" if text else "Atención del token CLS", color=color, fontsize=10)
    fig.tight_layout()
    return fig


def plot_rollout_comparison(
    images: torch.Tensor,
    last_layer: torch.Tensor,
    rollout: torch.Tensor,
    labels: Sequence[int] | torch.Tensor | None = None,
    predictions: Sequence[int] | torch.Tensor | None = None,
    classes: Sequence[str] = CLASSES,
    alpha: float = 0.6,
    size: float = 1.45,
    title: str = "Atención de la última capa frente al rollout",
) -> Figure:
    """Tres filas (imagen, atención del CLS en la última capa, rollout) y una columna por imagen.

    ``last_layer`` y ``rollout`` son mapas (B, g, g), por ejemplo ``cls_attention(maps, -1)`` y
    ``cls_rollout(maps)``. Con ``labels`` y ``predictions`` el título de cada columna dice la clase
    verdadera y la predicha (en rojo si falla).
    """
    n = len(images)
    if len(last_layer) != n or len(rollout) != n:
        raise ValueError(
            f"Hay {n} imágenes, {len(last_layer)} mapas de la última capa y {len(rollout)} de rollout; "
            "deben ser los mismos."
        )
    fig, axes = plt.subplots(3, n, figsize=(n * size, 3 * size + 0.9), squeeze=False)
    for i in range(n):
        ax = axes[0, i]
        ax.imshow(_as_image(images[i]), cmap="gray")
        ax.axis("off")
        if labels is not None:
            text = classes[int(labels[i])]
            color = "black"
            if predictions is not None:
                color = "black" if int(predictions[i]) == int(labels[i]) else "crimson"
                text = f"{text}\n→ {classes[int(predictions[i])]}"
            ax.set_title(text, fontsize=8, color=color)
        overlay_attention(images[i], last_layer[i], ax=axes[1, i], alpha=alpha)
        overlay_attention(images[i], rollout[i], ax=axes[2, i], alpha=alpha)
    for row, name in enumerate(["imagen", "última capa", "rollout"]):
        axes[row, 0].text(
            -0.1, 0.5, name, transform=axes[row, 0].transAxes, rotation=90, ha="right", va="center", fontsize=9
        )
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_position_similarity(
    similarity: torch.Tensor, title: str = "Similitud coseno entre embeddings de posición"
) -> Figure:
    """Cuadrícula g×g de mapas pequeños: el de la fila i, columna j es la similitud del embedding de
    posición de ese parche con el de todos los demás (``position_embedding_similarity(model.pos_embed)``)."""
    sim = similarity.detach().cpu().numpy() if isinstance(similarity, torch.Tensor) else np.asarray(similarity)
    if sim.ndim != 4 or len(set(sim.shape)) != 1:
        raise ValueError(
            f"La similitud debe tener forma (g, g, g, g) y tiene {sim.shape}. "
            "Usa position_embedding_similarity(model.pos_embed) (con as_grid=True)."
        )
    g = sim.shape[0]
    fig, axes = plt.subplots(g, g, figsize=(7, 6.4), squeeze=False)
    im = None
    for i in range(g):
        for j in range(g):
            ax = axes[i, j]
            im = ax.imshow(sim[i, j], cmap="viridis", vmin=-1, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == g - 1:
                ax.set_xlabel(str(j), fontsize=8)
            if j == 0:
                ax.set_ylabel(str(i), fontsize=8, rotation=0, ha="right", va="center")
    fig.supxlabel("columna del parche", fontsize=9)
    fig.supylabel("fila del parche", fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.colorbar(im, ax=axes, shrink=0.6, label="similitud coseno")
    return fig


def plot_patch_embedding_pca(
    components: torch.Tensor,
    explained: torch.Tensor | None = None,
    ncols: int = 8,
    title: str = "Componentes principales de los filtros del embedding de parches",
) -> Figure:
    """Dibuja las componentes (k, C, p, p) de ``patch_embedding_pca``, con el % de varianza si se da ``explained``."""
    comps = components.detach().cpu().float()
    k = len(comps)
    nrows = max(1, int(np.ceil(k / ncols)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 1.1, nrows * 1.3 + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= k:
            continue
        c = comps[i]
        if c.shape[0] == 1:
            lim = c.abs().max().item() or 1.0
            ax.imshow(c[0].numpy(), cmap="gray", vmin=-lim, vmax=lim)
        else:
            c = (c - c.min()) / (c.max() - c.min() + 1e-12)
            ax.imshow(_as_image(c))
        name = f"CP{i + 1}"
        if explained is not None:
            name += f"\n{100 * float(explained[i]):.0f} %"
        ax.set_title(name, fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_attention_distance(
    distances: torch.Tensor,
    reference: float | None = None,
    title: str = "Distancia media de atención por capa y cabeza",
) -> Figure:
    """Un punto por cabeza: distancia media de atención (píxeles) frente a la capa (``mean_attention_distance``).

    ``reference`` dibuja una línea discontinua, por ejemplo la distancia de una atención uniforme.
    """
    d = distances.detach().cpu().numpy() if isinstance(distances, torch.Tensor) else np.asarray(distances)
    if d.ndim != 2:
        raise ValueError(f"Las distancias deben tener forma (capas, cabezas) y tienen {d.shape}.")
    depth, heads = d.shape
    fig, ax = plt.subplots(figsize=(7, 4))
    for h in range(heads):
        ax.scatter(np.arange(depth), d[:, h], label=f"cabeza {h}", s=40, alpha=0.85)
    if reference is not None:
        ax.axhline(reference, ls="--", color="gray", label="atención uniforme")
    ax.set_xticks(range(depth))
    ax.set_ylim(bottom=0)
    ax.set(xlabel="capa (profundidad)", ylabel="distancia media de atención (píxeles)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig
