"""Entrena el ViT que el curso incluye ya entrenado (checkpoints/vit_fashion_mnist.pt).

Uso (desde la raíz del repositorio):

    python scripts/train_checkpoint.py

La receta completa está en RECIPE, abajo; el tiempo y el equipo quedan escritos en los
metadatos del punto de control y en checkpoints/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.checkpoints import save_checkpoint  # noqa: E402
from utils.data import load_fashion_mnist, to_float  # noqa: E402
from utils.train import evaluate, get_device, train_model  # noqa: E402
from utils.vit import ViT, ViTConfig, count_parameters  # noqa: E402

RECIPE = {
    "epochs": 40,
    "batch_size": 128,
    "lr": 1.5e-3,
    "weight_decay": 0.05,
    "warmup_epochs": 2,
    "label_smoothing": 0.1,
    "use_augment": True,
    "seed": 0,
}


def main() -> None:
    parser = argparse.ArgumentParser(description="Entrena el ViT del curso y guarda el punto de control.")
    parser.add_argument("--out", default=str(ROOT / "checkpoints" / "vit_fashion_mnist.pt"))
    parser.add_argument("--epochs", type=int, default=RECIPE["epochs"])
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    recipe = dict(RECIPE, epochs=args.epochs)
    device = get_device(args.device)
    data = load_fashion_mnist()
    x_train, x_test = to_float(data.train_images), to_float(data.test_images)
    config = ViTConfig()
    model = ViT(config=config)
    print(f"Configuración: {config}; {count_parameters(model):,} parámetros; dispositivo {device}", flush=True)
    work = Path(args.out).with_suffix(".entrenando.pt")  # el bueno no se toca hasta el final
    start = time.time()
    history = train_model(
        model,
        x_train,
        data.train_labels,
        x_test,
        data.test_labels,
        device=device,
        checkpoint_path=work,
        progress=False,
        **recipe,
    )
    minutes = (time.time() - start) / 60
    _, acc = evaluate(model.cpu(), x_test, data.test_labels)
    meta = {
        "test_accuracy": acc,
        "train_minutes": round(minutes, 1),
        "hardware": f"{platform.processor() or platform.machine()}, {torch.get_num_threads()} hilos, {device}",
        "torch": torch.__version__,
        "recipe": recipe,
        "history": history.as_dict(),
        "command": "python scripts/train_checkpoint.py",
    }
    save_checkpoint(args.out, model, meta)
    work.unlink(missing_ok=True)
    print(json.dumps({k: meta[k] for k in ("test_accuracy", "train_minutes", "hardware")}, ensure_ascii=False))


if __name__ == "__main__":
    main()
