"""Qué mira el ViT: mapas de atención, rollout y lo que aprendieron sus embeddings.

Todas las funciones reciben tensores (los pesos de atención que devuelve
``ViT.attention_maps`` o los parámetros del modelo) y devuelven tensores; las figuras
están en :mod:`utils.plots` y el explorador interactivo en :mod:`utils.explorer`.

Los pesos de atención ``maps`` son una lista con un tensor (B, H, N+1, N+1) por capa:
B imágenes, H cabezas y N+1 tokens (el token CLS en la posición 0 y después los N parches
en orden de lectura). Las capas y las cabezas se numeran desde 0.

Referencias: Dosovitskiy et al. (2021), figura 7 y apéndice D.7; Abnar y Zuidema (2020),
«Quantifying Attention Flow in Transformers».
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path

import torch

# Puntos de control que busca find_checkpoint, en orden de preferencia.
FINAL_CHECKPOINT = Path("checkpoints") / "vit_fashion_mnist.pt"
TRAINING_CHECKPOINT = Path("checkpoints") / "vit_fashion_mnist.entrenando.pt"


# --- Comprobaciones ---------------------------------------------------------------------------


def _check_maps(maps: Sequence[torch.Tensor]) -> tuple[int, int, int, int]:
    """Comprueba la lista de pesos de atención y devuelve (capas, B, cabezas, tokens)."""
    if isinstance(maps, torch.Tensor):
        if maps.ndim != 5:
            raise ValueError(
                f"Los pesos de atención deben ser una lista de tensores (B, H, N+1, N+1), uno por capa, o un tensor "
                f"(capas, B, H, N+1, N+1); llegó un tensor de forma {tuple(maps.shape)}. "
                "Usa maps = model.attention_maps(x)."
            )
        maps = list(maps)
    if not isinstance(maps, (list, tuple)) or len(maps) == 0:
        raise ValueError(
            f"Los pesos de atención deben ser una lista no vacía de tensores (B, H, N+1, N+1) y llegó "
            f"{type(maps).__name__}. Usa maps = model.attention_maps(x)."
        )
    shape = tuple(maps[0].shape)
    for i, m in enumerate(maps):
        if not isinstance(m, torch.Tensor) or m.ndim != 4 or m.shape[-1] != m.shape[-2]:
            got = tuple(m.shape) if isinstance(m, torch.Tensor) else type(m).__name__
            raise ValueError(
                f"La capa {i} de los pesos de atención tiene forma {got}; se esperaba (B, H, N+1, N+1). "
                "Si tienes los pesos de una sola imagen (H, N+1, N+1), añade el lote con w.unsqueeze(0)."
            )
        if tuple(m.shape) != shape:
            raise ValueError(
                f"Todas las capas deben tener la misma forma: la capa 0 es {shape} y la capa {i} es {tuple(m.shape)}."
            )
    B, H, T, _ = shape
    return len(maps), B, H, T


def _grid_side(num_tokens: int) -> int:
    """Lado g de la cuadrícula de parches a partir del número de tokens N+1 (N = g²)."""
    n = num_tokens - 1
    g = math.isqrt(max(n, 0))
    if n <= 0 or g * g != n:
        raise ValueError(
            f"Hay {num_tokens} tokens, así que {n} parches, que no forman una cuadrícula cuadrada g×g. "
            "Los pesos deben incluir el token CLS en la posición 0 y los parches de una imagen cuadrada."
        )
    return g


def check_layer(layer: int, depth: int) -> int:
    """Comprueba que ``layer`` sea una capa válida (de 0 a depth-1; -1 es la última) y la devuelve positiva."""
    if isinstance(layer, bool) or not isinstance(layer, int) or not -depth <= layer < depth:
        raise ValueError(
            f"layer={layer!r} fuera de rango: el modelo tiene {depth} capas (0 a {depth - 1}; -1 es la última)."
        )
    return layer % depth


def check_head(head: int | None, num_heads: int) -> int | None:
    """Comprueba que ``head`` sea una cabeza válida (de 0 a num_heads-1) o ``None`` (la media de las cabezas)."""
    if head is None:
        return None
    if isinstance(head, bool) or not isinstance(head, int) or not -num_heads <= head < num_heads:
        raise ValueError(
            f"head={head!r} fuera de rango: cada capa tiene {num_heads} cabezas (0 a {num_heads - 1}); "
            "usa head=None para la media de todas."
        )
    return head % num_heads


def check_image(image: torch.Tensor, config) -> torch.Tensor:
    """Convierte una imagen en un lote (1, C, H, W) listo para el modelo, o lanza un ``ValueError`` en español.

    Acepta ``uint8`` (H, W) o (C, H, W), como las de ``load_fashion_mnist()`` (se normalizan con
    ``to_float``), o ``float`` (H, W), (C, H, W) o (1, C, H, W) ya normalizadas como las de ``to_float``.
    """
    from .data import to_float

    if not isinstance(image, torch.Tensor):
        raise ValueError(f"La imagen debe ser un tensor de PyTorch y llegó {type(image).__name__}.")
    c, s = config.in_chans, config.img_size
    x = image
    if x.ndim == 4 and x.shape[0] == 1:
        x = x[0]
    if x.ndim == 2 and c == 1:
        x = x[None]
    if x.ndim != 3 or tuple(x.shape) != (c, s, s):
        raise ValueError(
            f"La imagen tiene forma {tuple(image.shape)} y el modelo espera una imagen de {c} canal(es) de {s}×{s} "
            f"píxeles: ({s}, {s}), ({c}, {s}, {s}) o (1, {c}, {s}, {s}). Usa una imagen de Fashion-MNIST "
            "o carga el punto de control que corresponde a tus imágenes."
        )
    if x.dtype == torch.uint8:
        return to_float(x).transpose(0, 1)  # (C, 1, H, W) → (1, C, H, W)
    return x.float()[None]


# --- Mapas de atención ------------------------------------------------------------------------


def cls_attention(maps: Sequence[torch.Tensor], layer: int, head: int | None = None) -> torch.Tensor:
    """Atención del token CLS hacia cada parche, colocada en la cuadrícula de la imagen.

    Args:
        maps: pesos de atención, un tensor (B, H, N+1, N+1) por capa (``model.attention_maps(x)``).
        layer: capa, de 0 a ``len(maps) - 1`` (-1 es la última).
        head: cabeza, de 0 a H-1, o ``None`` para la media de las cabezas.

    Returns:
        Tensor (B, g, g) con g = √N. No se renormaliza: suma 1 menos lo que el token CLS se mira a sí mismo.
    """
    depth, _, num_heads, num_tokens = _check_maps(maps)
    layer = check_layer(layer, depth)
    head = check_head(head, num_heads)
    g = _grid_side(num_tokens)
    w = maps[layer].detach().float()
    w = w.mean(dim=1) if head is None else w[:, head]  # (B, N+1, N+1)
    return w[:, 0, 1:].reshape(-1, g, g)  # (B, g, g): fila del CLS, sin él mismo


def attention_rollout(maps: Sequence[torch.Tensor], residual: float = 0.5) -> torch.Tensor:
    """Rollout de atención (Abnar y Zuidema, 2020): cuánto llega de cada token de entrada a cada token de salida.

    En cada capa se promedian las cabezas, se añade la conexión residual como identidad,
    ``A' = (1 - residual)·A + residual·I``, se renormalizan las filas y se multiplican las capas:
    ``R = A'_L ··· A'_2 · A'_1``.

    Args:
        maps: pesos de atención, un tensor (B, H, N+1, N+1) por capa, de la primera a la última.
        residual: peso de la identidad, en [0, 1]; 0.5 es el valor del artículo.

    Returns:
        Tensor (B, N+1, N+1); cada fila suma 1. La fila 0 (token CLS) sin su primer elemento
        es el mapa del rollout: ``attention_rollout(maps)[:, 0, 1:]``.
    """
    _, B, _, T = _check_maps(maps)
    if isinstance(residual, bool) or not isinstance(residual, (int, float)) or not 0.0 <= residual <= 1.0:
        raise ValueError(f"residual={residual!r} fuera de rango: debe estar entre 0 y 1 (el artículo usa 0.5).")
    eye = torch.eye(T, device=maps[0].device)
    rollout = eye.expand(B, T, T).clone()
    for w in maps:
        a = (1.0 - residual) * w.detach().float().mean(dim=1) + residual * eye  # (B, N+1, N+1)
        a = a / a.sum(dim=-1, keepdim=True)
        rollout = a @ rollout  # la capa nueva se aplica sobre lo acumulado
    return rollout


def cls_rollout(maps: Sequence[torch.Tensor], layer: int = -1, residual: float = 0.5) -> torch.Tensor:
    """Mapa del rollout para el token CLS hasta la capa ``layer`` (incluida), en la cuadrícula: (B, g, g)."""
    depth, _, _, num_tokens = _check_maps(maps)
    layer = check_layer(layer, depth)
    g = _grid_side(num_tokens)
    return attention_rollout(list(maps)[: layer + 1], residual)[:, 0, 1:].reshape(-1, g, g)


def patch_distances(grid_size: int, patch_size: int) -> torch.Tensor:
    """Distancia en píxeles entre los centros de cada par de parches: (N, N), en orden de lectura."""
    from .validation import check_positive

    check_positive(grid_size=grid_size, patch_size=patch_size)
    rows, cols = torch.meshgrid(torch.arange(grid_size), torch.arange(grid_size), indexing="ij")
    centers = torch.stack([rows.flatten(), cols.flatten()], dim=1).float() * patch_size  # (N, 2)
    return torch.cdist(centers, centers)  # (N, N)


def mean_attention_distance(maps: Sequence[torch.Tensor], grid_size: int, patch_size: int) -> torch.Tensor:
    """Distancia media de atención en píxeles de cada capa y cabeza (figura 7, derecha, del artículo del ViT).

    Para cada parche que pregunta se promedia la distancia a los parches que mira, pesada por la
    atención: el «campo receptivo» de la cabeza. Se excluye el token CLS (como consulta y como clave)
    y los pesos entre parches se renormalizan para que sumen 1. Después se promedia sobre los
    parches y las imágenes.

    Args:
        maps: pesos de atención, un tensor (B, H, N+1, N+1) por capa.
        grid_size: lado g de la cuadrícula de parches (N = g²); ``model.patch_embed.grid_size``.
        patch_size: lado del parche en píxeles; ``model.config.patch_size``.

    Returns:
        Tensor (capas, cabezas) en píxeles: 0 si cada parche solo se mira a sí mismo.
    """
    depth, _, num_heads, num_tokens = _check_maps(maps)
    g = _grid_side(num_tokens)
    if grid_size != g:
        raise ValueError(
            f"grid_size={grid_size} no corresponde a los pesos de atención: tienen {num_tokens - 1} parches, "
            f"una cuadrícula de {g}×{g}. Usa grid_size={g} (model.patch_embed.grid_size)."
        )
    dist = patch_distances(grid_size, patch_size).to(maps[0].device)  # (N, N)
    out = torch.empty(depth, num_heads)
    for i, w in enumerate(maps):
        a = w.detach().float()[:, :, 1:, 1:]  # (B, H, N, N): solo parches
        a = a / a.sum(dim=-1, keepdim=True).clamp_min(1e-12)
        out[i] = (a * dist).sum(dim=-1).mean(dim=(0, 2)).cpu()  # media sobre imágenes y consultas
    return out


# --- Lo que aprendieron los embeddings --------------------------------------------------------


def position_embedding_similarity(
    pos_embed: torch.Tensor, exclude_cls: bool = True, as_grid: bool = True
) -> torch.Tensor:
    """Similitud coseno del embedding de posición de cada parche con el de todos los demás (figura 7, centro).

    Args:
        pos_embed: ``model.pos_embed``, de forma (1, N+1, D) o (N+1, D) (o sin CLS, con ``exclude_cls=False``).
        exclude_cls: quitar el primer embedding, el del token CLS, que no tiene posición en la imagen.
        as_grid: devolver (g, g, g, g) —el elemento [i, j] es el mapa de similitud del parche en la
            fila i, columna j— en lugar de la matriz (N, N).

    Returns:
        Similitudes entre -1 y 1; la diagonal vale 1.
    """
    if (
        not isinstance(pos_embed, torch.Tensor)
        or pos_embed.ndim not in (2, 3)
        or (pos_embed.ndim == 3 and pos_embed.shape[0] != 1)
    ):
        got = tuple(pos_embed.shape) if isinstance(pos_embed, torch.Tensor) else type(pos_embed).__name__
        raise ValueError(f"pos_embed debe tener forma (1, N+1, D) o (N+1, D) y tiene {got}. Usa model.pos_embed.")
    e = pos_embed.detach().float().reshape(-1, pos_embed.shape[-1])
    if exclude_cls:
        e = e[1:]
    e = torch.nn.functional.normalize(e, dim=-1)
    sim = e @ e.T  # (N, N)
    if not as_grid:
        return sim
    g = _grid_side(len(e) + 1)
    return sim.reshape(g, g, g, g)


def patch_embedding_pca(conv_weight: torch.Tensor, k: int = 16, explained: bool = False):
    """Primeras componentes principales de los filtros del embedding de parches (figura 7, izquierda).

    Cada uno de los D filtros (C, p, p) es un vector de C·p·p números; tras restar el filtro medio,
    las componentes principales son las direcciones en las que más varían, es decir, los «patrones
    básicos» con los que el modelo describe un parche.

    Args:
        conv_weight: ``model.patch_embed.proj.weight``, de forma (D, C, p, p).
        k: número de componentes, de 1 a min(D, C·p·p).
        explained: devolver también la fracción de la varianza que explica cada componente.

    Returns:
        Tensor (k, C, p, p), ordenado de más a menos varianza; con ``explained=True``, la tupla
        ``(componentes, fracción de varianza (k,))``.
    """
    if (
        not isinstance(conv_weight, torch.Tensor)
        or conv_weight.ndim != 4
        or conv_weight.shape[-1] != conv_weight.shape[-2]
    ):
        got = tuple(conv_weight.shape) if isinstance(conv_weight, torch.Tensor) else type(conv_weight).__name__
        raise ValueError(f"conv_weight debe tener forma (D, C, p, p) y tiene {got}. Usa model.patch_embed.proj.weight.")
    D, C, p, _ = conv_weight.shape
    kmax = min(D, C * p * p)
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= kmax:
        raise ValueError(f"k={k!r} fuera de rango: hay {kmax} componentes principales posibles (1 a {kmax}).")
    w = conv_weight.detach().float().reshape(D, -1)
    w = w - w.mean(dim=0, keepdim=True)
    _, s, vh = torch.linalg.svd(w, full_matrices=False)  # filas de vh: componentes principales
    comps = vh[:k]
    # El signo de cada componente es arbitrario: lo fijamos para que su mayor valor absoluto sea positivo.
    idx = comps.abs().argmax(dim=1)
    comps = comps * comps.gather(1, idx[:, None]).sign()
    comps = comps.reshape(k, C, p, p)
    if explained:
        var = s**2
        return comps, var[:k] / var.sum()
    return comps


# --- Elegir el punto de control ---------------------------------------------------------------


def find_checkpoint(root: str | os.PathLike, custom: str | os.PathLike | None = None) -> Path:
    """Elige qué punto de control cargar.

    Con ``custom`` (por ejemplo tu ``checkpoints/mi_vit.pt`` del cuaderno 05) usa ese archivo, relativo a
    ``root`` si no es absoluto. Si no, el modelo del curso ya entrenado (``checkpoints/vit_fashion_mnist.pt``)
    o, mientras se entrena, el último guardado (``checkpoints/vit_fashion_mnist.entrenando.pt``).
    """
    root = Path(root)
    if custom is not None:
        path = Path(custom)
        path = path if path.is_absolute() else root / path
        if not path.is_file():
            raise FileNotFoundError(
                f"No existe el punto de control '{path}'. Guarda tu modelo en el cuaderno 05 "
                "(save_checkpoint(ROOT / 'checkpoints' / 'mi_vit.pt', modelo)) o deja la variable en None "
                "para usar el modelo del curso."
            )
        return path
    for rel in (FINAL_CHECKPOINT, TRAINING_CHECKPOINT):
        if (root / rel).is_file():
            return root / rel
    raise FileNotFoundError(
        f"No hay ningún punto de control en '{root / 'checkpoints'}': falta {FINAL_CHECKPOINT}. "
        "Descárgalo de nuevo con el repositorio o entrena uno con: python scripts/train_checkpoint.py"
    )
