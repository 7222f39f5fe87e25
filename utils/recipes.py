"""Recetas de entrenamiento del curso, en un único sitio.

- ``QUICK_CONFIG`` y ``QUICK_RECIPE``: la receta rápida del cuaderno 05 y de ``scripts/benchmark.py``.
  Imágenes de 28×28 sin ampliar, parches de 7×7 (16 tokens + CLS), AdamW con calentamiento y coseno por paso
  y suavizado de etiquetas. En la primera edición se eligió mirando la exactitud en prueba (pasar del 88 % en menos
  de 5 minutos en una CPU de 2 núcleos); desde la segunda, el cuaderno 05 la juzga en validación y mide la prueba
  una sola vez, al final (ver ``benchmarks/results.json``).
- ``CHECKPOINT_CONFIG`` y ``CHECKPOINT_RECIPE``: la receta del punto de control de la segunda edición, fijada antes
  de entrenarlo (``scripts/train_checkpoint.py``): una sola programación larga, aumento más fuerte (desplazamiento,
  volteo y borrado aleatorio) y un ViT algo más ancho. Se entrena con las 55 000 imágenes de entrenamiento y se
  juzga en las 5 000 de validación.
- ``CIRCULATING_CONFIG``: la arquitectura de la versión del ViT que circula en español (y de d2l):
  imágenes ampliadas a 96×96, parches de 16, ancho 512 y 2 bloques. Solo se usa para comparar velocidades.
- :func:`measure_train_throughput`: cuántas imágenes por segundo entrena un modelo en esta máquina, con las palancas
  de velocidad (``torch.compile``, bf16) que compara ``scripts/benchmark.py``. Para elegir cuántas épocas caben en
  un presupuesto de tiempo se usa :func:`utils.budget.plan_epochs`, que mide con el mismo ``train_model``.
"""

from __future__ import annotations

import copy
import time

import torch
import torch.nn.functional as F
from torch import nn

from .train import augment, make_optimizer
from .vit import ViTConfig

# Presupuesto de la receta rápida: minutos de entrenamiento en una CPU de 2 núcleos libre.
QUICK_TIME_BUDGET_S = 300

# El ViT de la receta rápida: el del curso con parches de 7×7 (49 → 16 parches, unas 3 veces más rápido).
QUICK_CONFIG = ViTConfig(img_size=28, patch_size=7, dim=64, depth=6, num_heads=4, mlp_dim=128, dropout=0.0)

# Hiperparámetros de utils.train.train_model para la receta rápida.
QUICK_RECIPE = {
    "epochs": 10,
    "batch_size": 128,
    "lr": 2e-3,
    "weight_decay": 0.05,
    "warmup_epochs": 1,
    "label_smoothing": 0.1,
    "use_augment": False,
    "seed": 0,
}

# Hiperparámetros de la CNN de referencia (utils.cnn.SmallCNN); las épocas se ajustan al presupuesto de tiempo.
CNN_RECIPE = {
    "batch_size": 128,
    "lr": 3e-3,
    "weight_decay": 0.05,
    "warmup_epochs": 1,
    "label_smoothing": 0.1,
    "use_augment": False,
    "seed": 0,
}

# El punto de control de la segunda edición: el ViT del curso (parches de 4×4) algo más ancho. Receta fijada antes de
# entrenar; no se cambia mirando la prueba (cada ejecución queda en benchmarks/checkpoint_runs.json).
CHECKPOINT_CONFIG = ViTConfig(img_size=28, patch_size=4, dim=96, depth=6, num_heads=4, mlp_dim=192, dropout=0.0)
CHECKPOINT_RECIPE = {
    "epochs": 150,
    "batch_size": 128,
    "lr": 1e-3,
    "weight_decay": 0.05,
    "warmup_epochs": 5,
    "label_smoothing": 0.1,
    "use_augment": True,
    "erase_prob": 0.25,
    "seed": 0,
}

# La arquitectura de la versión que circula (d2l): 96×96 ampliadas, parches de 16, ancho 512, 2 bloques.
CIRCULATING_CONFIG = ViTConfig(img_size=96, patch_size=16, dim=512, depth=2, num_heads=8, mlp_dim=2048, dropout=0.1)


def measure_train_throughput(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int = 128,
    steps: int = 10,
    warmup_steps: int = 2,
    use_augment: bool = False,
    double_forward: bool = False,
    device: str | torch.device = "cpu",
    rounds: int = 1,
    autocast: bool = False,
    compile: bool = False,
) -> float:
    """Imágenes por segundo que entrena ``model`` (pasada hacia delante, hacia atrás y paso de AdamW).

    Trabaja sobre una copia del modelo, así que ``model`` no cambia. Los primeros ``warmup_steps`` pasos no
    se cronometran. Con ``double_forward=True`` repite el error de la versión que circula: una segunda pasada
    por el modelo en cada paso solo para calcular la exactitud. Con ``rounds`` > 1 repite la medida y se queda con
    la mejor, para que un momento en que otro programa ocupe la CPU no estropee la cifra.

    Dos palancas de velocidad, para medirlas (en algunas CPU hacen ir más despacio): ``autocast=True`` hace la
    pasada hacia delante en bfloat16 con ``torch.autocast``, y ``compile=True`` pasa la copia por
    ``torch.compile`` (la compilación cae en los pasos de calentamiento, que no se cronometran).
    """
    if batch_size <= 0 or steps <= 0 or warmup_steps < 0 or rounds <= 0:
        raise ValueError(
            f"batch_size, steps y rounds deben ser positivos y warmup_steps no negativo; valen {batch_size}, {steps}, "
            f"{rounds} y {warmup_steps}."
        )
    if len(images) < batch_size:
        raise ValueError(
            f"Hacen falta al menos batch_size={batch_size} imágenes y llegaron {len(images)}. "
            "Pasa más imágenes o un lote más pequeño."
        )
    model = copy.deepcopy(model).to(device).train()
    optimizer = make_optimizer(model, lr=1e-4)
    device_type = torch.device(device).type
    if compile:
        model = torch.compile(model)
    generator = torch.Generator().manual_seed(0)
    n_batches = len(images) // batch_size

    def step(i: int) -> None:
        j = (i % n_batches) * batch_size
        xb, yb = images[j : j + batch_size].to(device), labels[j : j + batch_size].to(device)
        if use_augment:
            xb = augment(xb, generator)
        with torch.autocast(device_type, dtype=torch.bfloat16, enabled=autocast):
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if double_forward:
            (model(xb).argmax(1) == yb).float().mean().item()  # el error: otra pasada completa
        else:
            (logits.argmax(1) == yb).float().mean().item()

    def sync() -> None:
        if str(device).startswith("cuda"):
            torch.cuda.synchronize()

    for i in range(warmup_steps):
        step(i)
    best = 0.0
    for r in range(rounds):
        sync()
        start = time.perf_counter()
        for i in range(warmup_steps + r * steps, warmup_steps + (r + 1) * steps):
            step(i)
        sync()
        best = max(best, steps * batch_size / (time.perf_counter() - start))
    return best


# --- Tamaños del cuaderno 05 según el modo --------------------------------------------------------
# En modo completo, las partes enteras y las épocas de la receta; en modo rápido (VIT_FAST=1, la integración
# continua), subconjuntos equilibrados y 2 épocas, con el mismo código. Así las celdas del estudiante no
# necesitan saber en qué modo están.
FAST_SIZES = {"train": 6_000, "val": 1_000, "test": 2_000}
FAST_EPOCHS = 2


def lesson_split(data, seed: int = 0):
    """Las partes (entrenamiento, validación, prueba) del cuaderno 05 como tensores ``float`` normalizados.

    Devuelve ``(x_train, y_train, x_val, y_val, x_test, y_test)``: 55 000 / 5 000 / 10 000 imágenes en modo completo
    (la partición fija de :func:`utils.data.train_val_test`); en modo rápido, subconjuntos equilibrados de ellas.
    """
    from .data import subset, to_float, train_val_test
    from .train import is_fast_mode

    s = train_val_test(data)
    parts = [(s.train_images, s.train_labels), (s.val_images, s.val_labels), (s.test_images, s.test_labels)]
    if is_fast_mode():
        parts = [subset(x, y, n, seed=seed) for (x, y), n in zip(parts, FAST_SIZES.values())]
    out = []
    for x, y in parts:
        out += [to_float(x), y]
    return tuple(out)


def quick_recipe() -> dict:
    """``QUICK_RECIPE`` con las épocas del modo (las de la receta en modo completo, 2 en modo rápido)."""
    from .train import is_fast_mode

    return {**QUICK_RECIPE, "epochs": FAST_EPOCHS if is_fast_mode() else QUICK_RECIPE["epochs"]}
