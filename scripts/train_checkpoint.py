"""Entrena el ViT que el curso incluye ya entrenado (checkpoints/vit_fashion_mnist.pt).

Uso (desde la raíz del repositorio; se puede interrumpir y volver a lanzar, sigue donde se quedó):

    nice python scripts/train_checkpoint.py >> entrenamiento.log 2>&1 &

La receta es ``utils.recipes.CHECKPOINT_CONFIG`` y ``CHECKPOINT_RECIPE``, fijada ANTES de entrenar: una sola
programación larga (calentamiento y coseno), desplazamiento, volteo y borrado aleatorio, y un ViT algo más ancho que
el del cuaderno. Se entrena con las 55 000 imágenes de la parte de entrenamiento
(``utils.data.train_val_test``) y se juzga en las 5 000 de validación, época a época. El conjunto de prueba se
mide UNA vez, al final. Cada ejecución terminada queda registrada, con su exactitud de validación, en
``benchmarks/checkpoint_runs.json``; la descripción del modelo (checkpoints/README.md) se escribe con su curva de
validación y la lista de ejecuciones.

Reanudable: al final de cada época se guarda el estado completo (pesos, optimizador, planificador, generadores y
época) en ``checkpoints/vit_fashion_mnist.estado.pt``, y cada lanzamiento apunta su máquina en
``checkpoints/vit_fashion_mnist.equipos.json`` (un entrenamiento reanudado en otra sesión puede seguir en otra CPU: la
descripción del modelo dice qué CPU entrenó cada tramo de épocas). El punto de control bueno no se toca hasta el
final, y si la pérdida se vuelve NaN o infinita el entrenamiento para sin escribirlo.

Los pasos van por ``torch.compile`` (``train_model(compile=True)``; si la compilación falla, avisa y sigue sin
compilar). En una CPU de 2 núcleos compilar acelera unas 1,5 veces el ViT pequeño de la receta rápida, pero este,
más ancho y con 50 tokens, pasa casi todo su tiempo en productos de matrices y gana poco (unas 1,1 veces medidas:
unos 3 minutos por época, unas 8 o 9 horas en total). La velocidad no es parte de la receta: un entrenamiento
reanudado con ``--sin-compilar`` sigue siendo el mismo.

``--fast`` hace lo mismo en unos segundos (pocas imágenes, una época, un ViT diminuto) y escribe en una carpeta
aparte: sirve para probar el programa, no para entrenar.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.checkpoints import load_checkpoint, save_checkpoint  # noqa: E402
from utils.data import (  # noqa: E402
    load_fashion_mnist,
    split_fingerprint,
    subset,
    to_float,
    train_val_test,
    validation_split,  # noqa: E402
)
from utils.fmt import comma, percent, thousands  # noqa: E402
from utils.recipes import CHECKPOINT_CONFIG, CHECKPOINT_RECIPE  # noqa: E402
from utils.train import History, cpu_name, evaluate, get_device, train_model  # noqa: E402
from utils.vit import ViT, count_parameters  # noqa: E402

COMMAND = "python scripts/train_checkpoint.py"
CHECKPOINT = ROOT / "checkpoints" / "vit_fashion_mnist.pt"
RUNS = ROOT / "benchmarks" / "checkpoint_runs.json"
FAST_EPOCHS = 1  # épocas de la prueba rápida (--fast)

# La receta del punto de control de la PRIMERA edición (el que sigue incluido mientras no haya uno nuevo): dos
# tramos seguidos, con las 60 000 imágenes de entrenamiento y evaluado en prueba en cada época. El segundo tramo
# se añadió después de ver la exactitud en prueba del primero: sus épocas se eligieron mirando la prueba.
FIRST_EDITION_STAGES = [
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
STAGES = FIRST_EDITION_STAGES  # nombre antiguo
FIRST_EDITION_COMMAND = COMMAND


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Entrena el ViT del curso y guarda el punto de control.")
    parser.add_argument("--out", default=str(CHECKPOINT))
    parser.add_argument("--runs", default=str(RUNS), help="archivo donde se registra cada ejecución")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="prueba del programa en segundos (no entrena de verdad)")
    parser.add_argument("--card", action="store_true", help="solo reescribir la descripción (README.md) desde --out")
    parser.add_argument(
        "--sin-compilar",
        action="store_true",
        help="sin torch.compile (algo más lento; la receta es la misma)",
    )
    args = parser.parse_args(argv)
    out, runs = Path(args.out), Path(args.runs)
    if args.fast and out == CHECKPOINT:  # la prueba rápida nunca escribe sobre el punto de control del curso
        import tempfile

        folder = Path(tempfile.mkdtemp(prefix="vit_rapido_"))
        out, runs = folder / "vit_rapido.pt", folder / "ejecuciones.json"
    if args.card:
        write_card(out, runs)
        return 0

    torch.set_num_threads(args.threads)
    device = get_device(args.device)
    data = load_fashion_mnist()
    split = train_val_test(data)
    config, recipe = CHECKPOINT_CONFIG, dict(CHECKPOINT_RECIPE)
    x_train, y_train = split.train_images, split.train_labels
    x_val, y_val, x_test, y_test = split.val_images, split.val_labels, split.test_images, split.test_labels
    if args.fast:
        config = replace(config, dim=32, depth=1, num_heads=2, mlp_dim=32)
        recipe.update(epochs=FAST_EPOCHS, batch_size=32, warmup_epochs=0.5)
        x_train, y_train = subset(x_train, y_train, 256)
        x_val, y_val = subset(x_val, y_val, 200)
        x_test, y_test = subset(x_test, y_test, 200)
    x_train, x_val, x_test = to_float(x_train), to_float(x_val), to_float(x_test)
    state = out.with_name(out.stem + ".estado.pt")
    hardware = f"{cpu_name()}, {os.cpu_count()} núcleos, {args.threads} hilos, {device}"
    machines = note_machine(out, state, hardware)

    torch.manual_seed(recipe["seed"])
    model = ViT(config=config)
    print(f"Configuración: {config}; {thousands(count_parameters(model))} parámetros; dispositivo {device}", flush=True)
    print(f"Receta: {recipe}; {len(y_train)} imágenes de entrenamiento, {len(y_val)} de validación", flush=True)
    start = time.time()
    compiled = not (args.sin_compilar or args.fast)  # la velocidad no cambia la receta; --fast no paga la compilación
    history = train_model(
        model,
        x_train,
        y_train,
        x_val,
        y_val,
        device=device,
        state_path=state,
        progress=False,
        compile=compiled,
        **recipe,
    )
    if history.interrupted:
        print(f"Interrumpido. Vuelve a lanzar la misma orden para seguir desde '{state}'.")
        return 1
    minutes = round((time.time() - start) / 60, 1)
    minutes_total = round(sum(history.seconds) / 60, 1)  # también las épocas de ejecuciones anteriores, si se reanudó
    _, test_acc = evaluate(model.cpu(), x_test, y_test)  # la ÚNICA medida en prueba
    _, val_idx = validation_split(data.train_labels)
    meta = {
        "test_accuracy": test_acc,
        "val_accuracy": history.val_acc[-1],
        "train_minutes": minutes_total,
        "hardware": describe_machines(machines, len(history.epoch)),
        "machines": machines,
        "torch": str(torch.__version__),
        "recipe": recipe,
        "train_images": len(y_train),
        "val_images": len(y_val),
        "split_sha256": split_fingerprint(val_idx),
        "history": {k: v for k, v in history.as_dict().items() if k != "step_loss"},
        "command": COMMAND,
        "fast_mode": args.fast,
        "compiled": compiled,
    }
    save_checkpoint(out, model, meta)
    state.unlink(missing_ok=True)
    machines_path(out).unlink(missing_ok=True)  # ya está en los metadatos
    record_run(runs, meta, config.to_dict(), minutes)
    print(json.dumps({k: meta[k] for k in ("val_accuracy", "test_accuracy", "train_minutes")}, ensure_ascii=False))
    write_card(out, runs)
    return 0


def machines_path(out: Path) -> Path:
    """El registro de las máquinas de cada lanzamiento, junto al estado (una ejecución reanudada puede cambiar de CPU)."""
    return out.with_name(out.stem + ".equipos.json")


def note_machine(out: Path, state: Path, hardware: str) -> list[dict]:
    """Apunta en qué máquina sigue el entrenamiento y desde qué época; devuelve la lista de lanzamientos.

    Sin estado guardado, el entrenamiento empieza de cero y la lista también. Los minutos de un entrenamiento largo
    se suman de varias sesiones, quizá en CPU distintas: la descripción del modelo dice cuál entrenó cada tramo.
    """
    path = machines_path(out)
    first = 1
    if state.exists():
        first = int(torch.load(state, map_location="cpu", weights_only=False).get("epoch", 0)) + 1
    entries = json.loads(path.read_text(encoding="utf-8")) if state.exists() and path.exists() else []
    entries.append({"desde_epoca": first, "equipo": hardware, "fecha": dt.datetime.now().isoformat(timespec="seconds")})
    path.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return entries


def describe_machines(machines: list[dict], epochs: int) -> str:
    """«CPU A (épocas 1–40); CPU B (épocas 41–150)», uniendo los lanzamientos seguidos en la misma máquina."""
    spans: list[list] = []  # [equipo, primera época, última época]
    starts = [m["desde_epoca"] for m in machines[1:]] + [epochs + 1]
    for m, nxt in zip(machines, starts):
        if nxt <= m["desde_epoca"]:
            continue  # un lanzamiento que no terminó ninguna época
        if spans and spans[-1][0] == m["equipo"]:
            spans[-1][2] = nxt - 1
        else:
            spans.append([m["equipo"], m["desde_epoca"], nxt - 1])
    if len(spans) <= 1:
        return spans[0][0] if spans else machines[-1]["equipo"]
    return "; ".join(f"{name} (épocas {a}–{b})" for name, a, b in spans)


def record_run(runs: Path, meta: dict, config: dict, minutes_this_run: float) -> None:
    """Añade una ejecución terminada a ``runs`` (JSON): receta, validación por época, prueba al final y tiempo."""
    entries = json.loads(runs.read_text(encoding="utf-8")) if runs.exists() else []
    entries.append(
        {
            "fecha": dt.datetime.now().isoformat(timespec="seconds"),
            "config": config,
            "receta": meta["recipe"],
            "exactitud_validacion_por_epoca": [round(a, 4) for a in meta["history"]["val_acc"]],
            "exactitud_validacion": round(meta["val_accuracy"], 4),
            "exactitud_prueba": round(meta["test_accuracy"], 4),
            "minutos": meta["train_minutes"],
            "minutos_de_esta_ejecucion": minutes_this_run,
            "equipo": meta["hardware"],
            "huella_particion": meta["split_sha256"],
            "orden": meta["command"] + (" --fast" if meta["fast_mode"] else ""),
            "modo_rapido": meta["fast_mode"],
        }
    )
    runs.parent.mkdir(parents=True, exist_ok=True)
    runs.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def join_histories(histories: list[dict]) -> dict:
    """Une los historiales de los tramos en uno, con las épocas numeradas de seguido (primera edición)."""
    names = [f.name for f in fields(History) if f.name != "interrupted"]
    joined: dict = {name: [] for name in names}
    for h in histories:
        offset = len(joined["epoch"])
        joined["epoch"] += [offset + e for e in h["epoch"]]
        for k in joined:
            if k != "epoch":
                joined[k] += list(h.get(k, []))
    # Los historiales de la primera edición se evaluaban en prueba (test_*): se conservan con su nombre.
    for k in ("test_loss", "test_acc"):
        if any(k in h for h in histories):
            joined[k] = [v for h in histories for v in h.get(k, [])]
    joined["interrupted"] = False
    return {k: v for k, v in joined.items() if v != [] or k in ("epoch",)}


def _runs_table(runs: Path) -> str:
    entries = json.loads(runs.read_text(encoding="utf-8")) if runs.exists() else []
    if not entries:
        return "Todavía no hay ninguna ejecución registrada."
    rows = ["| fecha | orden | épocas | validación | prueba | minutos |", "|---|---|---:|---:|---:|---:|"]
    for e in entries:
        val, test, minutes = (e.get(k) for k in ("exactitud_validacion", "exactitud_prueba", "minutos"))
        epochs = e["receta"].get("epochs", "—")
        if e.get("interrumpida"):  # una ejecución que no terminó: hasta dónde llegó, y sin prueba
            epochs = f"{e['epocas_hechas']} de {epochs}"
        rows.append(
            f"| {e['fecha']} | `{e['orden']}` | {epochs} | {percent(val) if val is not None else '—'} | "
            f"{percent(test) if test is not None else '—'} | {comma(minutes, 1) if minutes is not None else '—'} |"
        )
    notes = [f"- {e['fecha']}: {e['nota']}" for e in entries if e.get("nota")]
    return "\n".join(rows + ([""] + notes if notes else []))


def write_card(path: Path, runs: Path = RUNS) -> None:
    """Escribe la descripción del modelo (README.md junto a ``path``) a partir de sus metadatos.

    Para un punto de control de la segunda edición (con validación) escribe su curva de validación y la lista de
    ejecuciones; para el de la primera edición, su historial en prueba y por qué eso es un problema.
    """
    model, meta = load_checkpoint(path)
    h = meta["history"]
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    params = thousands(count_parameters(model))
    c = model.config
    arch = (
        f"parches de {c.patch_size}×{c.patch_size}, dimensión {c.dim}, {c.depth} bloques, {c.num_heads} cabezas, "
        f"MLP de {c.mlp_dim}; {params} parámetros"
    )
    if "val_acc" in h and h["val_acc"]:
        rows = "\n".join(
            f"| {e} | {comma(tl, 3)} | {percent(ta)} | {percent(va)} | {s:.0f} |"
            for e, tl, ta, va, s in zip(h["epoch"], h["train_loss"], h["train_acc"], h["val_acc"], h["seconds"])
        )
        recipe = ", ".join(f"`{k}={v}`" for k, v in meta["recipe"].items())
        pending = (
            "" if meta["test_accuracy"] >= 0.93 else "\n**Pendiente:** el objetivo es al menos un 93 % en prueba.\n"
        )
        figure = save_curve_figure(path, h, meta["recipe"]["label_smoothing"])
        median_epoch = statistics.median(h["seconds"])
        body = f"""- **Exactitud en validación ({thousands(meta["val_images"])} imágenes, al final):** {percent(meta["val_accuracy"])}
- **Exactitud en prueba (10 000 imágenes), medida una sola vez al final:** {percent(meta["test_accuracy"])}
- **Datos:** {thousands(meta["train_images"])} imágenes de entrenamiento y {thousands(meta["val_images"])} de validación
  (`utils.data.train_val_test`; huella de la partición `{meta["split_sha256"][:16]}…`).
- **Orden que lo entrena:** `{meta["command"]}` (desde la raíz del repositorio; reanudable)
- **Receta** (`utils.recipes.CHECKPOINT_RECIPE`, fijada antes de entrenar): {recipe}
- **Tiempo de entrenamiento:** {comma(meta["train_minutes"], 1)} minutos, en {meta["hardware"]} (PyTorch {meta["torch"]});
  la mediana de una época, {median_epoch:.0f} s (la suma incluye las épocas en que la CPU se compartió con otros
  trabajos; la mediana, no).
{pending}
## Ejecuciones registradas (`benchmarks/checkpoint_runs.json`)

{_runs_table(runs)}

## Curva de validación

![Curvas de entrenamiento y de validación por época]({figure.name})

| época | pérdida de entrenamiento | exactitud de entrenamiento | exactitud de validación | segundos |
|---|---|---|---|---|
{rows}
"""
    else:
        rows = "\n".join(
            f"| {e} | {comma(tl, 3)} | {percent(ta)} | {percent(va)} | {s:.0f} |"
            for e, tl, ta, va, s in zip(h["epoch"], h["train_loss"], h["train_acc"], h["test_acc"], h["seconds"])
        )
        stages = meta["recipe"] if isinstance(meta["recipe"], list) else [meta["recipe"]]
        minutes = meta.get("stage_minutes", [meta["train_minutes"]])
        recipe = "\n".join(
            f"  {i}. {st['epochs']} épocas, {comma(m, 1)} minutos: " + ", ".join(f"`{k}={v}`" for k, v in st.items())
            for i, (st, m) in enumerate(zip(stages, minutes), start=1)
        )
        body = f"""**Primera edición: sus épocas se eligieron mirando el conjunto de prueba.** Se entrenó con las 60 000
imágenes de entrenamiento (sin parte de validación), se evaluó en prueba en cada época y el segundo tramo se añadió
después de ver la exactitud en prueba del primero. Su cifra en prueba es, por tanto, algo optimista: es la lección
del cuaderno 05. La receta de la segunda edición (`utils.recipes.CHECKPOINT_RECIPE`, validación aparte, prueba una
sola vez) se entrena con `scripts/train_checkpoint.py` y sustituirá a este archivo cuando termine.

- **Exactitud en el conjunto de prueba completo (10 000 imágenes):** {percent(meta["test_accuracy"])}
- **Receta:** {len(stages)} tramos seguidos; cada uno con AdamW nuevo, calentamiento lineal y coseno por paso,
  recorte aleatorio (±2 píxeles) y volteo horizontal hechos sobre tensores (`utils.train.train_model`):
{recipe}
- **Tiempo de entrenamiento:** {comma(meta["train_minutes"], 1)} minutos en total, en {meta["hardware"]} (PyTorch {meta["torch"]}).

## Historial por época (evaluado en prueba, como se hacía en la primera edición)

| época | pérdida de entrenamiento | exactitud de entrenamiento | exactitud de prueba | segundos |
|---|---|---|---|---|
{rows}
"""
    card = f"""# El ViT entrenado del curso

`{path.name}` es un ViT del curso ({arch}) entrenado en Fashion-MNIST.
- **SHA-256 del archivo:** `{sha}` (los pesos llevan además su propio SHA-256, que
  `utils.checkpoints.load_checkpoint` verifica al cargar).

Se carga en la CPU con `load_checkpoint("checkpoints/{path.name}")`, sea cual sea el dispositivo que lo guardó.

{body}"""
    (path.parent / "README.md").write_text(card, encoding="utf-8")
    print(f"Descripción del modelo escrita en {path.parent / 'README.md'}")


def save_curve_figure(path: Path, history: dict, label_smoothing: float) -> Path:
    """Las curvas por época (``utils.plots.plot_training_curves``) en un PNG junto al punto de control."""
    import matplotlib

    matplotlib.use("Agg")  # sin pantalla: la orden corre en segundo plano
    import matplotlib.pyplot as plt

    from utils.plots import plot_training_curves

    fig = plot_training_curves(history, label_smoothing, title=f"{path.name}: entrenamiento y validación por época")
    out = path.with_name(f"{path.stem}_curvas.png")
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


if __name__ == "__main__":
    sys.exit(main())
