"""Correctores del cuaderno 06 (qué mira el ViT).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
"""

from __future__ import annotations

import torch

from .core import as_float, close, report

# Matrices del ejercicio «rollout a mano»: dos capas de una sola cabeza con tres tokens (CLS y dos parches).
ROLLOUT_A1 = torch.tensor([[0.6, 0.2, 0.2], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]])
ROLLOUT_A2 = torch.tensor([[0.2, 0.4, 0.4], [0.5, 0.5, 0.0], [0.0, 0.2, 0.8]])


def check_rollout_by_hand(answer) -> bool:
    """Ejercicio: el rollout R = A2'·A1' de ``ROLLOUT_A1`` y ``ROLLOUT_A2`` con A' = 0.5·A + 0.5·I."""
    from ..explain import attention_rollout

    eye = torch.eye(3)
    a1, a2 = 0.5 * ROLLOUT_A1 + 0.5 * eye, 0.5 * ROLLOUT_A2 + 0.5 * eye
    expected = attention_rollout([ROLLOUT_A1[None, None], ROLLOUT_A2[None, None]])[0]
    if answer is None:
        return report(
            False, "", "Aún no hay respuesta: calcula A' = 0.5·A + 0.5·I para cada capa y multiplica R = A2'·A1'."
        )
    if isinstance(answer, (list, tuple)):
        try:
            answer = torch.tensor(answer, dtype=torch.float32)
        except (TypeError, ValueError):
            return report(False, "", "La respuesta debe ser una matriz 3×3 (un tensor o una lista de listas).")
    ok, why = close(answer, expected, atol=1e-4)
    why = f"Revisa la matriz: {why}"
    if not ok and isinstance(answer, torch.Tensor) and answer.shape == expected.shape:
        if close(answer, a1 @ a2, atol=1e-4)[0]:
            why = "Has multiplicado en el orden contrario: la capa nueva va a la izquierda, R = A2'·A1'."
        elif close(answer, ROLLOUT_A2 @ ROLLOUT_A1, atol=1e-4)[0]:
            why = "Te falta la conexión residual: antes de multiplicar, usa A' = 0.5·A + 0.5·I en cada capa."
    return report(
        ok,
        "Cada fila de R suma 1, y la fila 0 dice cuánto llega al token CLS de cada token de entrada tras las dos capas.",
        why,
    )


def check_farthest_layer(answer, distances: torch.Tensor) -> bool:
    """Ejercicio: la capa (desde 0) con la mayor distancia media de atención, promediando sus cabezas."""
    if not isinstance(distances, torch.Tensor) or distances.ndim != 2:
        raise ValueError(
            "distances debe ser el tensor (capas, cabezas) de mean_attention_distance; "
            "calcúlalo en la sección 5 y pásalo tal cual."
        )
    per_layer = distances.float().mean(dim=1)
    expected, nearest = int(per_layer.argmax()), int(per_layer.argmin())
    value = as_float(answer)
    if value is None or value != int(value):
        return report(False, "", "La respuesta debe ser el número entero de una capa (la primera es la 0).")
    value = int(value)
    why = f"La capa {value} no es la de mayor distancia media. Promedia las cabezas de cada capa y busca el máximo."
    if value == expected + 1:
        why = "Casi: las capas se numeran desde 0 (como el argumento layer de utils.explain)."
    elif value == nearest and nearest != expected:
        why = f"La capa {value} es la de menor distancia media, no la de mayor."
    return report(
        value == expected,
        f"En la capa {expected} las cabezas miran, de media, más lejos: {per_layer[expected]:.1f} píxeles.",
        why,
    )


def check_uniform_distance(answer, grid_size: int = 14, patch_size: int = 2) -> bool:
    """Ejercicio: distancia media de una atención uniforme en una cuadrícula de 14×14 parches de 2×2 píxeles."""
    from ..explain import patch_distances

    d = patch_distances(grid_size, patch_size)
    n = d.shape[0]
    expected = d.mean().item()
    value = as_float(answer)
    if value is None:
        return report(False, "", "La respuesta debe ser un número (la distancia en píxeles).")
    ok = abs(value - expected) < 1e-3 * max(1.0, expected)
    why = "Repasa la cuenta: con atención uniforme cada parche mira a todos por igual, así que la distancia es la media de las distancias entre todos los pares de parches."
    if abs(value - d.sum().item() / (n * (n - 1))) < 1e-3 * expected:
        why = "Has dejado fuera la distancia de cada parche a sí mismo (0): la atención uniforme también mira al propio parche."
    elif abs(value * patch_size - expected) < 1e-3 * expected:
        why = "La has medido en parches; multiplica por el tamaño del parche para tenerla en píxeles."
    return report(
        ok,
        f"Con atención uniforme la distancia media es {expected:.2f} píxeles: el «campo receptivo» de una cabeza global.",
        why,
    )
