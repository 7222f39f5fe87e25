"""Entrenar con un presupuesto de tiempo que se cumple en cualquier máquina, y guardar lo medido.

Dos CPU de 2 núcleos pueden diferir 1,6 veces o más en velocidad: un número fijo de épocas no es una receta de
«5 minutos». :func:`plan_epochs` mide primero el rendimiento de esta máquina con unos pocos pasos y fija con él
las épocas (y, con ellas, la programación de la tasa de aprendizaje: calentamiento y coseno hasta el final) para
caber en el presupuesto; :func:`budgeted_run` entrena y mide en validación. :class:`ResultsFile` guarda cada
resultado en un JSON del repositorio en cuanto termina, de modo que un barrido interrumpido se reanuda donde quedó.
Los usan ``scripts/sweep_variants.py`` y ``scripts/scaling.py``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import math
import os
import platform
import random
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from .fmt import comma, thousands
from .recipes import FAST_EPOCHS, QUICK_CONFIG, QUICK_RECIPE, QUICK_TIME_BUDGET_S
from .train import cpu_name, evaluate, seed_everything, train_model

# Un entrenamiento cuenta como «dentro del presupuesto» si no pasa de este factor: el tiempo de una misma receta varía
# de una ejecución a otra en la misma máquina (en una máquina virtual, varios puntos).
BUDGET_MARGIN = 1.05


def hardware() -> dict:
    """El equipo en que se mide: procesador, núcleos, hilos de PyTorch, versiones y carga media."""
    try:
        load = [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        load = None
    return {
        "cpu": cpu_name(),
        "nucleos_logicos": os.cpu_count(),
        "hilos_torch": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "carga_media": load,
    }


def plan_epochs(
    model: torch.nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    budget_s: float,
    *,
    batch_size: int = 128,
    n_eval: int = 0,
    max_epochs: int = 100,
    probe_steps: int = 20,
    use_augment: bool = False,
) -> dict:
    """Mide el rendimiento de ``model`` en esta máquina y elige cuántas épocas caben en ``budget_s`` segundos.

    Se mide con el mismo código que va a entrenar: tras una primera medida que se descarta (en un proceso recién
    arrancado, las primeras épocas van más lentas), tres veces ``train_model`` (sobre una copia del modelo) durante
    ``probe_steps`` pasos, y la mediana, para que una ráfaga rápida o lenta de la CPU no decida sola; la evaluación
    de validación se cronometra aparte, sobre unas imágenes. Una medida con otro bucle (por ejemplo,
    :func:`utils.recipes.measure_train_throughput`) puede diferir un 20 % o más en una CPU.

    Returns:
        Un ``dict`` con las imágenes por segundo medidas, las épocas elegidas, los segundos estimados y el porqué.
    """
    probe = max(2, min(probe_steps, len(labels) // batch_size))
    short = max(1, probe // 4)

    def run(steps: int) -> float:
        n = min(len(labels), steps * batch_size)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):  # sin la línea de resumen de la época
            train_model(
                copy.deepcopy(model), images[:n], labels[:n], epochs=1, batch_size=min(batch_size, n),
                progress=False, use_augment=use_augment, seed=0,
            )  # fmt: skip
        return time.perf_counter() - start

    # La diferencia entre una época de `probe` pasos y una de `short` descuenta lo que cuesta empezar (copiar el
    # modelo, crear el optimizador, el primer paso), que en una época de verdad no pesa.
    rng = (random.getstate(), np.random.get_state(), torch.get_rng_state())  # train_model siembra
    run(probe)  # se descarta: en un proceso recién arrancado, las primeras épocas van más lentas
    per_step = sorted((run(probe) - run(short)) / (probe - short) for _ in range(3))[1]
    random.setstate(rng[0]), np.random.set_state(rng[1]), torch.set_rng_state(rng[2])  # el azar, como estaba
    ips = batch_size / max(per_step, 1e-9) if len(labels) >= batch_size else len(labels) / run(1)
    eval_seconds = 0.0
    if n_eval:
        k = min(n_eval, 1024, len(labels))
        start = time.perf_counter()
        evaluate(copy.deepcopy(model), images[:k], labels[:k])  # en una copia: evaluate deja el modelo en eval()
        eval_seconds = (time.perf_counter() - start) * n_eval / k
    per_epoch = 1.03 * (len(labels) / ips + eval_seconds)  # un 3 % de margen
    fit = max(1, math.floor(budget_s / per_epoch))
    epochs = min(fit, max_epochs)
    n_train, n_val, speed = (thousands(n) for n in (len(labels), n_eval, ips))
    budget = comma(budget_s, 0) if budget_s >= 10 else comma(budget_s)  # «193 s», no «192,857 s»
    why = (
        f"{speed} imágenes/s (mediana de 3 medidas de {probe} pasos de train_model): una época de {n_train} imágenes "
        f"(y {n_val} de validación) cuesta unos {comma(per_epoch, 1)} s"
    )
    if per_epoch > budget_s:
        why += (
            f", más que los {budget} s del presupuesto: no cabe ni una y se hace 1, el mínimo (tardará unos "
            f"{per_epoch:.0f} s; para caber, usa menos imágenes o más presupuesto)."
        )
    else:
        why += f", así que caben {fit} en {budget} s"
        why += f"; se usan {epochs} (el máximo es {max_epochs})." if fit > max_epochs else "."
    return {
        "imagenes_por_segundo": round(ips, 1),
        "pasos_medidos": probe,
        "epocas": epochs,
        "segundos_estimados": round(epochs * per_epoch, 1),
        "por_que": why,
    }


def quick_recipe_for_budget(
    images: torch.Tensor, labels: torch.Tensor, n_eval: int = 0, budget_s: float = QUICK_TIME_BUDGET_S
) -> tuple[dict, dict]:
    """La receta rápida que cabe en ``budget_s`` segundos (5 minutos) en esta máquina: ``(receta, plan)``.

    Dos CPU de 2 núcleos pueden diferir 1,6 veces o más, así que un número fijo de épocas no es una receta de
    5 minutos. Se mide el ViT de ``QUICK_CONFIG`` con unos pasos (:func:`plan_epochs`) y se ponen en
    ``QUICK_RECIPE`` las épocas que caben; el calentamiento y el coseno se ajustan a ellas. En el modo rápido de
    la integración continua se entrenan ``FAST_EPOCHS`` épocas, como con :func:`utils.recipes.quick_recipe`, y el
    plan se mide igual.
    """
    from .train import is_fast_mode
    from .vit import ViT

    plan = plan_epochs(
        ViT(config=QUICK_CONFIG), images, labels, budget_s, batch_size=QUICK_RECIPE["batch_size"], n_eval=n_eval
    )
    return {**QUICK_RECIPE, "epochs": FAST_EPOCHS if is_fast_mode() else plan["epocas"]}, plan


def budgeted_run(
    make_model,
    train: tuple[torch.Tensor, torch.Tensor],
    val: tuple[torch.Tensor, torch.Tensor],
    recipe: dict,
    budget_s: float,
    seed: int,
    max_epochs: int = 100,
    save_to: str | os.PathLike | None = None,
    verbose: bool = True,
) -> dict:
    """Construye el modelo con la semilla ``seed``, planifica sus épocas, lo entrena y lo mide en validación.

    ``make_model()`` construye el modelo; ``recipe`` son los argumentos de :func:`utils.train.train_model` (sin
    ``epochs`` ni ``seed``, que se fijan aquí). El conjunto de prueba no se usa. Con ``save_to``, los pesos
    entrenados se guardan en ese archivo (con :func:`utils.checkpoints.save_checkpoint`), para medir en prueba,
    más tarde y una sola vez, el modelo que se elija en validación. Con ``verbose=False`` no se imprime la línea
    de resumen de cada época (para un cuaderno que entrena varios modelos seguidos).
    """
    seed_everything(seed)
    model = make_model()
    recipe = {k: v for k, v in recipe.items() if k not in ("epochs", "seed")}
    plan = plan_epochs(
        model, *train, budget_s, batch_size=recipe.get("batch_size", 128), n_eval=len(val[1]),
        max_epochs=max_epochs, use_augment=recipe.get("use_augment", False),
    )  # fmt: skip
    start = time.perf_counter()
    with contextlib.nullcontext() if verbose else contextlib.redirect_stdout(io.StringIO()):
        history = train_model(
            model, *train, *val, epochs=plan["epocas"], seed=seed, device="cpu", progress=False,
            time_budget_s=1.5 * budget_s, **recipe,
        )  # fmt: skip
    seconds = time.perf_counter() - start
    _, val_acc = evaluate(model, *val)
    if save_to is not None:
        from .checkpoints import save_checkpoint

        save_checkpoint(save_to, model, {"semilla": seed, "exactitud_validacion": round(val_acc, 4)})
    return {
        "semilla": seed,
        "plan": plan,
        "epocas_hechas": len(history.epoch),
        "exactitud_validacion": round(val_acc, 4),
        "exactitud_validacion_por_epoca": [round(a, 4) for a in history.val_acc],
        "segundos": round(seconds, 1),
        "minutos": round(seconds / 60, 2),
        "dentro_del_presupuesto": seconds <= budget_s * BUDGET_MARGIN,
        "fecha": dt.datetime.now().isoformat(timespec="seconds"),
    }


class ResultsFile:
    """Un JSON de resultados que se reescribe (de forma atómica) tras cada ejecución: reanudable.

    Cada ejecución se guarda con una clave (p. ej. ``"sincos|semilla=1"``); :meth:`has` dice si ya está hecha con
    el mismo presupuesto, para saltarla al reanudar.
    """

    def __init__(self, path: str | os.PathLike, header: dict):
        self.path = Path(path)
        self.data = json.loads(self.path.read_text(encoding="utf-8")) if self.path.is_file() else {}
        self.data.update(header)
        self.data.setdefault("ejecuciones", {})

    def has(self, key: str, budget_s: float) -> bool:
        run = self.data["ejecuciones"].get(key)
        return run is not None and math.isclose(run.get("presupuesto_s", -1), budget_s)

    def add(self, key: str, result: dict) -> None:
        self.data["ejecuciones"][key] = result
        self.data["equipo"] = hardware()
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.data, f, ensure_ascii=False, indent=1)
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.path)


def summarize(runs: list[dict]) -> dict:
    """Media, desviación estándar, mínimo y máximo de la exactitud en validación de varias semillas."""
    accs = torch.tensor([r["exactitud_validacion"] for r in runs], dtype=torch.float64)
    return {
        "semillas": len(runs),
        "media": round(accs.mean().item(), 4),
        "desviacion": round(accs.std().item(), 4) if len(runs) > 1 else 0.0,
        "minimo": round(accs.min().item(), 4),
        "maximo": round(accs.max().item(), 4),
        "minutos_medios": round(sum(r["minutos"] for r in runs) / len(runs), 2),
    }
