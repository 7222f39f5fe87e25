"""Números escritos como en español, para todo lo que lee una persona: mensajes, tablas, figuras y resúmenes.

Coma decimal, signo menos tipográfico, espacio antes de «%» y miles separados por espacios (GLOSARIO.md). No
importa Matplotlib ni torch: lo usan también los mensajes de ``utils.budget`` y los scripts.
"""

from __future__ import annotations


def comma(value: float, digits: int | None = None, sign: bool = False) -> str:
    """Un número como se escribe en español: coma decimal y signo menos tipográfico (0.5 → «0,5», -2 → «−2»).

    Sin ``digits``, con las cifras que hagan falta (``f"{value:g}"``); con ``digits``, con ese número fijo de
    decimales (``comma(0.1, 2)`` → «0,10»). Con ``sign=True`` los positivos llevan «+» (una diferencia: «+0,12»).
    """
    plus = "+" if sign else ""
    text = f"{value:{plus}g}" if digits is None else f"{value:{plus}.{digits}f}"
    return text.replace(".", ",").replace("-", "−")


def percent(fraction: float, digits: int = 2) -> str:
    """Una fracción como porcentaje en español: 0.8985 → «89,85 %»."""
    return f"{comma(100 * fraction, digits)} %"


def thousands(n: float) -> str:
    """Un número redondeado a entero, con los miles separados por espacios: 60000 → «60 000»."""
    return f"{round(n):,}".replace(",", " ").replace("-", "−")


def sci(value: float, digits: int = 2) -> str:
    """Notación científica con coma decimal: 0.00123 → «1,23e−03»."""
    return f"{value:.{digits}e}".replace(".", ",").replace("-", "−")
