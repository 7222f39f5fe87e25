"""Todos los correctores de todos los cuadernos, con las respuestas basura: ninguno lanza y ninguno las acepta.

Los bancos de cada cuaderno (``tests/test_exercises_0*.py``) prueban las respuestas equivocadas «con sentido»;
este test recorre, además, cada función ``check_*`` del paquete, también las que se añadan en el futuro.
"""

from __future__ import annotations

import inspect

import pytest

import utils.exercises as ex
from tests.exercise_helpers import JUNK, silent

CHECKERS = sorted(
    (name, f)
    for name, f in vars(ex).items()
    if name.startswith("check_") and callable(f) and f.__module__.startswith("utils.exercises.")
)


def _needs_only_the_answer(f) -> bool:
    params = list(inspect.signature(f).parameters.values())
    required = [p for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) == 1


def test_every_lesson_has_checkers():
    modules = {f.__module__ for _, f in CHECKERS}
    assert {f"utils.exercises.nb0{i}_" in " ".join(modules) for i in range(8)} == {True}, modules
    assert len(CHECKERS) >= 30


@pytest.mark.parametrize("name,checker", [pytest.param(n, f, id=n) for n, f in CHECKERS if _needs_only_the_answer(f)])
@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_no_checker_accepts_junk(name, checker, junk, capsys):
    verdict, out = silent(checker, junk, capsys)
    assert not verdict, f"{name} aceptó {junk!r}: {out}"
