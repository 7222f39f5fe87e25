"""El núcleo de los correctores: veredicto sin «True» suelto, NaN nunca correcto, atajos prohibidos."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from utils.exercises.core import (
    SOFTMAX_FUNCTIONS,
    Verdict,
    as_float,
    as_int,
    call_student,
    close,
    defines_own,
    forbid,
    report,
)


def test_verdict_is_boolean_and_shows_nothing_more(capsys):
    ok, bad = report(True, "bien.", "mal."), report(False, "bien.", "mal.")
    assert ok and not bad and ok == True and bad == False  # noqa: E712
    assert capsys.readouterr().out == "✅ ¡Correcto! Bien.\n❌ Todavía no. Mal.\n"
    assert ok._ipython_display_() is None and isinstance(ok, Verdict)


def test_report_does_not_break_code_words(capsys):
    report(False, "", "`qkv` tiene 3·D·D pesos.")
    assert "`qkv` tiene" in capsys.readouterr().out


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -math.inf, True, "3", None, [3], torch.tensor([1, 2])])
def test_numbers_reject_non_finite_and_non_numbers(bad):
    assert as_float(bad) is None and as_int(bad) is None


@pytest.mark.parametrize("good", [3, 3.0, np.int64(3), np.float32(3), torch.tensor(3), torch.tensor([3.0])])
def test_numbers_accept_numeric_types(good):
    assert as_int(good) == 3 and as_float(good) == 3.0


def test_close_rejects_nan_anywhere_and_wrong_shapes():
    expected = torch.ones(2, 3)
    assert close(expected.clone(), expected) == (True, "")
    assert close(expected.numpy(), expected)[0]
    with_nan = expected.clone()
    with_nan[1, 2] = float("nan")
    ok, why = close(with_nan, expected)
    assert not ok and "NaN" in why
    ok, why = close(torch.ones(3, 2), expected, reveal_shape=False)
    assert not ok and "(2, 3)" not in why
    assert not close(expected + 1e-3, expected)[0]
    assert not close(expected.bool(), expected)[0]
    assert not close("no sé", expected)[0]


def test_call_student_never_raises():
    assert call_student(None)[1].startswith("pasa tu función")
    assert "ZeroDivisionError" in call_student(lambda: 1 / 0)[1]
    assert call_student(lambda x: x + 1, 1) == (2, None)


def test_forbid_blocks_every_softmax_and_restores_it():
    x = torch.randn(2, 3)
    for fn in (lambda t: torch.softmax(t, -1), lambda t: t.softmax(-1), lambda t: torch.nn.functional.softmax(t, -1)):
        with forbid(*SOFTMAX_FUNCTIONS):
            result, error = call_student(fn, x)
        assert result is None and "prohíbe" in error
    with forbid(*SOFTMAX_FUNCTIONS):
        result, error = call_student(lambda t: t.exp() / t.exp().sum(-1, keepdim=True), x)
    assert error is None and torch.allclose(result, torch.softmax(x, -1))


def test_defines_own_catches_an_empty_subclass():
    class Base(torch.nn.Module):
        def forward(self, x):
            return x

    class Empty(Base):
        pass

    class Own(Base):
        def forward(self, x):
            return 2 * x

    assert defines_own(Own, "forward") is None
    assert "no define su propio `forward`" in defines_own(Empty, "forward")
    assert "pasa la clase" in defines_own(Own(), "forward")


def test_forbidden_reference_finds_names_imported_before():
    from torch.nn.functional import softmax

    from utils.exercises.core import forbidden_reference

    direct = lambda t: softmax(t, -1)  # noqa: E731
    saved = torch.softmax

    def helper(t):
        return direct(t)

    def with_default(t, f=saved):
        return f(t, -1)

    for fn in (direct, helper, with_default):
        assert "prohíbe" in forbidden_reference(fn, *SOFTMAX_FUNCTIONS)
    assert forbidden_reference(lambda t: t.exp() / t.exp().sum(-1, keepdim=True), *SOFTMAX_FUNCTIONS) is None
    assert forbidden_reference(None, *SOFTMAX_FUNCTIONS) is None


def test_never_raises_turns_an_exception_into_a_verdict(capsys):
    from utils.exercises.core import never_raises

    @never_raises
    def checker(answer):
        """Documentación del corrector."""
        return report(answer.detach().cpu().item() == 1, "bien.", "mal.")

    assert checker(torch.tensor(1.0)) and checker.__doc__ == "Documentación del corrector."
    capsys.readouterr()
    assert not checker(torch.tensor(1.0, device="meta"))
    assert capsys.readouterr().out.startswith("❌ Todavía no. No he podido corregir")
