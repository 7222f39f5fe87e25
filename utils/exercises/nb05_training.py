"""Correctores del cuaderno 05 (entrenamiento).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`. Los que
dependen de un modelo no se fían de lo que diga el estudiante: vuelven a calcular con el modelo y los datos.

Niveles: 05-1 fácil (tasa de aprendizaje en un paso), 05-2 fácil (exactitud desde los logits), 05-3 fácil
(cambia el lote y predice los pasos), 05-4 media (pareja más confundida de la CNN), 05-5 difícil / abierta
(supera la receta rápida en validación con el mismo presupuesto).
"""

from __future__ import annotations

import itertools
import math

import torch

from ..budget import BUDGET_MARGIN
from ..fmt import comma, percent, thousands
from .core import as_float, as_int, call_student, class_index, report

# Datos del ejercicio de la tasa de aprendizaje (el cuaderno 05 los repite en el enunciado).
LR_EXERCISE = {"base_lr": 2e-3, "total_steps": 4680, "warmup_steps": 468, "step": 1000}


def check_lr_at_step(answer) -> bool:
    """Ejercicio 05-1: la tasa de aprendizaje en el paso 1000 con calentamiento y coseno (ver ``LR_EXERCISE``)."""
    from ..train import warmup_cosine

    e = LR_EXERCISE
    factor = warmup_cosine(e["step"], e["total_steps"], e["warmup_steps"])
    expected = e["base_lr"] * factor
    value = as_float(answer)
    if value is None:
        return report(False, "", "Escribe un número: la tasa de aprendizaje en el paso 1000 (algo como 0.00195).")
    if math.isclose(value, expected, rel_tol=1e-4):
        return report(
            True,
            f"En el paso {e['step']} la tasa de aprendizaje es {comma(expected, 6)} ({percent(factor, 1)} de la tasa base).",
            "",
        )
    if math.isclose(value, factor, rel_tol=1e-4):
        hint = "eso es el factor de warmup_cosine; multiplícalo por la tasa base (2e-3)."
    elif math.isclose(value, e["base_lr"], rel_tol=1e-4):
        hint = "esa es la tasa base; en el paso 1000 el coseno ya ha empezado a bajarla."
    else:
        progress = (e["step"] - e["warmup_steps"]) / (e["total_steps"] - e["warmup_steps"])
        no_min = e["base_lr"] * 0.5 * (1 + math.cos(math.pi * progress))
        if math.isclose(value, no_min, rel_tol=1e-4):
            hint = "casi: el coseno no baja hasta 0 sino hasta min_factor = 0.01 de la tasa base."
        else:
            hint = (
                "el progreso del coseno se cuenta desde el final del calentamiento: "
                "(paso − calentamiento) / (total − calentamiento)."
            )
    return report(False, "", f"Tu valor es {comma(value)}; {hint}")


def check_accuracy_from_logits(answer, logits: torch.Tensor, labels: torch.Tensor) -> bool:
    """Ejercicio 05-2: la exactitud (fracción entre 0 y 1) a partir de los logits y las etiquetas."""
    expected = (logits.argmax(1) == labels).float().mean().item()
    value = as_float(answer)
    if value is None:
        return report(False, "", "Escribe un número entre 0 y 1 (por ejemplo con .item()).")
    if math.isclose(value, expected, abs_tol=1e-6):
        return report(True, f"La exactitud es {percent(expected)}.", "")
    if math.isclose(value, 100 * expected, abs_tol=1e-4):
        return report(False, "", "Eso es un porcentaje: la exactitud se da como fracción entre 0 y 1.")
    if math.isclose(value, (logits.argmax(1) == labels).sum().item(), abs_tol=1e-6):
        return report(False, "", "Eso es el número de aciertos; divide entre el número de ejemplos.")
    wrong_dim = (logits.argmax(0)[: len(labels)] == labels[: len(logits.argmax(0))]).float().mean().item()
    hint = (
        " ¿Tomaste argmax sobre la dimensión 0? Las clases están en la dimensión 1."
        if math.isclose(value, wrong_dim, abs_tol=1e-6)
        else " La clase predicha es el argmax de los logits en la dimensión 1."
    )
    return report(False, "", f"Tu valor es {comma(value, 4)}.{hint}")


def check_steps_prediction(answer, n_train: int, batch_size: int, epochs: int, warmup_epochs: float) -> bool:
    """Ejercicio 05-3: predecir (pasos en total, pasos de calentamiento) de ``train_model`` antes de ejecutarlo."""
    steps = n_train // batch_size
    expected = (epochs * steps, max(1, int(warmup_epochs * steps)))
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return report(False, "", "Escribe una tupla de dos enteros: (pasos en total, pasos de calentamiento).")
    got = tuple(as_int(a) for a in answer)
    if None in got:
        return report(False, "", "Los dos valores deben ser números enteros (sin NaN ni decimales).")
    if got == expected:
        return report(
            True,
            f"{thousands(expected[0])} pasos, {thousands(expected[1])} de calentamiento: coincide con len(history.lr).",
            "",
        )
    if got == expected[::-1]:
        return report(False, "", "Has dado los dos números al revés: primero el total, después el calentamiento.")
    if got[0] == epochs * math.ceil(n_train / batch_size) or got[0] == epochs * n_train / batch_size:
        return report(
            False, "", "Casi: train_model descarta el último lote incompleto (drop_last), usa la división entera."
        )
    return report(
        False, "", "Cuenta los lotes completos de una época (n // batch_size), multiplica por las épocas y aplica "
        "warmup_epochs a los lotes de una época."
    )  # fmt: skip


def _predictions(model, images) -> torch.Tensor | None:
    """Las clases que predice ``model`` (en modo evaluación, sin gradientes), o ``None`` si no se puede."""
    if not isinstance(model, torch.nn.Module) or not isinstance(images, torch.Tensor):
        return None
    was_training = model.training
    try:
        model.eval()
        weight = next(itertools.chain(model.parameters(), model.buffers()), None)  # sin copiar la lista entera
        device = weight.device if weight is not None else images.device  # entrenado en la GPU, se evalúa allí
        with torch.no_grad():
            logits = torch.cat([model(images[i : i + 1000].to(device)).cpu() for i in range(0, len(images), 1000)])
    except Exception:
        return None
    finally:
        model.train(was_training)
    if logits.ndim != 2 or not torch.isfinite(logits).all():
        return None
    return logits.argmax(1)


def check_most_confused_pair(answer, model, images: torch.Tensor, labels: torch.Tensor, classes=None) -> bool:
    """Ejercicio 05-4: la pareja (clase verdadera, clase predicha) más confundida de ``model`` en ``images``.

    El corrector calcula él mismo las predicciones y la matriz de confusión (no se fía de la del estudiante).
    """
    from ..data import CLASSES

    classes = list(classes or CLASSES)
    preds = _predictions(model, images)
    if preds is None:
        return report(False, "", "Pasa el modelo entrenado (la CNN) y las imágenes de validación, como en la celda.")
    k = len(classes)
    cm = torch.bincount(labels.long() * k + preds.long().clamp(0, k - 1), minlength=k * k).reshape(k, k)
    off = cm.clone()
    off.fill_diagonal_(-1)
    true, pred = divmod(int(off.argmax()), k)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return report(False, "", "Escribe una tupla (clase verdadera, clase predicha), con índices o nombres.")
    got = tuple(class_index(a, classes) for a in answer)
    if None in got:
        return report(False, "", f"No reconozco {answer!r}: usa índices 0-{k - 1} o nombres de CLASSES.")
    if got == (true, pred):
        return report(
            True,
            f"La confusión más frecuente: {int(cm[true, pred])} imágenes de «{classes[true]}» "
            f"clasificadas como «{classes[pred]}».",
            "",
        )
    if got == (pred, true):
        return report(
            False, "", "Has dado la pareja al revés: las filas son la clase verdadera y las columnas la predicha."
        )
    if got[0] == got[1]:
        return report(False, "", "Esa celda está en la diagonal (aciertos); busca fuera de la diagonal.")
    return report(
        False,
        "",
        "Esa no es la pareja más frecuente de este modelo. Calcula su matriz con confusion_matrix(etiquetas, "
        "predicciones), pon la diagonal a un valor pequeño (fill_diagonal_) y busca el máximo con argmax; "
        "divmod(índice, 10) da (fila, columna).",
    )


def check_beats_quick_recipe(train_fn, baseline_acc, images: torch.Tensor, labels: torch.Tensor, budget_s=300) -> bool:
    """Ejercicio 05-5 (difícil, abierto): ¿tu receta supera a la rápida en validación sin pasarse del presupuesto?

    ``train_fn`` es una función sin argumentos que entrena tu modelo y lo devuelve. El corrector la llama, mide él
    mismo cuánto tarda y evalúa el modelo en validación (``images``, ``labels``): no se fía de cifras escritas.
    """
    import time

    base, budget = as_float(baseline_acc), as_float(budget_s)
    if base is None or not 0 <= base <= 1 or budget is None or budget <= 0:
        return report(False, "", "Pasa la exactitud de validación de la receta rápida (entre 0 y 1) y un presupuesto.")
    if train_fn is None or not callable(train_fn) or isinstance(train_fn, torch.nn.Module):
        return report(
            False, "", "Pasa una función sin argumentos que entrene tu modelo y lo devuelva (sin llamarla: sin paréntesis)."
        )  # fmt: skip
    start = time.perf_counter()
    model, error = call_student(train_fn)
    seconds = time.perf_counter() - start
    if error:
        return report(False, "", error)
    preds = _predictions(model, images)
    if preds is None:
        return report(False, "", "Tu función debe devolver el modelo entrenado, con salidas finitas (sin NaN).")
    acc = (preds == labels).float().mean().item()
    if seconds > BUDGET_MARGIN * budget:  # el margen de utils.budget.plan_epochs: el tiempo varía de una vez a otra
        return report(
            False,
            "",
            f"Tu entrenamiento tardó {seconds:.0f} s y el presupuesto es de {budget:.0f} s (con un margen del 5 %, "
            f"{BUDGET_MARGIN * budget:.0f} s). Deja algo de holgura: planifica para un 80 o 90 % del presupuesto.",
        )
    if acc <= base:
        return report(
            False,
            "",
            f"{percent(acc)} en validación no supera el {percent(base)} de la receta rápida. Prueba otra combinación "
            "(parches, ancho, épocas, tasa de aprendizaje).",
        )
    return report(
        True, f"{percent(acc)} en validación en {seconds:.0f} s supera el {percent(base)} de la receta rápida.", ""
    )


# --- Cuaderno 05b (entrenamiento a fondo) ---------------------------------------------------------


def _smoothed_entropy(eps: float, k: int = 10) -> float:
    q = [1 - eps + eps / k] + [eps / k] * (k - 1)
    return -sum(p * math.log(p) for p in q if p > 0)


def check_smoothing_floor(answer, eps: float = 0.2, num_classes: int = 10) -> bool:
    """Ejercicio 05b-1 (fácil): la pérdida mínima posible con suavizado de etiquetas ``eps`` y ``num_classes`` clases."""
    expected = _smoothed_entropy(eps, num_classes)
    value = as_float(answer)
    if value is None:
        return report(False, "", "Escribe un número finito: la pérdida mínima (en nats, con logaritmo natural).")
    if math.isclose(value, expected, rel_tol=1e-3):
        return report(
            True,
            f"Con ε = {comma(eps)} la pérdida no baja de {comma(expected, 3)}: la entropía del objetivo suavizado.",
            "",
        )
    if math.isclose(value, expected / math.log(2), rel_tol=1e-3):
        return report(False, "", "Eso está en bits (log en base 2); PyTorch usa el logaritmo natural.")
    if math.isclose(value, _smoothed_entropy(0.1, num_classes), rel_tol=1e-3):
        return report(False, "", "Ese es el mínimo con ε = 0,1, el de la receta; aquí ε vale 0,2.")
    if math.isclose(value, -math.log(1 - eps + eps / num_classes), rel_tol=1e-3):
        return report(False, "", "Solo has sumado el término de la clase correcta; faltan las otras nueve.")
    return report(False, "", "El mínimo se alcanza cuando el modelo predice exactamente el objetivo q: es −Σ q·log q.")
