"""Correctores de los cuadernos 06 (qué mira el ViT) y 06b (¿explican los mapas la decisión?).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`; nunca
lanza, un NaN nunca es correcto, recalcula lo que puede y, al fallar, da una pista y no la respuesta.
"""

from __future__ import annotations

import torch

from ..fmt import comma, percent
from .core import as_float, as_int, as_tensor, close, report

__all__ = [
    "ROLLOUT_A1",
    "ROLLOUT_A2",
    "check_class_map",
    "check_most_local_head",
    "check_residual_prediction",
    "check_rollout_by_hand",
    "check_uniform_distance",
]

# Matrices del ejercicio «rollout a mano»: dos capas de una sola cabeza con tres tokens (CLS y dos parches).
ROLLOUT_A1 = torch.tensor([[0.6, 0.2, 0.2], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
ROLLOUT_A2 = torch.tensor([[0.2, 0.4, 0.4], [0.5, 0.5, 0.0], [0.0, 0.2, 0.8]])


def check_rollout_by_hand(answer):
    """Ejercicio: el rollout R = A2'·A1' de ``ROLLOUT_A1`` y ``ROLLOUT_A2`` con A' = 0,5·A + 0,5·I."""
    eye = torch.eye(3)
    a1, a2 = 0.5 * ROLLOUT_A1 + 0.5 * eye, 0.5 * ROLLOUT_A2 + 0.5 * eye
    expected = a2 @ a1
    if answer is None:
        return report(
            False, "", "Aún no hay respuesta: calcula A' = 0,5·A + 0,5·I para cada capa y multiplica R = A2'·A1'."
        )
    tensor = as_tensor(answer)
    if tensor is None or tensor.dtype == torch.bool or tensor.is_complex():
        return report(False, "", "La respuesta debe ser una matriz 3×3 de números (un tensor o una lista de listas).")
    ok, why = close(tensor, expected, atol=1e-4)
    why = f"Revisa la matriz: {why}"
    if not ok and tuple(tensor.shape) == (3, 3) and torch.isfinite(tensor.double()).all():
        t = tensor.double()
        if torch.allclose(t, (a1 @ a2).double(), atol=1e-4):
            why = "Has multiplicado en el orden contrario: la capa nueva va a la izquierda, R = A2'·A1'."
        elif torch.allclose(t, (ROLLOUT_A2 @ ROLLOUT_A1).double(), atol=1e-4):
            why = "Te falta la conexión residual: antes de multiplicar, usa A' = 0,5·A + 0,5·I en cada capa."
        elif torch.allclose(t, expected.T.double(), atol=1e-4):
            why = "Tu matriz está traspuesta: la fila i de R es lo que llega al token i desde cada token de entrada."
        elif not torch.allclose(t.sum(-1), torch.ones(3, dtype=t.dtype), atol=1e-3):
            why = "Las filas de tu matriz no suman 1, y las del rollout sí: revisa A' y el producto."
    return report(
        ok,
        "Cada fila de R suma 1, y la fila 0 dice cuánto llega al token CLS de cada token de entrada tras las dos capas.",
        why,
    )


def check_uniform_distance(answer, grid_size: int = 14, patch_size: int = 2):
    """Ejercicio: distancia media de una atención uniforme en una cuadrícula de 14×14 parches de 2×2 píxeles."""
    from ..explain import patch_distances

    d = patch_distances(grid_size, patch_size)
    n = d.shape[0]
    expected = d.mean().item()
    value = as_float(answer)
    if value is None:
        return report(False, "", "La respuesta debe ser un número finito (la distancia en píxeles).")
    ok = abs(value - expected) < 1e-3 * max(1.0, expected)
    why = (
        "Repasa la cuenta: con atención uniforme cada parche mira a todos por igual, así que la distancia es "
        "la media de las distancias entre todos los pares de parches (con la cuadrícula de 14×14, no la del modelo)."
    )
    if abs(value - d.sum().item() / (n * (n - 1))) < 1e-3 * expected:
        why = "Has dejado fuera la distancia de cada parche a sí mismo (0): la atención uniforme también mira al propio parche."
    elif abs(value * patch_size - expected) < 1e-3 * expected:
        why = "La has medido en parches; multiplica por el tamaño del parche para tenerla en píxeles."
    return report(
        ok,
        f"Con atención uniforme la distancia media es {comma(expected, 2)} píxeles: el «campo receptivo» de una cabeza global.",
        why,
    )


PREDICTIONS = ("sube", "baja", "igual")


def _rollout_mass(maps, residual: float):
    """Masa media del mapa del rollout sobre los parches, o ``None`` si ``maps`` no son pesos de atención."""
    from ..explain import cls_rollout

    try:
        return cls_rollout(maps, residual=residual).sum((1, 2)).mean().item()
    except Exception:
        return None


def check_residual_prediction(prediction, measured, maps):
    """Ejercicio «cambia y predice»: la masa del rollout sobre los parches con residual=0.9 frente a 0.5.

    ``prediction`` es "sube", "baja" o "igual" (escrita antes de medir); ``measured``, la masa media medida
    con ``cls_rollout(maps, residual=0.9)``; ``maps``, los pesos con los que se midió (se recalcula todo).
    """
    at_05, at_09 = _rollout_mass(maps, 0.5), _rollout_mass(maps, 0.9)
    if at_05 is None or at_09 is None:
        return report(
            False, "", "`maps_ex` ya no son los pesos de atención de la sección 3: vuelve a ejecutar esa celda."
        )
    if not isinstance(prediction, str) or prediction.strip().lower() not in PREDICTIONS:
        return report(False, "", 'Escribe primero tu predicción como texto: "sube", "baja" o "igual".')
    prediction = prediction.strip().lower()
    value = as_float(measured)
    if value is None:
        return report(
            False, "", "Falta tu medida: un número finito, la media sobre las imágenes de la suma de cada mapa."
        )
    if abs(value - at_09) > 1e-3:
        why = "Tu medida no es la masa media del mapa con residual=0.9: suma cada mapa (g, g) y promedia las imágenes."
        if abs(value - at_05) < 1e-3:
            why = "Esa es la masa con residual=0.5, el valor de partida: cambia el argumento residual a 0.9."
        elif abs(value - (1 - at_09)) < 1e-3:
            why = "Esa es la masa que se queda en el propio CLS, no la que llega a los parches."
        return report(False, "", why)
    truth = "igual" if abs(at_09 - at_05) < 0.01 else ("sube" if at_09 > at_05 else "baja")
    return report(
        prediction == truth,
        f"Con más peso en la identidad, cada capa deja más de lo suyo en el propio CLS: la masa sobre los parches "
        f"pasa de {comma(at_05, 2)} a {comma(at_09, 2)}.",
        "Tu medida es correcta y contradice tu predicción. Compárala con la masa con residual=0.5 y piensa "
        "qué hace la identidad: ¿cuánto de la fila del CLS se queda en el propio CLS?",
    )


def check_most_local_head(answer, distances, reference):
    """Ejercicio: la cabeza de menor distancia media, como ``(capa, cabeza, fracción de la distancia uniforme)``."""
    d = as_tensor(distances)
    ref = as_float(reference)
    if d is None or d.ndim != 2 or d.numel() == 0 or not torch.isfinite(d.double()).all() or ref is None or ref <= 0:
        return report(
            False, "", "`distances` o `reference` ya no son los de la sección 5.3: vuelve a ejecutar esa celda."
        )
    if not isinstance(answer, (tuple, list)) or len(answer) != 3:
        return report(False, "", "La respuesta debe ser una tupla (capa, cabeza, fracción), por ejemplo (0, 0, 0.5).")
    layer, head, fraction = as_int(answer[0]), as_int(answer[1]), as_float(answer[2])
    if layer is None or head is None or fraction is None:
        return report(False, "", "La capa y la cabeza deben ser enteros (desde 0) y la fracción un número finito.")
    flat = int(d.argmin())
    exp_layer, exp_head = divmod(flat, d.shape[1])
    exp_fraction = d.min().item() / ref
    if (layer, head) != (exp_layer, exp_head):
        why = "Esa no es la cabeza de menor distancia media: busca el mínimo de todo el tensor (capas, cabezas)."
        if (head, layer) == (exp_layer, exp_head):
            why = "Has cambiado el orden: primero la capa (la fila de distances) y después la cabeza (la columna)."
        elif (layer - 1, head - 1) == (exp_layer, exp_head) or (layer - 1, head) == (exp_layer, exp_head):
            why = "Casi: capas y cabezas se numeran desde 0."
        elif (layer, head) == divmod(int(d.argmax()), d.shape[1]):
            why = "Esa es la cabeza que mira más lejos; se pide la más local, la de menor distancia."
        return report(False, "", why)
    if abs(fraction - exp_fraction) > 0.01:
        why = "La cabeza es la buena, pero la fracción no: divide su distancia por la de la atención uniforme."
        if abs(fraction - 100 * exp_fraction) < 1:
            why = "La cabeza es la buena; da la fracción como un número entre 0 y 1, no en porcentaje."
        elif abs(fraction * exp_fraction - 1) < 0.01:
            why = "La cabeza es la buena, pero has dividido al revés: su distancia entre la uniforme."
        return report(False, "", why)
    return report(
        True,
        f"La cabeza más local mira a un {percent(exp_fraction, 0)} de la distancia uniforme: ninguna cabeza es local de verdad.",
        "",
    )


def check_class_map(answer, model, x, target):
    """Ejercicio (06b): el mapa de ``gradient_rollout`` de la clase ``target`` para las imágenes ``x``."""
    from ..explain import cls_rollout, gradient_rollout

    try:
        expected = gradient_rollout(model, x, target)
        predicted = gradient_rollout(model, x, None)
        with torch.no_grad():
            rollout = cls_rollout(model.attention_maps(x)).cpu()
    except Exception:
        return report(
            False, "", "`model`, `x_pair` o `second` ya no son los de la sección 3 del 06b: vuelve a ejecutarla."
        )
    tensor = as_tensor(answer)
    ok, why = close(answer, expected, atol=1e-4)
    why = f"Revisa el mapa: {why}"
    if not ok and tensor is not None and tuple(tensor.shape) == tuple(expected.shape):
        t = tensor.double()
        if torch.isfinite(t).all():
            if torch.allclose(t, predicted.double(), atol=1e-4) and not torch.allclose(predicted, expected, atol=1e-4):
                why = "Ese es el mapa de la clase predicha; se pide el de la segunda clase (pasa target)."
            elif torch.allclose(t, rollout.double(), atol=1e-4):
                why = "Ese es el rollout, que es el mismo para todas las clases; usa gradient_rollout con target."
            elif torch.allclose(t, expected.transpose(-1, -2).double(), atol=1e-4):
                why = (
                    "Tu mapa está traspuesto: deja las filas y columnas de la cuadrícula como las da gradient_rollout."
                )
    return report(ok, "Es el mapa de la segunda clase: qué parches empujan hacia ella.", why)
