"""Cuántas operaciones cuesta un ViT: conteo analítico y medición con PyTorch.

``vit_macs`` cuenta a mano las multiplicaciones-sumas (MAC) de cada parte del modelo para una
imagen; ``vit_flops`` las convierte a FLOPs (1 MAC = 2 FLOPs, el convenio de
``torch.utils.flop_counter``); ``measure_flops`` mide lo mismo ejecutando el modelo bajo
``FlopCounterMode``, para comprobar la cuenta.

Solo se cuentan los productos de matrices: la convolución de parches, las capas lineales y los dos
productos de la atención (Q·Kᵀ y pesos·V). LayerNorm, GELU, softmax y las sumas residuales cuestan
O(N·D) operaciones por capa, muy poco al lado de los O(N·D²) y O(N²·D) de los productos, y
``FlopCounterMode`` tampoco los cuenta.

Cuidado al comparar con artículos: muchos escriben «FLOPs» para lo que aquí son MAC (por ejemplo,
los 17,6 «GFLOPs» que suelen citarse para ViT-B/16 a 224×224 son multiplicaciones-sumas).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from .attention import MultiHeadAttention
from .vit import ViT, ViTConfig


def _as_config(config: ViTConfig | ViT | None, kwargs: dict) -> ViTConfig:
    if isinstance(config, ViT):
        config = config.config
    if config is None:
        return ViTConfig(**kwargs)
    if kwargs:
        raise ValueError("Pasa una ViTConfig (o un ViT) o argumentos con nombre, no ambos.")
    if not isinstance(config, ViTConfig):
        raise ValueError(
            f"Se esperaba una ViTConfig o un ViT y llegó {type(config).__name__}. "
            "Usa, por ejemplo, vit_macs(ViTConfig(dim=64)) o vit_macs(dim=64)."
        )
    return config


def vit_macs(config: ViTConfig | ViT | None = None, **kwargs) -> dict[str, int]:
    """Multiplicaciones-sumas (MAC) por imagen de cada parte de un ViT, contadas a mano.

    Con N parches, T = N + 1 tokens, dimensión D, ``mlp_dim`` M, p = ``patch_size``,
    C = ``in_chans``, K = ``num_classes`` y L = ``depth``:

    - embedding de parches: N · (C·p²) · D
    - por bloque: qkv T·D·3D, Q·Kᵀ T·T·D, pesos·V T·T·D, proyección T·D·D, MLP 2·T·D·M
    - cabeza: D · K (solo el token CLS pasa por ella)

    Se llama como ``ViT``: ``vit_macs(cfg)``, ``vit_macs(model)`` o ``vit_macs(dim=64, depth=6)``.

    Returns:
        Un ``dict`` {parte: MAC} con los bloques ya sumados (multiplicados por L).
    """
    c = _as_config(config, kwargs)
    n = c.num_patches
    t = n + 1
    d, m, depth = c.dim, c.mlp_dim, c.depth
    return {
        "embedding de parches": n * c.in_chans * c.patch_size**2 * d,
        "atención: qkv": depth * t * d * 3 * d,
        "atención: Q·Kᵀ": depth * t * t * d,
        "atención: pesos·V": depth * t * t * d,
        "atención: proyección": depth * t * d * d,
        "MLP": depth * 2 * t * d * m,
        "cabeza": d * c.num_classes,
    }


def vit_flops(config: ViTConfig | ViT | None = None, **kwargs) -> int:
    """FLOPs por imagen de un ViT: 2 × la suma de :func:`vit_macs` (una multiplicación y una suma)."""
    return 2 * sum(vit_macs(config, **kwargs).values())


def measure_flops(model: nn.Module, x: torch.Tensor) -> int:
    """FLOPs por imagen que mide ``FlopCounterMode`` en un ``forward`` de ``model`` sobre el lote ``x``.

    La atención fusionada de PyTorch no siempre tiene fórmula de FLOPs registrada (en la CPU
    ``FlopCounterMode`` no la cuenta), así que durante la medida cada ``MultiHeadAttention`` usa la
    ruta escrita a mano, que hace las mismas multiplicaciones; después se deja como estaba.
    """
    if x.ndim == 0 or x.shape[0] == 0:
        raise ValueError(f"x debe ser un lote con al menos una imagen y tiene forma {tuple(x.shape)}.")
    attns = [mod for mod in model.modules() if isinstance(mod, MultiHeadAttention)]
    saved = [a.fused for a in attns]
    was_training = model.training
    try:
        for a in attns:
            a.fused = False
        model.eval()
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            model(x)
    finally:
        for a, fused in zip(attns, saved):
            a.fused = fused
        model.train(was_training)
    return counter.get_total_flops() // x.shape[0]


# --- Cuánto tarda la atención (cuaderno 02b) ---------------------------------------------------


def measure_matmul_gflops(n: int = 1024, repeats: int = 10, dtype: torch.dtype = torch.float32) -> float:
    """El «pico» práctico de esta máquina: GFLOP/s de un producto de matrices n×n (2n³ FLOPs), el mejor de ``repeats``.

    Es la referencia con la que se compara lo que consigue un modelo al entrenar: ninguna red va más deprisa que
    su multiplicación de matrices más favorable, con los mismos hilos.
    """
    if n <= 0 or repeats <= 0:
        raise ValueError(f"n y repeats deben ser positivos y valen {n} y {repeats}.")
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b  # calentamiento
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best / 1e9


def time_attention(
    token_counts,
    batch: int = 1,
    heads: int = 4,
    head_dim: int = 16,
    repeats: int = 3,
    seed: int = 0,
    min_sample_s: float = 0.02,
) -> dict[str, np.ndarray]:
    """Tiempo de CPU por llamada (en segundos) de la atención escrita a mano y de la fusionada para cada N.

    Para cada N de ``token_counts`` genera Q, K y V aleatorios de forma ``(batch, heads, N, head_dim)`` y
    mide ``utils.attention.scaled_dot_product_attention`` y ``F.scaled_dot_product_attention``. Usa un
    solo hilo y el tiempo de CPU de ese hilo (``time.thread_time``), que no cuenta los ratos en que el
    sistema atiende a otros programas. Tras una llamada de calentamiento, cada medida es la mejor de ``repeats``
    muestras, y cada muestra repite la llamada hasta durar al menos ``min_sample_s`` segundos (con pocos tokens una
    llamada dura unas decenas de millonésimas de segundo, y una sola daría sobre todo ruido). Al terminar devuelve a
    PyTorch los hilos que tenía.

    Returns:
        ``{"tokens": N, "escrita a mano": segundos, "fusionada": segundos}``, arreglos de NumPy.
    """
    import time

    import torch.nn.functional as F

    from .attention import scaled_dot_product_attention
    from .validation import as_float, check_positive

    check_positive(batch=batch, heads=heads, head_dim=head_dim, repeats=repeats)
    min_sample_s = as_float("min_sample_s", min_sample_s, minimum=0, fix="Usa, por ejemplo, 0.02 (segundos).")
    ns = [int(n) for n in token_counts]
    if not ns or min(ns) < 1:
        raise ValueError(f"token_counts debe ser una lista de enteros positivos y es {token_counts!r}.")

    def best(fn, *args) -> float:
        t0 = time.thread_time()
        fn(*args)  # calentamiento, y una primera idea de lo que tarda
        calls = max(1, math.ceil(min_sample_s / max(time.thread_time() - t0, 1e-6)))
        times = []
        for _ in range(repeats):  # cada muestra dura al menos min_sample_s: una llamada corta sola es puro ruido
            t0 = time.thread_time()
            for _ in range(calls):
                fn(*args)
            times.append((time.thread_time() - t0) / calls)
        return min(times)

    g = torch.Generator().manual_seed(seed)
    manual, fused = [], []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.no_grad():
            for n in ns:
                q, k, v = (torch.randn(batch, heads, n, head_dim, generator=g) for _ in range(3))
                manual.append(best(scaled_dot_product_attention, q, k, v))
                fused.append(best(F.scaled_dot_product_attention, q, k, v))
                del q, k, v
    finally:
        torch.set_num_threads(threads)
    return {"tokens": np.array(ns), "escrita a mano": np.array(manual), "fusionada": np.array(fused)}


def l3_cache_bytes(cache_dir: str | Path = "/sys/devices/system/cpu/cpu0/cache") -> int | None:
    """La caché L3 que declara el procesador, en bytes (Linux; ``None`` si no se sabe).

    En una máquina virtual es la del procesador entero, compartida con otras máquinas: cabe menos de lo que dice.
    """
    for index in sorted(Path(cache_dir).glob("index*")):
        try:
            if (index / "level").read_text().strip() != "3":
                continue
            size = (index / "size").read_text().strip().upper()
        except OSError:
            continue
        factor = {"K": 2**10, "M": 2**20, "G": 2**30}.get(size[-1:], 1)
        digits = size.rstrip("KMG")
        return int(digits) * factor if digits.isdigit() else None
    return None


def loglog_slope(xs, ys, last: int | None = None) -> float:
    """Pendiente de la recta que mejor ajusta ``log y`` frente a ``log x`` (con ``last``, solo los últimos puntos).

    Si ``y ∝ x^k``, la pendiente es ``k``: 2 para un coste que crece con N².
    """
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if last is not None:
        xs, ys = xs[-last:], ys[-last:]
    if len(xs) < 2 or (xs <= 0).any() or (ys <= 0).any():
        raise ValueError("loglog_slope necesita al menos dos puntos con x e y positivos.")
    return float(np.polyfit(np.log(xs), np.log(ys), 1)[0])
