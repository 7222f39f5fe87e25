"""Entrenamiento en la CPU (o la GPU) con los datos en memoria como tensores.

Todo lo que hace falta para entrenar: semilla, elección de dispositivo, lotes con aumento de
datos hecho sobre tensores (sin procesos auxiliares), AdamW con calentamiento y coseno por paso,
el bucle de entrenamiento con barras de progreso en español y ``evaluate``.

El modo rápido (``VIT_FAST=1``) lo usa la integración continua: los cuadernos eligen tamaños más
pequeños con :func:`pick`, pero recorren exactamente el mismo código.
"""

from __future__ import annotations

import math
import os
import platform
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

FAST_ENV = "VIT_FAST"


def is_fast_mode() -> bool:
    """``True`` si la variable de entorno ``VIT_FAST`` vale 1 (modo rápido para la integración continua)."""
    return os.environ.get(FAST_ENV, "0").strip().lower() in {"1", "true", "sí", "si", "yes"}


def pick(full, fast):
    """Devuelve ``fast`` en modo rápido y ``full`` en el normal: ``epochs = pick(10, 1)``."""
    return fast if is_fast_mode() else full


def seed_everything(seed: int = 0) -> None:
    """Fija las semillas de Python, NumPy y PyTorch para que los resultados se repitan."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def cpu_name() -> str:
    """El modelo del procesador («AMD EPYC …», de /proc/cpuinfo en Linux), o la arquitectura si no se sabe."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def get_device(preferred: str = "auto") -> torch.device:
    """Elige el dispositivo: ``"auto"`` (GPU si hay), ``"cuda"``, ``"mps"`` o ``"cpu"``.

    Si se pide un dispositivo que no existe, avisa en español y usa la CPU.
    """
    preferred = str(preferred).lower()
    if preferred == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if preferred.startswith("cuda") and not torch.cuda.is_available():
        print(f"Aviso: se pidió el dispositivo '{preferred}' pero no hay GPU CUDA disponible; se usará la CPU.")
        return torch.device("cpu")
    if preferred == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        print("Aviso: se pidió el dispositivo 'mps' pero no está disponible; se usará la CPU.")
        return torch.device("cpu")
    if preferred not in {"cpu", "mps"} and not preferred.startswith("cuda"):
        raise ValueError(f"Dispositivo desconocido '{preferred}'. Usa 'auto', 'cpu', 'cuda' o 'mps'.")
    return torch.device(preferred)


def augment(x: torch.Tensor, generator: torch.Generator | None = None, pad: int = 2, flip: bool = True) -> torch.Tensor:
    """Aumento de datos ligero sobre un lote (B, C, H, W): recorte aleatorio con relleno y volteo horizontal.

    Cada imagen se desplaza hasta ``pad`` píxeles en cada eje (rellenando con el valor del fondo) y,
    con probabilidad 1/2, se voltea de izquierda a derecha.
    """
    B, C, H, W = x.shape
    dev = x.device
    background = x.amin().item()
    padded = F.pad(x, (pad, pad, pad, pad), value=background)  # (B, C, H+2p, W+2p)
    dy = torch.randint(0, 2 * pad + 1, (B,), generator=generator).to(dev)
    dx = torch.randint(0, 2 * pad + 1, (B,), generator=generator).to(dev)
    rows = (torch.arange(H, device=dev)[None, :] + dy[:, None])[:, None, :, None]  # (B, 1, H, 1)
    cols = (torch.arange(W, device=dev)[None, :] + dx[:, None])[:, None, None, :]  # (B, 1, 1, W)
    b = torch.arange(B, device=dev)[:, None, None, None]
    c = torch.arange(C, device=dev)[None, :, None, None]
    out = padded[b, c, rows, cols]  # (B, C, H, W)
    if flip:
        mask = (torch.rand(B, generator=generator) < 0.5).to(dev)[:, None, None, None]
        out = torch.where(mask, out.flip(-1), out)
    return out


def iterate_batches(
    images: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
    drop_last: bool = False,
):
    """Recorre ``(images, labels)`` en lotes, barajando con ``generator`` si ``shuffle``."""
    n = len(labels)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    stop = n - n % batch_size if drop_last else n
    for i in range(0, stop, batch_size):
        idx = order[i : i + batch_size]
        yield images[idx], labels[idx]


def warmup_cosine(step: int, total_steps: int, warmup_steps: int, min_factor: float = 0.01) -> float:
    """Factor de la tasa de aprendizaje: subida lineal durante ``warmup_steps`` y después coseno hasta ``min_factor``."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))


def make_optimizer(model: nn.Module, lr: float = 1e-3, weight_decay: float = 0.05) -> torch.optim.AdamW:
    """AdamW sin decaimiento de pesos en sesgos, normalizaciones, token CLS ni embeddings de posición."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 or name.endswith(("pos_embed", "cls_token")) else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 1000, device=None) -> torch.Tensor:
    """Logits (N, clases) de ``model`` sobre ``images`` (N, C, H, W), en modo evaluación y sin gradientes."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = [model(xb.to(device)).cpu() for xb, _ in iterate_batches(images, torch.zeros(len(images)), batch_size)]
    model.train(was_training)
    return torch.cat(out)


def evaluate(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000
) -> tuple[float, float]:
    """Pérdida media (entropía cruzada) y exactitud de ``model`` sobre ``(images, labels)``."""
    logits = predict(model, images, batch_size)
    loss = F.cross_entropy(logits, labels).item()
    acc = (logits.argmax(1) == labels).float().mean().item()
    return loss, acc


@dataclass
class History:
    """Historial por época del entrenamiento."""

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)  # tasa de aprendizaje en cada paso
    interrupted: bool = False

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def train_model(
    model: nn.Module,
    train_images: torch.Tensor,
    train_labels: torch.Tensor,
    test_images: torch.Tensor | None = None,
    test_labels: torch.Tensor | None = None,
    *,
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 1e-3,
    weight_decay: float = 0.05,
    warmup_epochs: float = 1.0,
    label_smoothing: float = 0.1,
    use_augment: bool = True,
    seed: int = 0,
    device: str | torch.device = "auto",
    checkpoint_path: str | os.PathLike | None = None,
    checkpoint_metadata: dict | None = None,
    time_budget_s: float | None = None,
    progress: bool = True,
) -> History:
    """Entrena ``model`` con AdamW, calentamiento y coseno por paso, y suavizado de etiquetas.

    Los datos ya están en memoria como tensores ``float`` (N, C, H, W). Cada lote tiene el mismo
    tamaño (se descarta el último incompleto). Al final de cada época se evalúa en prueba (si se da)
    y, si hay ``checkpoint_path`` y el modelo es un ViT, se guarda un punto de control de forma atómica.

    Si se interrumpe (Ctrl-C), devuelve el historial hasta ese momento con ``interrupted=True`` y
    dice dónde quedó el último punto de control bueno, que no se toca.

    Con ``time_budget_s`` el entrenamiento para al acabar la época en que se agota el tiempo.
    """
    from .checkpoints import save_checkpoint

    if epochs <= 0 or batch_size <= 0 or lr <= 0:
        raise ValueError(f"epochs, batch_size y lr deben ser positivos y valen {epochs}, {batch_size} y {lr}.")
    if len(train_images) != len(train_labels):
        raise ValueError(
            f"Hay {len(train_images)} imágenes y {len(train_labels)} etiquetas de entrenamiento; deben ser las mismas."
        )
    if batch_size > len(train_labels):
        raise ValueError(
            f"batch_size={batch_size} es mayor que el número de ejemplos ({len(train_labels)}). Usa un lote más pequeño."
        )
    device = get_device(device) if isinstance(device, str) else device
    seed_everything(seed)
    generator = torch.Generator().manual_seed(seed)
    model.to(device)
    optimizer = make_optimizer(model, lr, weight_decay)
    steps_per_epoch = len(train_labels) // batch_size
    total = epochs * steps_per_epoch
    warmup = max(1, int(warmup_epochs * steps_per_epoch))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_cosine(s, total, warmup))
    history = History()
    last_saved: tuple[int, Path] | None = None
    start = time.perf_counter()

    try:
        for epoch in range(1, epochs + 1):
            model.train()
            t0 = time.perf_counter()
            loss_sum, correct, seen = 0.0, 0, 0
            batches = iterate_batches(train_images, train_labels, batch_size, True, generator, drop_last=True)
            bar = tqdm(
                batches,
                total=steps_per_epoch,
                desc=f"Época {epoch}/{epochs}",
                unit="lote",
                disable=not progress,
                leave=True,
            )
            for xb, yb in bar:
                xb, yb = xb.to(device), yb.to(device)
                if use_augment:
                    xb = augment(xb, generator)
                logits = model(xb)  # una sola pasada por paso
                loss = F.cross_entropy(logits, yb, label_smoothing=label_smoothing)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                history.lr.append(scheduler.get_last_lr()[0])
                scheduler.step()
                loss_sum += loss.item() * len(yb)
                correct += (logits.argmax(1) == yb).sum().item()
                seen += len(yb)
                bar.set_postfix(pérdida=f"{loss_sum / seen:.3f}", exactitud=f"{correct / seen:.3f}")
            history.epoch.append(epoch)
            history.train_loss.append(loss_sum / seen)
            history.train_acc.append(correct / seen)
            history.seconds.append(time.perf_counter() - t0)
            if test_images is not None:
                test_loss, test_acc = evaluate(model, test_images, test_labels)
                history.test_loss.append(test_loss)
                history.test_acc.append(test_acc)
                print(f"Época {epoch}: exactitud en prueba {test_acc:.2%} ({history.seconds[-1]:.0f} s)", flush=True)
            if checkpoint_path is not None and hasattr(model, "config"):
                meta = {"epoch": epoch, "history": history.as_dict(), **(checkpoint_metadata or {})}
                last_saved = (epoch, save_checkpoint(checkpoint_path, model, meta))
            if time_budget_s is not None and time.perf_counter() - start >= time_budget_s and epoch < epochs:
                print(f"Se agotó el tiempo ({time_budget_s:.0f} s) tras la época {epoch}.")
                break
    except KeyboardInterrupt:
        history.interrupted = True
        if last_saved is not None:
            print(
                f"Entrenamiento interrumpido. El último punto de control bueno (época {last_saved[0]}) "
                f"está intacto en '{last_saved[1]}'."
            )
        else:
            print(
                "Entrenamiento interrumpido antes de terminar la primera época: no se guardó ningún punto de control."
            )
    return history
