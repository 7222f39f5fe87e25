"""Correctores del cuaderno 01 (parches y embedding).

Cada corrector imprime su veredicto en español y devuelve un :class:`~utils.exercises.core.Verdict`.
"""

from __future__ import annotations

import torch

from .core import as_int, close, fashion, report


def check_patch_count(answer, img_size: int = 224, patch_size: int = 16) -> bool:
    """Ejercicio 01.1: número de parches de una imagen ``img_size``×``img_size`` con parches de ``patch_size``."""
    g = img_size // patch_size
    expected = g * g
    if answer is None:
        return report(False, "", "Sustituye el None por tu respuesta. Cuenta los parches por lado y eleva al cuadrado.")
    value = as_int(answer)
    if value is None:
        return report(False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}.")
    if value == expected:
        return report(True, f"{g}×{g} = {expected} parches, es decir, {expected} tokens para el Transformer.", "")
    if value == g:
        return report(False, "", f"{g} son los parches por lado; la imagen tiene parches en las dos direcciones.")
    if value == patch_size * patch_size:
        return report(False, "", "Ese es el número de píxeles de cada parche, no el número de parches.")
    if value == expected + 1:
        return report(False, "", "¿Has sumado el token CLS? La pregunta es solo por los parches.")
    return report(
        False, "", f"Divide el lado de la imagen ({img_size}) entre el del parche ({patch_size}) y eleva al cuadrado."
    )


def check_patch_index(answer, row: int = 13, col: int = 22, patch_size: int = 4, img_size: int = 28) -> bool:
    """Ejercicio 01.2: índice (en orden de lectura, desde 0) del parche que contiene el píxel (row, col)."""
    g = img_size // patch_size
    i, j = row // patch_size, col // patch_size
    expected = i * g + j
    if answer is None:
        return report(
            False, "", "Sustituye el None por tu respuesta. Halla la fila y la columna del parche y combínalas."
        )
    if isinstance(answer, (tuple, list)) and len(answer) == 2:
        return report(False, "", f"Da un solo número: con la fila y columna del parche (i, j), el índice es i·{g} + j.")
    value = as_int(answer)
    if value is None:
        return report(False, "", f"Se esperaba un número entero y llegó {type(answer).__name__}.")
    if value == expected:
        return report(
            True, f"El píxel ({row}, {col}) cae en la fila {i} y columna {j} de la cuadrícula: parche {expected}.", ""
        )
    if value == j * g + i:
        return report(
            False,
            "",
            "Has intercambiado fila y columna: el orden de lectura recorre primero cada fila de izquierda a derecha.",
        )
    if value == expected + 1:
        return report(False, "", "Los índices empiezan en 0: el parche de arriba a la izquierda es el 0.")
    if value == row * img_size + col:
        return report(
            False,
            "",
            "Ese es el índice del píxel, no el del parche: divide primero fila y columna entre el tamaño del parche.",
        )
    return report(
        False,
        "",
        f"La fila del parche es fila // {patch_size} y la columna, columna // {patch_size}; "
        f"el índice es fila_parche · {g} + columna_parche.",
    )


def check_patchify(fn, patch_sizes: tuple[int, ...] = (4, 7)) -> bool:
    """Ejercicio 01.3: compara ``fn(images, p)`` con :func:`utils.patches.patchify` en un lote real."""
    from ..data import to_float
    from ..patches import patchify

    if fn is None or not callable(fn):
        got = "None" if fn is None else type(fn).__name__
        return report(False, "", f"Pasa tu función sin llamarla, por ejemplo check_patchify(mi_patchify); llegó {got}.")
    images = to_float(fashion().test_images[:8])  # (8, 1, 28, 28): un lote real
    for p in patch_sizes:
        expected = patchify(images, p)
        B, N, P = expected.shape
        g = 28 // p
        try:
            out = fn(images.clone(), p)
        except Exception as exc:  # el estudiante debe ver su error, no una traza del corrector
            return report(False, "", f"Con p={p} tu función lanzó {type(exc).__name__}: {exc}")
        if out is None:
            return report(False, "", "Tu función devuelve None: ¿falta el return?")
        if not isinstance(out, torch.Tensor):
            return report(False, "", f"Tu función debe devolver un tensor y devuelve {type(out).__name__}.")
        out = out.detach().cpu().float()
        if out.shape != expected.shape:
            hint = ""
            if tuple(out.shape) == (B, P, N):
                hint = " Parece que tienes los dos últimos ejes cambiados."
            elif out.numel() == expected.numel():
                hint = " Tiene los valores justos: revisa el reshape final."
            return report(
                False,
                "",
                f"Con p={p} la forma es {tuple(out.shape)} y debería ser (B, N, C·p·p) = "
                f"{tuple(expected.shape)}.{hint}",
            )
        if torch.equal(out, expected):
            continue
        transposed_grid = expected.reshape(B, g, g, P).transpose(1, 2).reshape(B, N, P)
        transposed_inner = expected.reshape(B, N, p, p).transpose(-1, -2).reshape(B, N, P)
        if torch.equal(out, transposed_grid):
            why = "los parches salen por columnas; el orden de lectura recorre la cuadrícula fila a fila."
        elif torch.equal(out, transposed_inner):
            why = "dentro de cada parche los píxeles van por columnas; deben ir fila a fila, como en la imagen."
        elif torch.equal(out.flatten(1).sort(dim=1).values, expected.flatten(1).sort(dim=1).values):
            why = (
                "los valores son los correctos pero el orden no: corta filas y columnas en bloques "
                "(reshape o unfold) y reordena los ejes con permute antes de aplanar."
            )
        else:
            ok, reason = close(out, expected, atol=1e-5)
            if ok:
                continue
            why = "los valores no son los píxeles de la imagen: " + reason
        return report(False, "", f"Con p={p} la forma es correcta, pero {why}")
    sizes = ", ".join(str(p) for p in patch_sizes)
    return report(True, f"Tu función coincide con utils.patches.patchify en un lote real (p = {sizes}).", "")
