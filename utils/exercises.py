"""Correctores automáticos de los ejercicios, con mensajes en español.

Cada corrector recibe la respuesta del estudiante, la compara con la solución y devuelve
``True`` o ``False`` tras imprimir una explicación. Nunca lanza una excepción por una respuesta
equivocada: la explica.
"""

from __future__ import annotations

import torch


def report(ok: bool, success: str, failure: str) -> bool:
    """Imprime el resultado de una comprobación con un símbolo y devuelve ``ok``."""
    print(("✅ ¡Correcto! " + success) if ok else ("❌ Todavía no. " + failure))
    return ok


def close(answer, expected: torch.Tensor, atol: float = 1e-5) -> tuple[bool, str]:
    """Compara un tensor del estudiante con el esperado; devuelve (ok, motivo si falla)."""
    if not isinstance(answer, torch.Tensor):
        return False, f"se esperaba un tensor y llegó {type(answer).__name__}."
    if answer.shape != expected.shape:
        return False, f"la forma es {tuple(answer.shape)} y debería ser {tuple(expected.shape)}."
    err = (answer.detach().float() - expected.float()).abs().max().item()
    if err > atol:
        return False, f"la forma es correcta pero los valores difieren (error máximo {err:.2e})."
    return True, ""


# --- Cuaderno 01: parches y embedding ---------------------------------------------------------

# --- Cuaderno 02: atención ---------------------------------------------------------------------

# --- Cuaderno 03: el bloque Transformer --------------------------------------------------------

# --- Cuaderno 04: el ViT completo --------------------------------------------------------------

# --- Cuaderno 05: entrenamiento ----------------------------------------------------------------

# --- Cuaderno 06: qué mira el ViT --------------------------------------------------------------
