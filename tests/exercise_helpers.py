"""Lo que comparten los bancos de respuestas equivocadas de ``tests/test_exercises_0*.py``."""

from __future__ import annotations

import math

import torch

# Lo que un estudiante puede escribir por error en cualquier celda de respuesta: ningún corrector debe lanzar
# ni aceptarlo.
JUNK = [None, "no sé", "", True, False, float("nan"), float("inf"), -math.inf, [1, 2, 3], {"a": 1}, print, 3j]
JUNK += [torch.zeros(28, 28, device="meta"), torch.tensor(1.0, device="meta"), torch.ones(3, 3, dtype=torch.complex64)]


def silent(checker, answer, capsys):
    """Llama al corrector y comprueba que imprime un solo mensaje (✅ o ❌); devuelve (veredicto, mensaje)."""
    verdict = checker(answer)
    out = capsys.readouterr().out
    if answer is not print:  # print, pasada como función, escribe por su cuenta si el corrector la llama
        assert out.startswith(("✅", "❌")) and out.count("\n") == 1, out
    return verdict, out
