"""Correctores del cuaderno 05 (entrenamiento).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
"""

from __future__ import annotations

import torch

from .core import as_float, report

# Datos del ejercicio de la tasa de aprendizaje (el cuaderno 05 los repite en el enunciado).
LR_EXERCISE = {"base_lr": 2e-3, "total_steps": 4680, "warmup_steps": 468, "step": 1000}


def check_lr_at_step(answer) -> bool:
    """Ejercicio 05-1: la tasa de aprendizaje en el paso 1000 con calentamiento y coseno (ver ``LR_EXERCISE``)."""
    import math

    from ..train import warmup_cosine

    e = LR_EXERCISE
    factor = warmup_cosine(e["step"], e["total_steps"], e["warmup_steps"])
    expected = e["base_lr"] * factor
    value = as_float(answer)
    if value is None:
        return report(False, "", "Escribe un número: la tasa de aprendizaje en el paso 1000 (algo como 0.00195).")
    if math.isclose(value, expected, rel_tol=1e-4):
        return report(
            True, f"En el paso {e['step']} la tasa de aprendizaje es {expected:.6f} ({factor:.1%} de la tasa base).", ""
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
    return report(False, "", f"Tu valor es {value:.6g}; {hint}")


def check_accuracy_from_logits(answer, logits: torch.Tensor, labels: torch.Tensor) -> bool:
    """Ejercicio 05-2: la exactitud (fracción entre 0 y 1) a partir de los logits y las etiquetas."""
    import math

    expected = (logits.argmax(1) == labels).float().mean().item()
    value = as_float(answer)
    if value is None:
        return report(False, "", "Escribe un número entre 0 y 1 (por ejemplo con .item()).")
    if math.isclose(value, expected, abs_tol=1e-6):
        return report(True, f"La exactitud es {expected:.2%}.", "")
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
    return report(False, "", f"Tu valor es {value:.4f}.{hint}")


def check_most_confused_pair(answer, cm: torch.Tensor, classes=None) -> bool:
    """Ejercicio 05-3: la pareja (clase verdadera, clase predicha) más confundida de la matriz ``cm``."""
    from ..data import CLASSES

    classes = list(classes or CLASSES)
    cm = torch.as_tensor(cm).clone()
    off = cm.clone()
    off.fill_diagonal_(-1)
    k = int(off.argmax())
    true, pred = divmod(k, off.shape[1])
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return report(False, "", "Escribe una tupla (clase verdadera, clase predicha), con índices o nombres.")
    try:
        got = tuple(classes.index(a) if isinstance(a, str) else int(a) for a in answer)
    except (ValueError, TypeError):
        return report(False, "", f"No reconozco {answer!r}: usa índices 0-9 o nombres de {classes}.")
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
        "Pon la diagonal a un valor pequeño (fill_diagonal_) y busca el máximo con argmax; "
        "divmod(índice, 10) da (fila, columna).",
    )


def check_beats_quick_recipe(test_acc, seconds, baseline_acc, budget_s: float = 300) -> bool:
    """Ejercicio 05-4 (abierto): ¿tu receta supera a la rápida sin pasarse del presupuesto de tiempo?"""
    acc, sec, base = as_float(test_acc), as_float(seconds), as_float(baseline_acc)
    if acc is None or sec is None or base is None:
        return report(
            False,
            "",
            "Pasa tres números: tu exactitud en prueba, los segundos de entrenamiento y la "
            "exactitud de la receta rápida.",
        )
    if acc > 1:
        return report(False, "", "Da la exactitud como fracción entre 0 y 1, no como porcentaje.")
    if sec > budget_s:
        return report(False, "", f"Tu entrenamiento tardó {sec:.0f} s y el presupuesto es de {budget_s:.0f} s.")
    if acc <= base:
        return report(
            False,
            "",
            f"{acc:.2%} no supera el {base:.2%} de la receta rápida. Prueba otra "
            "combinación (parches, ancho, épocas, tasa de aprendizaje).",
        )
    return report(True, f"{acc:.2%} en {sec:.0f} s supera el {base:.2%} de la receta rápida.", "")
