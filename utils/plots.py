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
from .fmt import comma, thousands

# --- Coma decimal, para todas las figuras ------------------------------------------------------


def comma_axis(*axes, which: str = "xy") -> None:
    """Pone coma decimal en las marcas de los ejes lineales ``which`` ("x", "y" o "xy") de cada eje dado.

    Solo toca los ejes con el formato de marcas por defecto de Matplotlib: las marcas con texto puesto a mano
    (``set_xticks(ticks, labels)``) y los ejes logarítmicos se quedan como están. Sirve también para la barra de
    color: ``comma_axis(fig.colorbar(im).ax)``.
    """
    from matplotlib.ticker import FuncFormatter, ScalarFormatter

    for ax in axes:
        for name in which:
            axis = ax.xaxis if name == "x" else ax.yaxis
            if axis.get_scale() == "linear" and isinstance(axis.get_major_formatter(), ScalarFormatter):
                axis.set_major_formatter(FuncFormatter(lambda v, _pos: comma(v)))


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
    fontsize: float = 9,
) -> Figure:
    """Cuadrícula de imágenes con su clase (y la predicción, en rojo si es errónea), en letra de ``fontsize`` pt."""
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
            ax.set_title(text, fontsize=fontsize, color=color)
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
                    fontsize=9,
                    color="black",  # en una caja clara: se lee sobre el fondo y sobre la prenda oscura
                    bbox=dict(boxstyle="round,pad=0.12", facecolor="white", edgecolor="none", alpha=0.8),
                )
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"Parches de {patch_size}×{patch_size}")
    return fig


def plot_history(history, title: str = "Curvas de entrenamiento") -> Figure:
    """Pérdida y exactitud por época (entrenamiento y validación) de un ``History``.

    Acepta también los historiales antiguos, que se evaluaban en prueba (claves ``test_*``).
    """
    h = history if isinstance(history, dict) else history.as_dict()
    other = "val" if h.get("val_acc") else "test"
    other_label = "validación" if other == "val" else "prueba"
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.plot(h["epoch"], h["train_loss"], "o-", label="entrenamiento")
    if h.get(f"{other}_loss"):
        ax1.plot(h["epoch"], h[f"{other}_loss"], "o-", label=other_label)
    ax1.set(xlabel="época", ylabel="pérdida (entropía cruzada)", title="Pérdida")
    ax2.plot(h["epoch"], np.array(h["train_acc"]) * 100, "o-", label="entrenamiento")
    if h.get(f"{other}_acc"):
        ax2.plot(h["epoch"], np.array(h[f"{other}_acc"]) * 100, "o-", label=other_label)
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
                fontsize=9,
                color="white" if cm[i, j] > threshold else "black",
            )
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def overlay_attention(
    image: torch.Tensor,
    attention_grid: torch.Tensor,
    ax=None,
    alpha: float = 0.5,
    title: str | None = None,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """Superpone un mapa de atención (g, g) ampliado al tamaño de la imagen.

    Sin ``vmin`` ni ``vmax`` cada mapa usa su propia escala de color (de su mínimo a su máximo); dales
    valor para comparar varios mapas en una misma escala.
    """
    a = _as_image(image)
    H, W = a.shape[:2]
    att = attention_grid.detach().float().cpu()[None, None]
    att = torch.nn.functional.interpolate(att, size=(H, W), mode="bilinear", align_corners=False)[0, 0].numpy()
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(3, 3))
    ax.imshow(a, cmap="gray")
    ax.imshow(att, cmap="inferno", alpha=alpha, vmin=vmin, vmax=vmax)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
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
            ax.set_title(text, fontsize=9, color=color)
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
                ax.set_xlabel(str(j), fontsize=9)
            if j == 0:
                ax.set_ylabel(str(i), fontsize=9, rotation=0, ha="right", va="center")
    fig.supxlabel("columna del parche", fontsize=9)
    fig.supylabel("fila del parche", fontsize=9)
    fig.suptitle(title, fontsize=10)
    comma_axis(fig.colorbar(im, ax=axes, shrink=0.6, label="similitud coseno").ax)
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
        ax.set_title(name, fontsize=9)
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
    ax.legend(fontsize=9, loc="lower right")
    fig.tight_layout()
    return fig


# --- Cuaderno 03/04: el bloque Transformer y el ViT completo ------------------------------------


def plot_token_stats(before: torch.Tensor, after: torch.Tensor, background: torch.Tensor) -> Figure:
    """Media y desviación estándar de cada token (B, N, D) antes y después de normalizar, por fondo o prenda.

    ``background`` es una máscara (B, N): ``True`` para los tokens de parches sin ningún píxel de la prenda.
    """
    mask = background.flatten().bool().cpu()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax, (title, t) in zip(axes, [("antes de LayerNorm", before), ("después de normalizar", after)]):
        mean = t.mean(dim=-1).flatten().cpu()
        std = t.std(dim=-1, unbiased=False).flatten().cpu()
        ax.scatter(mean[~mask], std[~mask], s=5, alpha=0.3, color="tab:orange", label="prenda")
        ax.scatter(mean[mask], std[mask], s=40, marker="x", color="tab:blue", label="fondo")
        ax.set(xlabel="media del token", ylabel="desviación estándar del token", title=title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    axes[1].set(xlim=(-1, 1), ylim=(0, 2))
    comma_axis(*axes)
    fig.tight_layout()
    return fig


def plot_gelu(xs, curves: dict, derivatives: dict) -> Figure:
    """Dos paneles: las activaciones de ``curves`` y las derivadas de ``derivatives`` ({nombre: valores})."""
    t = xs.detach().cpu() if isinstance(xs, torch.Tensor) else np.asarray(xs)
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.6))
    for (name, ys), style in zip(curves.items(), ["-", "-", ":"]):
        ax0.plot(t, ys.detach().cpu(), style, label=name, color="k" if style == ":" else None)
    for name, ys in derivatives.items():
        ax1.plot(t, ys.detach().cpu(), label=name)
    ax0.set(xlabel="x", ylabel="salida", title="GELU frente a ReLU")
    ax1.set(xlabel="x", ylabel="derivada", title="Sus derivadas")
    for ax in (ax0, ax1):
        ax.axhline(0, color="0.7", lw=0.8)
        ax.axvline(0, color="0.7", lw=0.8)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    ax1.axhline(1, color="0.7", lw=0.8, ls="--")
    comma_axis(ax0, ax1)
    fig.tight_layout()
    return fig


def plot_grad_norms(profiles: dict, depths: Sequence[int], last_block: dict, profile_depth: int) -> Figure:
    """Izquierda: norma del gradiente de cada bloque (``profiles``: {variante: (L,)}); derecha: la del
    último bloque frente a la profundidad (``last_block``: {variante: lista, una por ``depths``})."""
    from matplotlib.ticker import NullFormatter

    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.8))
    for name, norms in profiles.items():
        n = np.asarray(norms)
        ax0.plot(np.arange(1, len(n) + 1), n, "o-", label=name)
    ax0.set(
        xlabel="bloque (1 = el más cercano a la entrada)",
        ylabel="norma del gradiente",
        title=f"Gradiente de cada bloque ({profile_depth} bloques)",
        ylim=(0, None),
    )
    for name, norms in last_block.items():
        ax1.plot(depths, norms, "o-", label=name)
    ax1.set_xscale("log", base=2)
    ax1.set_yscale("log")
    ax1.set_xticks(list(depths), [str(d) for d in depths])
    values = [v for norms in last_block.values() for v in norms]
    ticks = [t for t in (0.1, 0.2, 0.5, 1, 2, 5, 10) if min(values) / 1.5 <= t <= max(values) * 1.5]
    ax1.set_yticks(ticks, [comma(t) for t in ticks])
    ax1.yaxis.set_minor_formatter(NullFormatter())
    ax1.set(xlabel="número de bloques L", ylabel="norma del gradiente", title="Gradiente del último bloque")
    for ax in (ax0, ax1):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9)
    comma_axis(ax0, ax1)
    fig.tight_layout()
    return fig


def plot_loss_curves(curves: dict, chance: float, title: str, window: int = 10) -> Figure:
    """Curvas de pérdida por paso ({nombre: array}), suavizadas con una media móvil de ``window`` pasos."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for name, losses in curves.items():
        w = min(window, len(losses))
        s = np.convolve(losses, np.ones(w) / w, mode="valid")
        ax.plot(np.arange(len(s)) + w, s, label=name)
    ax.axhline(chance, color="0.5", ls=":", label=f"azar (ln 10 ≈ {comma(round(chance, 2))})")
    ax.set(xlabel="paso", ylabel="pérdida (media móvil)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    comma_axis(ax)
    fig.tight_layout()
    return fig


def plot_prediction_counts(predictions: torch.Tensor, classes: Sequence[str] = CLASSES) -> Figure:
    """Cuántas veces predice un modelo cada clase, con la línea de lo que daría un reparto por igual."""
    counts = torch.bincount(predictions.cpu(), minlength=len(classes)).numpy()
    fig, ax = plt.subplots(figsize=(9, 3.4))
    ax.bar(range(len(classes)), counts, color="tab:gray")
    ax.axhline(len(predictions) / len(classes), color="tab:red", ls="--", label="imágenes reales de cada clase")
    ax.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    ax.set_ylabel("número de predicciones")
    ax.set_title("Predicciones de un ViT sin entrenar")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def plot_param_scaling(panels: Sequence[tuple[Sequence[int], Sequence[int], str]]) -> Figure:
    """Un panel por ``(valores, parámetros, etiqueta)``: cómo crecen los parámetros al cambiar una cosa."""
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, len(panels), figsize=(10.5, 3.4))
    for ax, (xs, ys, xlabel) in zip(axes, panels):
        ax.plot(xs, [y / 1e3 for y in ys], "o-")
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
        if "parche" in xlabel:
            ax.set_xscale("log", base=2)
            ax.set_xticks(list(xs), [str(p) for p in xs])
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[0].set_ylabel("parámetros (miles)")
    fig.suptitle("Parámetros del ViT al cambiar una cosa cada vez (el resto, como el del curso)", fontsize=11)
    fig.tight_layout()
    return fig


def plot_flops_by_patch(patch_sizes: Sequence[int], flops: Sequence[int], shares: dict) -> Figure:
    """Izquierda: FLOPs por imagen frente al parche; derecha: reparto del coste ({"p = 4": {parte: fracción}})."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1, 1.1]})
    axes[0].plot(patch_sizes, [f / 1e6 for f in flops], "o-")
    axes[0].set_xscale("log", base=2)
    axes[0].set_yscale("log")
    axes[0].set_xticks(list(patch_sizes), [str(p) for p in patch_sizes])
    axes[0].set_xlim(0.7, 80)
    axes[0].set(xlabel="tamaño del parche p", ylabel="MFLOPs por imagen", title="Coste frente al tamaño del parche")
    axes[0].grid(alpha=0.3)
    parts = list(next(iter(shares.values())))
    for row, (label, fractions) in enumerate(shares.items()):
        left = 0.0
        for j, part in enumerate(parts):
            axes[1].barh(label, fractions[part], left=left, color=plt.cm.tab10(j), label=part if row == 0 else None)
            left += fractions[part]
    axes[1].set(xlabel="fracción de las operaciones", title="Reparto del coste")
    axes[1].legend(fontsize=9, loc="center left", bbox_to_anchor=(1.0, 0.5))
    comma_axis(axes[1])
    fig.tight_layout()
    return fig


# --- Cuaderno 02: atención ---------------------------------------------------------------------


def plot_softmax_scaling(dims, var_raw, var_scaled, max_raw, max_scaled, n_keys: int) -> Figure:
    """Izquierda: varianza de q·k con y sin dividir entre √d; derecha: peso máximo medio de la softmax."""
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax0.loglog(dims, var_raw, "o-", label="q·k (sin escalar)")
    ax0.loglog(dims, var_scaled, "s-", label="q·k / √d")
    ax0.loglog(dims, dims, "k:", label="referencia: d")
    ax0.set(xlabel="dimensión d", ylabel="varianza de las puntuaciones", title="La varianza crece con d")
    ax1.semilogx(dims, max_raw, "o-", label="softmax(q·k)")
    ax1.semilogx(dims, max_scaled, "s-", label="softmax(q·k / √d)")
    ax1.axhline(1 / n_keys, color="0.5", ls=":", label=f"pesos uniformes (1/{n_keys})")
    ax1.set(xlabel="dimensión d", ylabel="peso máximo medio", ylim=(0, 1.05))
    ax1.set_title(f"Saturación de la softmax ({n_keys} claves)")
    comma_axis(ax1)
    for ax in (ax0, ax1):
        ax.axvline(16, color="C2", ls="--", lw=1)
        ax.text(17, 0.97, "d = 16 (el curso)", fontsize=9, color="C2", va="top", transform=ax.get_xaxis_transform())
        ax.legend(fontsize=9)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_attention_weights(panels: Sequence[tuple[str, torch.Tensor]], names: Sequence[str]) -> Figure:
    """Una matriz de pesos de atención por panel ``(título, pesos (N, N))``, con la misma escala y su barra."""
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels) + 1.2, 5.4), layout="constrained")
    axes = np.atleast_1d(axes)
    for ax, (title, weights) in zip(axes, panels):
        im = ax.imshow(weights.detach().cpu(), cmap="viridis", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=9)
        ax.set_yticks(range(len(names)), names if ax is axes[0] else [], fontsize=9)
        ax.set_xlabel("clave (la imagen a la que se mira)", fontsize=9)
    axes[0].set_ylabel("consulta (la imagen que mira)", fontsize=9)
    bar = fig.colorbar(im, ax=axes, label="peso de atención", shrink=0.7)
    comma_axis(bar.ax)
    return fig


def plot_attention_times(times: dict) -> Figure:
    """Izquierda: tiempo por llamada frente a N (log-log, con la recta de pendiente 2); derecha: tiempo por par.

    ``times`` es lo que devuelve :func:`utils.flops.time_attention`.
    """
    ns = np.asarray(times["tokens"], dtype=float)
    paths = [k for k in times if k != "tokens"]
    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4))
    big = ns >= 128  # con menos tokens manda el trabajo fijo y el tiempo por par no dice nada
    for marker, name in zip("os", paths):
        t = np.asarray(times[name])
        ax0.loglog(ns, 1e3 * t, marker + "-", label=name)
        ax1.semilogx(ns[big], 1e9 * t[big] / ns[big] ** 2, marker + "-", label=name)
    ref = 1e3 * np.asarray(times[paths[-1]])[-1] * (ns / ns[-1]) ** 2
    ax0.loglog(ns, ref, "k:", label="referencia: pendiente 2 (t ∝ N²)")
    ax0.set(xlabel="número de tokens N", ylabel="tiempo de CPU por llamada (ms)", title="Tiempo frente a N")
    ax1.set(
        xlabel="número de tokens N", ylabel="nanosegundos por par de tokens", title="Tiempo por par, t / N² (N ≥ 128)"
    )
    ax1.set_ylim(bottom=0)
    ax1.set_xticks(ns[big], [str(int(n)) for n in ns[big]])
    ax1.minorticks_off()
    comma_axis(ax1)
    ax0.axvline(50, color="0.6", ls="--", lw=1)
    ax0.text(55, 0.97, "ViT del curso (N = 50)", fontsize=9, color="0.4", va="top", transform=ax0.get_xaxis_transform())
    for ax in (ax0, ax1):
        ax.legend(fontsize=9)
        ax.grid(alpha=0.3, which="both")
    fig.suptitle("La atención de una imagen con 4 cabezas de dimensión 16, en un hilo", fontsize=11)
    fig.tight_layout()
    return fig


def plot_cls_attention_preview(image: torch.Tensor, maps: Sequence[tuple[str, torch.Tensor]], title: str) -> Figure:
    """La imagen y, a su lado, cada mapa ``(título, atención del CLS (g, g))`` con una escala y una barra comunes.

    La línea de la barra marca el peso de cada parche en un mapa uniforme, 1/N.
    """
    grids = [m.detach().float().cpu() for _, m in maps]
    vmax = max(float(g.max()) for g in grids)
    fig, axes = plt.subplots(1, len(maps) + 1, figsize=(3 * (len(maps) + 1) + 0.8, 3.4), layout="constrained")
    axes[0].imshow(_as_image(image), cmap="gray")
    axes[0].set_title("la imagen", fontsize=10)
    for ax, (name, _), grid in zip(axes[1:], maps, grids):
        im = ax.imshow(grid, cmap="inferno", vmin=0, vmax=vmax)
        ax.set_title(name, fontsize=10)
    for ax in axes:
        ax.axis("off")
    n = grids[0].numel()
    bar = fig.colorbar(im, ax=axes, label=f"peso del token CLS (línea: uniforme, 1/{n})", shrink=0.85)
    bar.ax.axhline(1 / n, color="cyan", lw=2)
    comma_axis(bar.ax)
    fig.suptitle(title, fontsize=11)
    return fig


# --- Cuaderno 00/01: el recorrido de una imagen, las clases y los parches ---------------------------


def plot_vit_pipeline(cfg) -> Figure:
    """El recorrido de una imagen por el ViT de ``cfg`` (un ``ViTConfig``): una caja por etapa, con la forma
    de su tensor (sin el eje del lote) y el color del cuaderno que la construye."""
    from matplotlib.patches import FancyBboxPatch, Patch

    N, D, L, K = cfg.num_patches, cfg.dim, cfg.depth, cfg.num_classes
    P = cfg.in_chans * cfg.patch_size**2
    stages = [  # (texto de la caja, forma del tensor, cuaderno que la construye)
        ("Imagen", f"{cfg.in_chans}×{cfg.img_size}×{cfg.img_size}", "00"),
        (f"Parches\n{cfg.patch_size}×{cfg.patch_size}", f"{N} × {P}", "01"),
        ("Embedding\nde parches", f"{N} × {D}", "01"),
        ("+ token CLS", f"{N + 1} × {D}", "04"),
        ("+ embedding\nde posición", f"{N + 1} × {D}", "04"),
        (f"Bloques\nTransformer ×{L}", f"{N + 1} × {D}", "02-03"),
        ("LayerNorm\ny token CLS", f"{D}", "04"),
        ("Cabeza", f"{K} logits", "04"),
        ("Clase", "mayor logit", "05"),
    ]
    colors = {"00": "#e0e0e0", "01": "#fdd9a0", "02-03": "#b9e4b4", "04": "#d4c4f0", "05": "#a9d3f5"}
    # Dos filas en zigzag: cinco cajas de izquierda a derecha y cuatro de derecha a izquierda.
    centers = [(1 + 2 * i, 3.3) for i in range(5)] + [(9 - 2.6667 * i, 1.0) for i in range(4)]
    w, h = 1.6, 1.2
    fig, ax = plt.subplots(figsize=(10, 5))
    for (label, shape, nb), (cx, cy) in zip(stages, centers):
        box = FancyBboxPatch((cx - w / 2, cy - h / 2), w, h, boxstyle="round,pad=0.05", facecolor=colors[nb])
        box.set_edgecolor("0.3")
        ax.add_patch(box)
        ax.text(cx, cy + 0.18, label, ha="center", va="center", fontsize=10, weight="bold")
        ax.text(cx, cy - 0.4, shape, ha="center", va="center", fontsize=9, family="monospace")
    for (x0, y0), (x1, y1) in zip(centers, centers[1:]):
        if y0 == y1:  # misma fila: flecha horizontal entre los bordes
            sx = 1 if x1 > x0 else -1
            start, end = (x0 + sx * (w / 2 + 0.05), y0), (x1 - sx * (w / 2 + 0.05), y1)
        else:  # cambio de fila: flecha hacia abajo
            start, end = (x0, y0 - h / 2 - 0.05), (x1, y1 + h / 2 + 0.05)
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", lw=1.5, color="0.2"))
    handles = [Patch(facecolor=c, edgecolor="0.3", label=f"cuaderno {k}") for k, c in colors.items()]
    ax.legend(handles=handles, loc="lower center", fontsize=9, ncol=5, frameon=False)
    ax.set_xlim(-0.2, 10.2)
    ax.set_ylim(-0.6, 4.1)
    ax.axis("off")
    ax.set_title("El recorrido de una imagen por el ViT del curso (formas sin el eje del lote)")
    return fig


def plot_class_mosaic(images: torch.Tensor, labels: torch.Tensor, classes: Sequence[str] = CLASSES, per_class: int = 6):
    """Las ``per_class`` primeras imágenes de cada clase, una columna por clase, separadas por una línea gris."""
    gap, side = 2, images.shape[-1]
    cell = side + gap
    mosaic = np.full((per_class * cell - gap, len(classes) * cell - gap), np.nan)
    for c in range(len(classes)):
        for r, i in enumerate((labels == c).nonzero().squeeze(1)[:per_class]):
            mosaic[r * cell : r * cell + side, c * cell : c * cell + side] = images[i].numpy()
    cmap = plt.get_cmap("gray_r").copy()
    cmap.set_bad("#c8c8c8")  # las separaciones, en gris
    fig, ax = plt.subplots(figsize=(10, 7))
    ax.imshow(mosaic, cmap=cmap, vmin=0, vmax=255)
    names = [f"{c} · {n}" for c, n in enumerate(classes)]
    ax.set_xticks([c * cell + side / 2 for c in range(len(classes))], names, rotation=30, ha="left", fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks([])
    ax.set_title(f"Las {per_class} primeras imágenes de entrenamiento de cada clase", pad=10)
    fig.tight_layout()
    return fig


def plot_patch_strip(patches: torch.Tensor, patch_size: int, per_row: int = 25) -> Figure:
    """Los parches (N, p·p) de una imagen uno detrás de otro, en orden de lectura, con su número encima."""
    n = len(patches)
    rows = int(np.ceil(n / per_row))
    fig, axes = plt.subplots(rows, per_row, figsize=(10, 0.62 * rows + 0.5), squeeze=False)
    vmin, vmax = patches.min().item(), patches.max().item()
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= n:
            ax.axis("off")
            continue
        ax.imshow(patches[k].reshape(patch_size, patch_size).numpy(), cmap="gray_r", vmin=vmin, vmax=vmax)
        ax.set_title(str(k), fontsize=9, pad=2)
    fig.suptitle(f"Los {n} parches de {patch_size}×{patch_size}, uno detrás de otro, en orden de lectura", fontsize=11)
    fig.tight_layout()
    return fig


def plot_patch_sizes(image: torch.Tensor, rebuilt: dict, dim: int) -> Figure:
    """Arriba, la cuadrícula de cada tamaño de parche; abajo, la imagen reconstruida tras pasar cada parche por
    ``dim`` números (``rebuilt[p]``, un tensor (1, 1, H, W)), con una barra de color común."""
    sizes = list(rebuilt)
    fig, axes = plt.subplots(2, len(sizes), figsize=(10, 5.8), layout="constrained")
    exact = rebuilt[min(sizes)]  # el parche más pequeño cabe entero: es la imagen tal cual
    lo, hi = float(exact.min()), float(exact.max())  # misma escala en todas: el fondo sale blanco
    for col, ps in enumerate(sizes):
        g = image.shape[-1] // ps
        plot_patch_grid(image, ps, numbers=False, ax=axes[0, col])
        axes[0, col].set_title(f"p = {ps}: {g * g} tokens\nde {ps * ps} valores", fontsize=10)
        im = axes[1, col].imshow(rebuilt[ps][0, 0].numpy(), cmap="gray_r", vmin=lo, vmax=hi)
        kept = "los guarda todos" if ps * ps <= dim else f"guarda {dim} de {ps * ps}"
        axes[1, col].set_title(f"D = {dim}: {kept}", fontsize=10)
        axes[1, col].axis("off")
    comma_axis(fig.colorbar(im, ax=axes[1, :], shrink=0.8, label="píxel normalizado").ax)
    fig.suptitle(
        f"Arriba, la cuadrícula de tokens; abajo, cada parche tras pasar por un embedding lineal de D = {dim}",
        fontsize=11,
    )
    return fig


# --- Cuaderno 05: entrenamiento -----------------------------------------------------------------


def plot_training_curves(history, label_smoothing: float = 0.1, title: str = "Curvas de entrenamiento") -> Figure:
    """Tres paneles que no mezclan objetivos distintos.

    La pérdida de entrenamiento lleva suavizado de etiquetas (su mínimo es la entropía del objetivo suavizado) y
    se promedia durante la época; la de validación es la entropía cruzada sin suavizar, al final de la época. Por
    eso van en paneles separados; la exactitud sí es la misma medida en los dos.
    """
    h = history if isinstance(history, dict) else history.as_dict()
    k = 10
    q = [1 - label_smoothing + label_smoothing / k] + [label_smoothing / k] * (k - 1)
    floor = -sum(p * np.log(p) for p in q if p > 0)
    style = "o-" if len(h["epoch"]) <= 30 else "-"  # con muchas épocas, los puntos taparían la curva
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(12, 3.6))
    ax1.plot(h["epoch"], h["train_loss"], style, color="tab:blue")
    ax1.axhline(floor, color="gray", ls="--", lw=1, label=f"mínimo posible ({comma(floor, 2)})")
    ax1.set(xlabel="época", ylabel="entropía cruzada", title=f"Entrenamiento (suavizado {comma(label_smoothing, 1)})")
    ax1.legend(fontsize=9)
    ax2.plot(h["epoch"], h["val_loss"], style, color="tab:orange")
    ax2.set(xlabel="época", ylabel="entropía cruzada", title="Validación (sin suavizado)")
    ax3.plot(h["epoch"], np.array(h["train_acc"]) * 100, style, label="entrenamiento (durante la época)")
    ax3.plot(h["epoch"], np.array(h["val_acc"]) * 100, style, label="validación (al final)")
    ax3.set(xlabel="época", ylabel="exactitud (%)", title="Exactitud")
    ax3.legend(fontsize=9)
    for ax in (ax1, ax2, ax3):
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion_rates(
    cm: torch.Tensor, classes: Sequence[str] = CLASSES, title: str = "Matriz de confusión"
) -> Figure:
    """Matriz de confusión normalizada por filas: el % de cada clase verdadera que acaba en cada predicha."""
    cm = cm.cpu().numpy() if isinstance(cm, torch.Tensor) else np.asarray(cm)
    rates = 100 * cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(8.5, 7.5))
    im = ax.imshow(rates, cmap="Blues", vmin=0, vmax=100)
    n = len(classes)
    ax.set_xticks(range(n), classes, rotation=40, ha="right", fontsize=9)
    ax.set_yticks(range(n), classes, fontsize=9)
    ax.set(xlabel="clase predicha", ylabel="clase verdadera", title=title)
    for i in range(n):
        for j in range(n):
            if rates[i, j] >= 0.5:
                ax.text(j, i, comma(rates[i, j], 0), ha="center", va="center", fontsize=9,
                        color="white" if rates[i, j] > 50 else "black")  # fmt: skip
    fig.colorbar(im, ax=ax, fraction=0.046, label="% de la fila (clase verdadera)")
    fig.tight_layout()
    return fig


def plot_accuracy_vs_time(
    runs: Sequence[tuple[str, object]], title: str = "Exactitud de validación frente a tiempo"
) -> Figure:
    """Exactitud de validación al final de cada época frente a los segundos acumulados, de varios ``History``."""
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for name, history in runs:
        h = history if isinstance(history, dict) else history.as_dict()
        ax.plot(np.cumsum(h["seconds"]), np.array(h["val_acc"]) * 100, "o-", label=name)
    ax.set(xlabel="segundos de entrenamiento", ylabel="exactitud de validación (%)", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


# --- Cuaderno 07: más allá del curso ------------------------------------------------------------


def plot_model_sizes(rows: Sequence[dict]) -> Figure:
    """Parámetros, tokens y GFLOPs por imagen de varios ViT (``rows``: diccionarios con las claves ``modelo``,
    ``parametros``, ``tokens`` y ``flops``), en barras con escala logarítmica: de nuestro ViT a ViT-Base hay varios órdenes."""
    names = [r["modelo"] for r in rows]
    panels = (("parametros", "parámetros"), ("tokens", "tokens por imagen"), ("flops", "FLOPs por imagen"))
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), layout="constrained")
    colors = plt.cm.viridis(np.linspace(0.15, 0.85, len(rows)))
    for ax, (key, label) in zip(axes, panels):
        values = [float(r[key]) for r in rows]
        ax.barh(range(len(rows)), values, color=colors)
        ax.set_xscale("log")
        ax.set_yticks(range(len(rows)), names if ax is axes[0] else [""] * len(rows), fontsize=9)
        ax.invert_yaxis()
        ax.set_title(label, fontsize=10)
        for i, v in enumerate(values):
            text = f"{v / 1e9:.3g} G" if v >= 1e9 else f"{v / 1e6:.3g} M" if v >= 1e6 else f"{v:,.0f}".replace(",", " ")
            ax.text(v, i, " " + text.replace(".", ","), va="center", fontsize=9)
        ax.set_xlim(right=max(values) * 30)
        ax.tick_params(labelsize=9)
    fig.suptitle("Nuestro ViT frente a las configuraciones estándar de timm (escala logarítmica)", fontsize=11)
    return fig


def plot_shifted_copies(shifted: torch.Tensor, patch_size: int, titles: Sequence[str]) -> Figure:
    """Las 5·C imágenes que ve la tokenización de parches desplazados (``shifted``: (5, H, W)), con la
    cuadrícula de parches encima para ver qué trozo de los vecinos entra en cada parche."""
    fig, axes = plt.subplots(1, len(shifted), figsize=(2.1 * len(shifted), 2.5), layout="constrained")
    H, W = shifted.shape[-2:]
    for ax, img, title in zip(axes, shifted, titles):
        ax.imshow(_as_image(img), cmap="gray", vmin=float(shifted.min()), vmax=float(shifted.max()))
        for k in range(patch_size, H, patch_size):
            ax.axhline(k - 0.5, color="tab:orange", lw=0.6)
        for k in range(patch_size, W, patch_size):
            ax.axvline(k - 0.5, color="tab:orange", lw=0.6)
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Parches desplazados: la imagen y sus cuatro copias movidas medio parche en diagonal", fontsize=10)
    return fig


def plot_sincos(pos: torch.Tensor, grid_size: int) -> Figure:
    """Izquierda: los embeddings seno-coseno 2-D (N, D) como imagen (una fila por parche); derecha: la similitud
    coseno del parche central con todos los demás, colocada en la cuadrícula, con su propia escala de color."""
    pos = pos.detach().cpu().reshape(-1, pos.shape[-1])
    center = (grid_size // 2) * grid_size + grid_size // 2
    unit = torch.nn.functional.normalize(pos, dim=-1)
    sim = (unit @ unit[center]).reshape(grid_size, grid_size)
    fig, (ax0, ax1) = plt.subplots(
        1, 2, figsize=(10, 3.8), layout="constrained", gridspec_kw={"width_ratios": [1.6, 1]}
    )
    im0 = ax0.imshow(pos.numpy(), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    q = pos.shape[1] // 4
    ax0.set_xticks([q / 2, 1.5 * q, 2.5 * q, 3.5 * q], ["sen(x·ω)", "cos(x·ω)", "sen(y·ω)", "cos(y·ω)"], fontsize=9)
    ax0.set_ylabel("parche (orden de lectura)", fontsize=9)
    ax0.set_title("Embeddings de posición: ω baja de izquierda a derecha en cada cuarto", fontsize=10)
    comma_axis(fig.colorbar(im0, ax=ax0, shrink=0.8).ax)
    im1 = ax1.imshow(sim.numpy(), cmap="viridis")
    ax1.plot(grid_size // 2, grid_size // 2, "w+", ms=10)
    ax1.set_title("Similitud coseno con el parche central (+)", fontsize=10)
    ax1.set_xlabel("columna del parche", fontsize=9)
    ax1.set_ylabel("fila del parche", fontsize=9)
    comma_axis(fig.colorbar(im1, ax=ax1, shrink=0.8).ax)
    return fig


def plot_variant_results(summary: dict, title: str) -> Figure:
    """Exactitud en validación de cada variante (media y, si hay varias semillas, su desviación): ``summary`` es
    el «resumen» de ``benchmarks/variants.json``."""
    names = list(summary)
    means = np.array([summary[n]["media"] for n in names]) * 100
    spread = np.array([summary[n]["desviacion"] for n in names]) * 100
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(names) + 1.6), layout="constrained")
    ax.barh(range(len(names)), means, xerr=spread, color="tab:blue", alpha=0.8, capsize=3)
    ax.set_yticks(range(len(names)), [summary[n]["descripcion"] for n in names], fontsize=9)
    ax.invert_yaxis()
    for i, m in enumerate(means):
        ax.text(m + spread[i] + 0.1, i, f" {comma(m, 2)} %", va="center", fontsize=9)
    lo = means.min() - spread.max() - 1.5
    ax.set_xlim(lo, means.max() + spread.max() + 2)
    ax.set_xlabel("exactitud en validación (%)", fontsize=9)
    ax.set_title(title, fontsize=10)
    comma_axis(ax)
    return fig


def scaling_gap(points: Sequence[dict]) -> dict[int, tuple[float, float]]:
    """Ventaja de la CNN sobre el ViT, en puntos porcentuales, en cada tamaño del archivo con los dos modelos.

    Devuelve ``{imágenes: (cnn - vit, desviación)}``, con la desviación de la diferencia de dos medias
    independientes (raíz de la suma de los cuadrados). Los puntos en vivo no entran: su presupuesto es otro.
    """
    stored = {(p["modelo"], p["imagenes"]): p for p in points if not p["en_vivo"]}
    sizes = sorted({n for m, n in stored if m == "vit"} & {n for m, n in stored if m == "cnn"})
    return {
        n: (
            100 * (stored["cnn", n]["media"] - stored["vit", n]["media"]),
            100 * float(np.hypot(stored["cnn", n]["desviacion"], stored["vit", n]["desviacion"])),
        )
        for n in sizes
    }


def plot_scaling(points: Sequence[dict], title: str) -> Figure:
    """Exactitud en validación frente al número de imágenes de entrenamiento (escala logarítmica) del ViT y de la
    CNN, y a la derecha la ventaja de la CNN en cada tamaño. ``points``: diccionarios con las claves ``modelo``
    (``"vit"`` o ``"cnn"``), ``imagenes``, ``media``, ``desviacion`` y ``en_vivo`` (True si se midió en esta
    ejecución del cuaderno, False si viene de ``benchmarks/scaling.json``). Las líneas unen solo los puntos del
    archivo; los puntos en vivo (otro presupuesto) van sueltos, huecos."""
    gap = scaling_gap(points)
    fig, axes = plt.subplots(1, 2 if gap else 1, figsize=(10 if gap else 6, 4), layout="constrained", squeeze=False)
    ax = axes[0, 0]
    style = {"vit": ("ViT", "tab:blue", "o"), "cnn": ("CNN", "tab:red", "s")}
    for model, (label, color, marker) in style.items():
        pts = sorted((p for p in points if p["modelo"] == model), key=lambda p: p["imagenes"])
        stored = [p for p in pts if not p["en_vivo"]]
        if stored:
            x = [p["imagenes"] for p in stored]
            y = [100 * p["media"] for p in stored]
            e = [100 * p["desviacion"] for p in stored]
            ax.errorbar(x, y, yerr=e, color=color, marker=marker, ms=6, capsize=3, lw=1.2, label=label)
        for p in pts:
            if p["en_vivo"]:
                ax.plot(p["imagenes"], 100 * p["media"], marker=marker, color=color, mfc="white", ms=8, ls="",
                        label=None if stored else label)  # fmt: skip
    if any(p["en_vivo"] for p in points):
        ax.plot([], [], "ko", mfc="white", ls="", label="en vivo (este cuaderno, otro presupuesto)")
    sizes = sorted({p["imagenes"] for p in points})
    ax.set_xscale("log")
    ax.set_xticks(sizes, [thousands(n) for n in sizes], fontsize=9)
    ax.minorticks_off()
    ax.set_xlabel("imágenes de entrenamiento (escala logarítmica)", fontsize=9)
    ax.set_ylabel("exactitud en validación (%)", fontsize=9)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    comma_axis(ax)
    if gap:
        ax2 = axes[0, 1]
        x = list(gap)
        ax2.errorbar(x, [g for g, _ in gap.values()], yerr=[e for _, e in gap.values()], color="tab:purple",
                     marker="D", ms=6, capsize=3, lw=1.2)  # fmt: skip
        ax2.axhline(0, color="gray", lw=1, ls="--")
        ax2.set_xscale("log")
        ax2.set_xticks(x, [thousands(n) for n in x], fontsize=9)
        ax2.minorticks_off()
        ax2.set_xlabel("imágenes de entrenamiento (escala logarítmica)", fontsize=9)
        ax2.set_ylabel("CNN − ViT (puntos porcentuales)", fontsize=9)
        ax2.set_title("Ventaja de la CNN (por encima de 0, gana la CNN)", fontsize=10)
        ax2.grid(alpha=0.3)
        comma_axis(ax2)
    return fig


# --- Cuaderno 06: controles, mapas en una escala y fidelidad ------------------------------------

CONTROL_STYLES = {
    "entrenado": {"color": "tab:blue", "marker": "o"},
    "sin entrenar": {"color": "tab:orange", "marker": "s"},
    "uniforme": {"color": "gray", "marker": "", "linestyle": "--"},
}


def plot_attention_controls(stats: dict, title: str = "El modelo entrenado frente a sus controles") -> Figure:
    """Las estadísticas de atención del cuaderno 06 para el modelo entrenado, uno sin entrenar y la uniforme.

    ``stats`` es ``{"entrenado": ..., "sin entrenar": ..., "uniforme": ...}`` con los diccionarios de
    :func:`utils.explain.attention_statistics` y :func:`utils.explain.uniform_statistics`.
    """
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4), gridspec_kw={"width_ratios": [1.2, 1.2, 1]})
    for name, s in stats.items():
        style = CONTROL_STYLES.get(name, {})
        for ax, key in ((axes[0], "distancia"), (axes[1], "entropía")):
            v = s[key].detach().cpu()
            layers = np.arange(len(v))
            ax.plot(layers, v.mean(1).numpy(), label=name, **style)
            ax.set_xticks(layers)  # las capas son enteras
            if v.shape[1] > 1:  # el intervalo entre la cabeza mínima y la máxima
                ax.fill_between(
                    layers, v.min(1).values.numpy(), v.max(1).values.numpy(), alpha=0.2, color=style.get("color")
                )
    axes[0].set(
        xlabel="capa",
        ylabel="píxeles",
        title="Distancia media de atención\n(línea: media de las cabezas; banda: mín.–máx.)",
    )
    axes[1].set(xlabel="capa", ylabel="nats", title="Entropía de la atención del CLS\n(menos = más concentrada)")
    names = list(stats)
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [100 * stats[name]["prenda (última capa)"], 100 * stats[name]["prenda (rollout)"]]
        color = CONTROL_STYLES.get(name, {}).get("color")
        bars = axes[2].bar(np.arange(2) + (i - (len(names) - 1) / 2) * width, values, width, label=name, color=color)
        axes[2].bar_label(bars, [f"{v:.0f}" for v in values], fontsize=9)
    axes[2].set_xticks(range(2), ["última capa", "rollout"])
    axes[2].set(ylabel="% del mapa sobre la prenda", title="Masa del mapa del CLS\nsobre la prenda", ylim=(0, 100))
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.title.set_fontsize(9)
    comma_axis(axes[0], axes[1], which="y")
    axes[0].legend(fontsize=9)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_maps_one_scale(
    images: torch.Tensor,
    maps: dict,
    titles: Sequence[str] | None = None,
    alpha: float = 0.6,
    size: float = 1.6,
    title: str = "Mapas en una misma escala",
) -> Figure:
    """Una columna por imagen y una fila por mapa (``maps``: nombre → (B, g, g)), en una escala de color común.

    Cada mapa se divide por su suma (así se comparan repartos, no magnitudes) y todos los mapas de la figura
    comparten escala; la barra de color da la fracción de la masa por parche.
    """
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    names = list(maps)
    n = len(images)
    fig, axes = plt.subplots(len(names) + 1, n, figsize=(n * size + 1.2, (len(names) + 1) * size + 0.6), squeeze=False)
    norm = {name: maps[name].detach().float().cpu().flatten(1) for name in names}
    norm = {name: (m / m.sum(1, keepdim=True).clamp_min(1e-12)).reshape(maps[name].shape) for name, m in norm.items()}
    vmax = max(float(norm[name].max()) for name in names)
    for i in range(n):
        axes[0, i].imshow(_as_image(images[i]), cmap="gray")
        axes[0, i].axis("off")
        if titles is not None:
            axes[0, i].set_title(titles[i], fontsize=9)
        for row, name in enumerate(names, start=1):
            overlay_attention(images[i], norm[name][i], ax=axes[row, i], alpha=alpha, vmin=0.0, vmax=vmax)
    for row, name in enumerate(["imagen", *names]):
        axes[row, 0].text(
            -0.08, 0.5, name, transform=axes[row, 0].transAxes, rotation=90, ha="right", va="center", fontsize=9
        )
    bar = fig.colorbar(
        ScalarMappable(Normalize(0, vmax), cmap="inferno"),
        ax=axes[1:],
        shrink=0.8,
        label="fracción del mapa por parche",
    )
    comma_axis(bar.ax)
    fig.suptitle(title, fontsize=10)
    return fig


DELETION_STYLES = {"azar": "--", "prenda al azar": "--", "brillo del parche": ":"}


def plot_deletion_curves(ks: Sequence[int], curves: dict, num_patches: int, title: str = "Curva de borrado") -> Figure:
    """Exactitud frente al número de parches borrados (los mejor ordenados por cada método, primero).

    Las curvas de los controles (``"azar"``, ``"prenda al azar"``, ``"brillo del parche"``) van en
    discontinua. La leyenda da el área bajo cada curva (menor = el método señala mejor lo que usa el modelo).
    """
    from .explain import deletion_area

    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for name, acc in curves.items():
        area = deletion_area(ks, acc, num_patches)
        ax.plot(list(ks), 100 * torch.as_tensor(acc).numpy(), DELETION_STYLES.get(name, "-"), marker="o", ms=3,
                label=f"{name} (área {comma(area, 2)})")  # fmt: skip
    ax.set(xlabel="parches borrados (k)", ylabel="exactitud (%)", title=title, ylim=(0, 100))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig


def plot_mirror_similarity(
    mirrors: dict, title: str = "Similitud de los embeddings de posición por tipo de par"
) -> Figure:
    """Barras de :func:`utils.explain.mirror_similarity` para cada modelo (``mirrors``: nombre → diccionario)."""
    names = list(mirrors)
    kinds = list(next(iter(mirrors.values())))
    fig, ax = plt.subplots(figsize=(8, 3.4))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        values = [mirrors[name][k] for k in kinds]
        color = CONTROL_STYLES.get(name, {}).get("color")
        bars = ax.bar(
            np.arange(len(kinds)) + (i - (len(names) - 1) / 2) * width, values, width, label=name, color=color
        )
        ax.bar_label(bars, [comma(v, 2) for v in values], fontsize=9)
    ax.set_xticks(range(len(kinds)), kinds, fontsize=9)
    ax.axhline(0, color="black", lw=0.8)
    ax.set(ylabel="similitud coseno media", title=title)
    comma_axis(ax, which="y")
    ax.legend(fontsize=9)
    fig.tight_layout()
    return fig
