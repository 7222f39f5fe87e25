"""Entrena el ViT que el curso incluye ya entrenado (checkpoints/vit_fashion_mnist.pt).

Uso (desde la raíz del repositorio):

    python scripts/train_checkpoint.py

La receta completa está en STAGES, abajo: dos tramos seguidos, cada uno con su calentamiento y
su coseno (el segundo parte de los pesos del primero, con un optimizador nuevo; es un «reinicio
en caliente» de la tasa de aprendizaje). Quien ya tenga el resultado del primer tramo puede
saltárselo con ``--stage1 RUTA``. El tiempo y el equipo quedan escritos en los metadatos del
punto de control y en checkpoints/README.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from dataclasses import fields
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.checkpoints import load_checkpoint, save_checkpoint  # noqa: E402
from utils.data import load_fashion_mnist, to_float  # noqa: E402
from utils.train import History, cpu_name, evaluate, get_device, train_model  # noqa: E402
from utils.vit import ViT, ViTConfig, count_parameters  # noqa: E402

STAGES = [
    {
        "epochs": 40,
        "batch_size": 128,
        "lr": 1.5e-3,
        "weight_decay": 0.05,
        "warmup_epochs": 2,
        "label_smoothing": 0.1,
        "use_augment": True,
        "seed": 0,
    },
    {
        "epochs": 90,
        "batch_size": 128,
        "lr": 1e-3,
        "weight_decay": 0.05,
        "warmup_epochs": 2,
        "label_smoothing": 0.1,
        "use_augment": True,
        "seed": 1,
    },
]
COMMAND = "python scripts/train_checkpoint.py"


def main() -> None:
    parser = argparse.ArgumentParser(description="Entrena el ViT del curso y guarda el punto de control.")
    parser.add_argument("--out", default=str(ROOT / "checkpoints" / "vit_fashion_mnist.pt"))
    parser.add_argument(
        "--stage1", default=None, help="punto de control ya entrenado con el primer tramo de STAGES (se lo salta)"
    )
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--card", action="store_true", help="solo reescribir checkpoints/README.md desde --out")
    args = parser.parse_args()
    if args.card:
        write_card(Path(args.out))
        return

    torch.set_num_threads(args.threads)
    device = get_device(args.device)
    data = load_fashion_mnist()
    x_train, x_test = to_float(data.train_images), to_float(data.test_images)
    work = Path(args.out).with_suffix(".entrenando.pt")  # el bueno no se toca hasta el final
    histories, minutes, first = [], [], 0
    if args.stage1:
        model, meta1 = load_checkpoint(args.stage1)
        if meta1.get("recipe") != STAGES[0]:
            raise SystemExit(
                f"'{args.stage1}' no se entrenó con el primer tramo de STAGES (su receta es {meta1.get('recipe')}). "
                "Quita --stage1 para entrenar desde cero."
            )
        histories.append(meta1["history"])
        minutes.append(meta1["train_minutes"])
        first = 1
        print(f"Primer tramo tomado de {args.stage1}: {100 * meta1['test_accuracy']:.2f} % en prueba", flush=True)
    else:
        model = ViT(config=ViTConfig())
    print(f"Configuración: {model.config}; {count_parameters(model):,} parámetros; dispositivo {device}", flush=True)
    for i, stage in enumerate(STAGES[first:], start=first + 1):
        print(f"Tramo {i} de {len(STAGES)}: {stage}", flush=True)
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
            **stage,
        )
        minutes.append(round((time.time() - start) / 60, 1))
        histories.append(history.as_dict())
        if history.interrupted:
            raise SystemExit(f"Entrenamiento interrumpido; el último punto de control bueno está en {work}.")
    _, acc = evaluate(model.cpu(), x_test, data.test_labels)
    meta = {
        "test_accuracy": acc,
        "train_minutes": round(sum(minutes), 1),
        "stage_minutes": minutes,
        "hardware": f"{cpu_name()}, {os.cpu_count()} núcleos, {torch.get_num_threads()} hilos, {device}",
        "torch": str(torch.__version__),
        "recipe": STAGES,
        "history": join_histories(histories),
        "command": COMMAND,
    }
    save_checkpoint(args.out, model, meta)
    work.unlink(missing_ok=True)
    print(json.dumps({k: meta[k] for k in ("test_accuracy", "train_minutes", "hardware")}, ensure_ascii=False))
    write_card(Path(args.out))


def join_histories(histories: list[dict]) -> dict:
    """Une los historiales de los tramos en uno, con las épocas numeradas de seguido."""
    # Las mismas listas que History, sin repetir aquí sus nombres.
    joined: dict = {f.name: [] for f in fields(History) if f.name != "interrupted"}
    for h in histories:
        offset = len(joined["epoch"])
        joined["epoch"] += [offset + e for e in h["epoch"]]
        for k in joined:
            if k != "epoch":
                joined[k] += list(h[k])
    joined["interrupted"] = False
    return joined


def pct(x: float) -> str:
    """0.8985 → «89,85 %» (coma decimal y espacio antes del signo, como se escribe en español)."""
    return f"{100 * x:.2f} %".replace(".", ",")


def dec(x: float) -> str:
    """86.2 → «86,2» (coma decimal, como en el resto de la prosa; ver GLOSARIO.md)."""
    return f"{x:.1f}".replace(".", ",")


def write_card(path: Path) -> None:
    """Escribe checkpoints/README.md (la descripción del modelo) a partir de los metadatos del punto de control."""
    model, meta = load_checkpoint(path)
    h = meta["history"]
    rows = "\n".join(
        f"| {e} | {tl:.3f} | {pct(ta)} | {pct(va)} | {s:.0f} |"
        for e, tl, ta, va, s in zip(h["epoch"], h["train_loss"], h["train_acc"], h["test_acc"], h["seconds"])
    )
    stages = meta["recipe"] if isinstance(meta["recipe"], list) else [meta["recipe"]]
    minutes = meta.get("stage_minutes", [meta["train_minutes"]])
    recipe = "\n".join(
        f"  {i}. {stage['epochs']} épocas, {dec(m)} minutos: " + ", ".join(f"`{k}={v}`" for k, v in stage.items())
        for i, (stage, m) in enumerate(zip(stages, minutes), start=1)
    )
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    params = f"{count_parameters(model):,}".replace(",", " ")
    pending = (
        ""
        if meta["test_accuracy"] >= 0.92
        else "\n**Pendiente:** el objetivo del curso es al menos un 92 % en prueba; este punto de control no lo alcanza "
        "todavía.\n"
    )
    card = f"""# El ViT entrenado del curso

`{path.name}` es el ViT del curso (`ViTConfig()` por defecto: parches de 4×4, dimensión 64, 6 bloques,
4 cabezas, MLP de 128; {params} parámetros) entrenado en Fashion-MNIST.
{pending}

- **Exactitud en el conjunto de prueba completo (10 000 imágenes):** {pct(meta["test_accuracy"])}
- **Orden que lo entrena:** `{meta["command"]}` (desde la raíz del repositorio)
- **Receta** (`STAGES` en `scripts/train_checkpoint.py`): {len(stages)} tramos seguidos; cada uno con AdamW nuevo,
  calentamiento lineal y coseno por paso, recorte aleatorio (±2 píxeles) y volteo horizontal hechos sobre tensores
  (`utils.train.train_model`). El segundo parte de los pesos del primero: la tasa de aprendizaje vuelve a subir y
  a bajar (un reinicio en caliente), y así se aprovecha el primer tramo en vez de empezar de cero.
{recipe}
- **Tiempo de entrenamiento:** {dec(meta["train_minutes"])} minutos en total, en {meta["hardware"]} (PyTorch {meta["torch"]}).
- **SHA-256 del archivo:** `{sha}` (formato 2: dentro lleva además un SHA-256 de su configuración, sus
  metadatos y sus pesos, que `utils.checkpoints.load_checkpoint` verifica al cargar).

Se carga en la CPU con `load_checkpoint("checkpoints/{path.name}")`, sea cual sea el dispositivo que lo guardó.

## Historial por época

| época | pérdida de entrenamiento | exactitud de entrenamiento | exactitud de prueba | segundos |
|---|---|---|---|---|
{rows}
"""
    (path.parent / "README.md").write_text(card, encoding="utf-8")
    print(f"Descripción del modelo escrita en {path.parent / 'README.md'}")


if __name__ == "__main__":
    main()
