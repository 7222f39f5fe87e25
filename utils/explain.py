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

from .validation import InputTypeError, as_index, check_images, check_tensor, describe


# Cuántas imágenes usan los cuadernos 06 y 06b (menos en el modo rápido de los tests, VIT_FAST=1).
def _lesson_sizes() -> dict[str, int]:
    from .train import pick

    return {"prueba": pick(10_000, 2_000), "estadísticas": pick(400, 100), "borrado": pick(300, 100)}


LESSON_SIZES = _lesson_sizes()

# El punto de control del curso: el que carga find_checkpoint si no se le da otro.
FINAL_CHECKPOINT = Path("checkpoints") / "vit_fashion_mnist.pt"


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
    for i, m in enumerate(maps):
        if not isinstance(m, torch.Tensor):
            raise InputTypeError(
                f"La capa {i} de los pesos de atención es {describe(m)} y debe ser un tensor (B, H, N+1, N+1). "
                "Usa maps = model.attention_maps(x)."
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
    layer = as_index("layer", layer)  # acepta np.int64(1) y torch.tensor(1)
    if not -depth <= layer < depth:
        raise ValueError(
            f"layer={layer!r} fuera de rango: el modelo tiene {depth} capas (0 a {depth - 1}; -1 es la última)."
        )
    return layer % depth


def check_head(head: int | None, num_heads: int) -> int | None:
    """Comprueba que ``head`` sea una cabeza válida (de 0 a num_heads-1) o ``None`` (la media de las cabezas)."""
    if head is None:
        return None
    head = as_index("head", head)
    if not -num_heads <= head < num_heads:
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

    image = check_tensor("image", image)
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
    x = x.float() if x.is_floating_point() else x  # float64 → float32; un entero no se convierte en silencio
    return check_images("image", x, singular=True)[None]  # sin NaN y normalizada, no de 0 a 255


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


HEAD_FUSIONS = ("mean", "max", "min")


def fuse_heads(weights: torch.Tensor, head_fusion: str = "mean") -> torch.Tensor:
    """Funde las cabezas de una capa (B, H, T, T) en una matriz (B, T, T): su media, su máximo o su mínimo."""
    if head_fusion == "mean":
        return weights.mean(dim=1)
    if head_fusion == "max":
        return weights.amax(dim=1)
    if head_fusion == "min":
        return weights.amin(dim=1)
    raise ValueError(f"head_fusion={head_fusion!r} no existe: usa 'mean' (media), 'max' (máximo) o 'min' (mínimo).")


def discard_lowest(fused: torch.Tensor, discard_ratio: float) -> torch.Tensor:
    """Pone a 0 la fracción ``discard_ratio`` de los pesos más bajos de cada imagen (B, T, T), salvo CLS→CLS.

    Es el «descarte» de jacobgil/vit-explain: deja solo los caminos de atención más fuertes. Aquí se hace
    imagen a imagen (allí solo en la primera del lote).
    """
    B, T, _ = fused.shape
    k = int(T * T * discard_ratio)
    if k == 0:
        return fused
    flat = fused.reshape(B, -1).clone()
    keep_cls = flat[:, 0].clone()
    flat.scatter_(1, flat.topk(k, dim=-1, largest=False).indices, 0.0)
    flat[:, 0] = keep_cls  # el peso del CLS sobre sí mismo no se descarta
    return flat.reshape(B, T, T)


def attention_rollout(
    maps: Sequence[torch.Tensor], residual: float = 0.5, head_fusion: str = "mean", discard_ratio: float = 0.0
) -> torch.Tensor:
    """Rollout de atención (Abnar y Zuidema, 2020): cuánto llega de cada token de entrada a cada token de salida.

    En cada capa se funden las cabezas (media, máximo o mínimo), se descarta si se pide la fracción
    ``discard_ratio`` de los pesos más bajos, se añade la conexión residual como identidad,
    ``A' = (1 - residual)·A + residual·I``, se renormalizan las filas y se multiplican las capas:
    ``R = A'_L ··· A'_2 · A'_1``. Con ``head_fusion="max"`` y ``discard_ratio=0.9`` es la variante que
    popularizó jacobgil/vit-explain.

    Args:
        maps: pesos de atención, un tensor (B, H, N+1, N+1) por capa, de la primera a la última.
        residual: peso de la identidad, en [0, 1]; 0.5 es el valor del artículo.
        head_fusion: ``"mean"``, ``"max"`` o ``"min"``: cómo se combinan las cabezas de una capa.
        discard_ratio: fracción de los pesos más bajos de cada capa que se ponen a 0, en [0, 1).

    Returns:
        Tensor (B, N+1, N+1); cada fila suma 1. La fila 0 (token CLS) sin su primer elemento
        es el mapa del rollout: ``attention_rollout(maps)[:, 0, 1:]``.
    """
    _, B, _, T = _check_maps(maps)
    if isinstance(residual, bool) or not isinstance(residual, (int, float)) or not 0.0 <= residual <= 1.0:
        raise ValueError(
            f"residual={residual!r} fuera de rango: debe estar entre 0 y 1 (el artículo usa residual=0.5)."
        )
    if head_fusion not in HEAD_FUSIONS:
        fuse_heads(maps[0][:1], head_fusion)  # lanza el error en español
    if isinstance(discard_ratio, bool) or not isinstance(discard_ratio, (int, float)) or not 0.0 <= discard_ratio < 1.0:
        raise ValueError(
            f"discard_ratio={discard_ratio!r} fuera de rango: es la fracción de pesos que se descartan, "
            "de 0 (ninguno) a menos de 1 (vit-explain usa discard_ratio=0.9)."
        )
    eye = torch.eye(T, device=maps[0].device)
    rollout = eye.expand(B, T, T).clone()
    for w in maps:
        fused = discard_lowest(fuse_heads(w.detach().float(), head_fusion), discard_ratio)  # (B, N+1, N+1)
        a = (1.0 - residual) * fused + residual * eye
        a = a / a.sum(dim=-1, keepdim=True).clamp_min(1e-12)
        rollout = a @ rollout  # la capa nueva se aplica sobre lo acumulado
    return rollout


def cls_rollout(
    maps: Sequence[torch.Tensor],
    layer: int = -1,
    residual: float = 0.5,
    head_fusion: str = "mean",
    discard_ratio: float = 0.0,
) -> torch.Tensor:
    """Mapa del rollout para el token CLS hasta la capa ``layer`` (incluida), en la cuadrícula: (B, g, g)."""
    depth, _, _, num_tokens = _check_maps(maps)
    layer = check_layer(layer, depth)
    g = _grid_side(num_tokens)
    r = attention_rollout(list(maps)[: layer + 1], residual, head_fusion, discard_ratio)
    return r[:, 0, 1:].reshape(-1, g, g)


def patch_distances(grid_size: int, patch_size: int) -> torch.Tensor:
    """Distancia en píxeles entre los centros de cada par de parches: (N, N), en orden de lectura."""
    from .validation import check_positive

    check_positive(grid_size=grid_size, patch_size=patch_size)
    rows, cols = torch.meshgrid(torch.arange(grid_size), torch.arange(grid_size), indexing="ij")
    centers = torch.stack([rows.flatten(), cols.flatten()], dim=1).float() * patch_size  # (N, 2)
    return torch.cdist(centers, centers)  # (N, N)


def mean_attention_distance(maps: Sequence[torch.Tensor], grid_size: int, patch_size: int) -> torch.Tensor:
    """Distancia media de atención en píxeles de cada capa y cabeza (figura 7, derecha, del artículo del ViT).

    Para cada parche, como consulta, se promedia la distancia a los parches que mira, pesada por la
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
    ``root`` si no es absoluto. Si no, el modelo del curso ya entrenado (``checkpoints/vit_fashion_mnist.pt``).
    """
    root = Path(root)
    if custom is not None:
        path = Path(custom)
        path = path if path.is_absolute() else root / path
        if path.is_dir():
            raise FileNotFoundError(
                f"'{path}' es una carpeta, no un archivo de punto de control: da la ruta del archivo .pt, por ejemplo "
                f"'{path / 'mi_vit.pt'}'."
            )
        if not path.is_file():
            raise FileNotFoundError(
                f"No existe el punto de control '{path}'. Guarda tu modelo en el cuaderno 05 "
                "(save_checkpoint(ROOT / 'checkpoints' / 'mi_vit.pt', modelo)) o deja la variable en None "
                "para usar el modelo del curso."
            )
        return path
    if (root / FINAL_CHECKPOINT).is_file():
        return root / FINAL_CHECKPOINT
    raise FileNotFoundError(
        f"No hay ningún punto de control en '{root / 'checkpoints'}': falta {FINAL_CHECKPOINT}. "
        "Descárgalo de nuevo con el repositorio o entrena uno con: python scripts/train_checkpoint.py"
    )


# --- Controles: un modelo sin entrenar y la atención uniforme ---------------------------------


def untrained_like(model, seed: int = 0):
    """Un ViT de la misma arquitectura que ``model``, recién inicializado (el control «sin entrenar»)."""
    from .vit import ViT

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        fresh = ViT(config=model.config)
    return fresh.to(next(model.parameters()).device).eval()


def uniform_attention(depth: int, num_tokens: int, batch: int = 1) -> list[torch.Tensor]:
    """Pesos de una atención uniforme: cada token reparte 1/(N+1) a todos; ``depth`` tensores (B, 1, N+1, N+1)."""
    return [torch.full((batch, 1, num_tokens, num_tokens), 1.0 / num_tokens) for _ in range(depth)]


def cls_entropy(maps: Sequence[torch.Tensor]) -> torch.Tensor:
    """Entropía (en nats) de la fila del token CLS en cada capa y cabeza, media sobre las imágenes: (capas, cabezas).

    Mide cuánto reparte el CLS su atención: ln(N+1) si mira a todos los tokens por igual, 0 si mira a uno solo.
    """
    depth, _, num_heads, _ = _check_maps(maps)
    out = torch.empty(depth, num_heads)
    for i, w in enumerate(maps):
        p = w.detach().float()[:, :, 0].cpu()  # (B, H, N+1): fila del CLS
        out[i] = -(p * p.clamp_min(1e-12).log()).sum(-1).mean(0)
    return out


def garment_patches(images: torch.Tensor, patch_size: int, threshold: float = 0.1) -> torch.Tensor:
    """Qué parches son «prenda»: los de brillo medio mayor que ``threshold`` (en [0, 1]). (B, N) booleano.

    ``images`` son ``uint8`` (B, H, W) como las de ``load_fashion_mnist()``.
    """
    from .patches import patchify

    if not isinstance(images, torch.Tensor) or images.dtype != torch.uint8 or images.ndim != 3:
        got = f"{tuple(images.shape)} {images.dtype}" if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"Se esperaban imágenes uint8 (B, H, W) de load_fashion_mnist() y llegó {got}.")
    x = images.float().div(255).unsqueeze(1)  # (B, 1, H, W) en [0, 1]
    return patchify(x, patch_size).mean(-1) > threshold


def mass_on(grid: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Fracción de la masa de cada mapa (B, g, g) que cae en los parches de ``mask`` (B, N): (B,)."""
    m = grid.detach().float().flatten(1).cpu()
    mask = mask.reshape(m.shape).to(m.dtype).cpu()
    return (m * mask).sum(1) / m.sum(1).clamp_min(1e-12)


def attention_statistics(model, x: torch.Tensor, garment: torch.Tensor, batch_size: int = 100) -> dict:
    """Las estadísticas de atención del cuaderno 06 para ``model`` (la atención uniforme: :func:`uniform_statistics`).

    Args:
        model: un ViT.
        x: imágenes normalizadas (B, C, H, W).
        garment: parches con prenda (B, N), de :func:`garment_patches`.

    Returns:
        Un diccionario con ``"distancia"`` (capas, cabezas) en píxeles, ``"entropía"`` (capas, cabezas) en nats,
        ``"prenda (rollout)"`` y ``"prenda (última capa)"``: la fracción media del mapa sobre la prenda.
    """
    c = model.config
    g = c.img_size // c.patch_size
    total = {"distancia": 0.0, "entropía": 0.0, "prenda (rollout)": 0.0, "prenda (última capa)": 0.0}
    device = next(model.parameters()).device
    for xb, mb in zip(x.split(batch_size), garment.split(batch_size)):
        maps = [m.cpu() for m in model.attention_maps(xb.to(device))]
        w = len(xb) / len(x)
        total["distancia"] = total["distancia"] + w * mean_attention_distance(maps, g, c.patch_size)
        total["entropía"] = total["entropía"] + w * cls_entropy(maps)
        total["prenda (rollout)"] += w * mass_on(cls_rollout(maps), mb).mean().item()
        total["prenda (última capa)"] += w * mass_on(cls_attention(maps, -1), mb).mean().item()
    return total


def uniform_statistics(config, garment: torch.Tensor) -> dict:
    """Las mismas estadísticas que :func:`attention_statistics` para una atención uniforme (una «cabeza»)."""
    g, T = config.img_size // config.patch_size, config.num_patches + 1
    maps = uniform_attention(config.depth, T)
    share = garment.float().mean(1).mean().item()  # un mapa uniforme reparte igual entre todos los parches
    return {
        "distancia": mean_attention_distance(maps, g, config.patch_size),
        "entropía": cls_entropy(maps),
        "prenda (rollout)": share,
        "prenda (última capa)": share,
    }


# --- El espejo de los embeddings de posición --------------------------------------------------


def mirror_similarity(similarity: torch.Tensor) -> dict[str, float]:
    """Similitud media de los embeddings de posición en pares que el volteo horizontal confunde, y controles.

    ``similarity`` es (g, g, g, g), de :func:`position_embedding_similarity`. Devuelve la media en:
    ``"espejo horizontal"`` (misma fila, columnas c y g-1-c, c ≠ g-1-c), ``"misma fila, distancia ≥ 2"``
    (sin los pares espejo), ``"espejo vertical"`` (misma columna, filas r y g-1-r) y
    ``"misma columna, distancia ≥ 2"`` (sin los pares espejo).
    """
    if not isinstance(similarity, torch.Tensor) or similarity.ndim != 4 or len(set(similarity.shape)) != 1:
        got = tuple(similarity.shape) if isinstance(similarity, torch.Tensor) else type(similarity).__name__
        raise ValueError(
            f"La similitud debe tener forma (g, g, g, g) y tiene {got}. Usa position_embedding_similarity."
        )
    g = similarity.shape[0]
    s = similarity.detach().float().cpu().reshape(g * g, g * g)
    r, c = torch.arange(g * g) // g, torch.arange(g * g) % g
    same_row, same_col = r[:, None] == r[None], c[:, None] == c[None]
    h_mirror = same_row & (c[:, None] + c[None] == g - 1) & (c[:, None] != c[None])
    v_mirror = same_col & (r[:, None] + r[None] == g - 1) & (r[:, None] != r[None])
    far_c, far_r = (c[:, None] - c[None]).abs() >= 2, (r[:, None] - r[None]).abs() >= 2
    return {
        "espejo horizontal": s[h_mirror].mean().item(),
        "misma fila, distancia ≥ 2": s[same_row & far_c & ~h_mirror].mean().item(),
        "espejo vertical": s[v_mirror].mean().item(),
        "misma columna, distancia ≥ 2": s[same_col & far_r & ~v_mirror].mean().item(),
    }


# --- Por qué esta clase: rollout ponderado por el gradiente -----------------------------------


def gradient_rollout(model, x: torch.Tensor, target: torch.Tensor | int | None = None) -> torch.Tensor:
    """Mapa específico de una clase: la regla de Chefer, Gur y Wolf (ICCV 2021) para Transformers.

    En cada capa se pondera la atención por su gradiente respecto al logit de la clase ``target`` y se
    quedan solo las contribuciones positivas, ``Ā = media_h((∇A ⊙ A)⁺)``; la relevancia se acumula con la
    conexión residual, ``R ← R + Ā·R`` desde ``R = I``. El mapa es la fila del CLS sin él mismo. A
    diferencia del rollout, cambia con la clase: responde «¿qué parches empujan hacia esta clase?».

    Args:
        model: un ViT (se usa en modo evaluación).
        x: imágenes normalizadas (B, C, H, W).
        target: clase de cada imagen (B,), una clase para todas, o ``None`` para la predicha.

    Returns:
        Tensor (B, g, g), no negativo.
    """
    c = model.config
    g = c.img_size // c.patch_size
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    x = x.to(device)
    with torch.enable_grad():
        logits, maps = model.forward_with_attention(x)
        if target is None:
            target = logits.argmax(1)
        target = torch.as_tensor(target, device=device).long().expand(len(x))
        if ((target < 0) | (target >= c.num_classes)).any():
            raise ValueError(f"target fuera de rango: hay {c.num_classes} clases (0 a {c.num_classes - 1}).")
        grads = torch.autograd.grad(logits.gather(1, target[:, None]).sum(), maps)
    model.train(was_training)
    T = maps[0].shape[-1]
    relevance = torch.eye(T, device=device).expand(len(x), T, T).clone()
    for a, grad in zip(maps, grads):
        cam = (grad * a).clamp_min(0).mean(dim=1).detach()  # (B, N+1, N+1)
        relevance = relevance + cam @ relevance
    return relevance[:, 0, 1:].reshape(-1, g, g).cpu()


# --- Fidelidad: la curva de borrado -----------------------------------------------------------


def occlude_patches(x: torch.Tensor, patch_ids: torch.Tensor, patch_size: int, value: float) -> torch.Tensor:
    """Sustituye por ``value`` (el fondo) los parches ``patch_ids`` (B, k) de cada imagen x (B, C, H, W)."""
    B, _, H, W = x.shape
    gh, gw = H // patch_size, W // patch_size
    mask = torch.zeros(B, gh * gw, device=x.device)
    if patch_ids.numel():
        mask.scatter_(1, patch_ids.to(x.device).long(), 1.0)
    mask = mask.reshape(B, 1, gh, gw).repeat_interleave(patch_size, 2).repeat_interleave(patch_size, 3)
    return torch.where(mask.bool(), torch.as_tensor(value, dtype=x.dtype, device=x.device), x)


def deletion_curve(
    model,
    x: torch.Tensor,
    y: torch.Tensor,
    scores: torch.Tensor,
    ks: Sequence[int],
    background: float,
    batch_size: int = 500,
) -> torch.Tensor:
    """Exactitud tras borrar (poner al fondo) los k parches que ``scores`` ordena más alto, para cada k de ``ks``.

    Si un método de explicación señala lo que usa el modelo, su curva cae más deprisa que la de un orden
    al azar (Petsiuk et al., 2018, «RISE»; Samek et al., 2017).

    Args:
        scores: importancia de cada parche (B, N) o (B, g, g); a más alto, antes se borra.
        ks: cuántos parches borrar en cada punto de la curva (de 0 a N).
        background: el valor del fondo en las imágenes normalizadas (``to_float`` de un píxel 0).

    Returns:
        Tensor (len(ks),) con la exactitud (de 0 a 1) en cada k.
    """
    scores = scores.reshape(len(x), -1).cpu()
    order = scores.argsort(dim=1, descending=True)
    p = model.config.patch_size
    if scores.shape[1] != model.config.num_patches or len(y) != len(x):
        raise ValueError(
            f"scores tiene {tuple(scores.shape)} y debería ser (B, N) = ({len(x)}, {model.config.num_patches}), "
            f"con tantas etiquetas como imágenes ({len(y)} etiquetas)."
        )
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = torch.empty(len(ks))
    with torch.no_grad():
        for i, k in enumerate(ks):
            correct = 0
            for xb, yb, ob in zip(x.split(batch_size), y.split(batch_size), order.split(batch_size)):
                xo = occlude_patches(xb.to(device), ob[:, : int(k)], p, background)
                correct += (model(xo).argmax(1).cpu() == yb.cpu()).sum().item()
            out[i] = correct / len(x)
    model.train(was_training)
    return out


def deletion_area(ks: Sequence[int], accuracy: torch.Tensor, num_patches: int) -> float:
    """Área bajo la curva de borrado (exactitud frente a k/N, por trapecios): menor = el método es más fiel."""
    k = torch.as_tensor(list(ks), dtype=torch.float64) / num_patches
    return torch.trapezoid(torch.as_tensor(accuracy, dtype=torch.float64), k).item()
