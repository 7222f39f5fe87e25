"""Comprobaciones de argumentos con mensajes de error claros en español."""

from __future__ import annotations


def check_positive(**values: int) -> None:
    """Lanza ``ValueError`` si algún valor no es un entero positivo."""
    for name, value in values.items():
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{name} debe ser un entero positivo y vale {value!r}. Usa un valor como 4, 64 o 128.")


def check_divisible(name: str, value: int, by_name: str, by: int) -> None:
    """Lanza ``ValueError`` si ``value`` no es divisible entre ``by``."""
    if value % by != 0:
        lower = value - value % by
        raise ValueError(
            f"{name}={value} no es divisible entre {by_name}={by}. "
            f"Elige un {name} múltiplo de {by} (por ejemplo {lower or by} o {lower + by}) o cambia {by_name}."
        )
