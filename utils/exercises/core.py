"""Núcleo de los correctores: el veredicto, la comparación de números y la llamada segura al estudiante.

Todo corrector del curso sigue las mismas reglas:

- responde en español y **nunca lanza** una excepción, llegue lo que llegue (``None``, un texto, un
  ``bool``, NaN, un tensor de otra forma, tipo o dispositivo, una función que falla);
- un valor no finito (NaN o infinito) **nunca** es correcto;
- si el ejercicio prohíbe un atajo, el corrector lo hace cumplir (:func:`forbid`, :func:`defines_own`);
- recalcula lo que puede en vez de creer lo que dice el estudiante, y al fallar da una pista, no la
  respuesta.
"""

from __future__ import annotations

import contextlib
import functools
import math
import numbers

import torch

from ..fmt import sci


class Verdict:
    """El resultado de un corrector: se comporta como ``True`` o ``False``.

    El mensaje ya se imprimió al corregir, así que en un cuaderno no muestra nada más (ni un ``True``
    suelto bajo el mensaje).
    """

    __slots__ = ("ok", "message")

    def __init__(self, ok: bool, message: str) -> None:
        self.ok = bool(ok)
        self.message = message

    def __bool__(self) -> bool:
        return self.ok

    def __eq__(self, other) -> bool:
        return bool(self) == other if isinstance(other, (bool, Verdict)) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.ok)

    def __repr__(self) -> str:
        return f"Verdict({self.ok}, {self.message!r})"

    def _ipython_display_(self) -> None:  # el mensaje ya está impreso: no mostrar nada más
        pass


def report(ok: bool, success: str, failure: str) -> Verdict:
    """Imprime el resultado de una comprobación con un símbolo y devuelve un :class:`Verdict`.

    Solo se pone en mayúscula la primera letra de un texto que empieza por una palabra corriente; un
    texto que empieza por código debe escribirlo entre comillas invertidas (`` `qkv` tiene...``). El mensaje
    es siempre una sola línea: los saltos de línea (los del ``repr`` de un tensor que llegó, por ejemplo) se
    convierten en espacios.
    """
    text = " ".join((success if ok else failure).split())
    if text[:1].isalpha() and text[:1].islower():
        text = text[:1].upper() + text[1:]
    message = ("✅ ¡Correcto! " if ok else "❌ Todavía no. ") + text
    print(message)
    return Verdict(ok, message)


def never_raises(checker):
    """Decorador de red de seguridad: si ``checker`` lanza con una entrada rara (un tensor ``meta`` sin datos,
    un objeto que falla al convertirse), responde «Todavía no» en español en lugar de mostrar una traza."""

    @functools.wraps(checker)
    def safe(*args, **kwargs):
        try:
            return checker(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 — el estudiante ve un mensaje, nunca una traza del corrector
            return report(
                False,
                "",
                f"No he podido corregir esta respuesta ({type(exc).__name__}: {exc}). "
                "Comprueba que es un número o un tensor normal, en la CPU o en la GPU.",
            )

    return safe


# --- Números ------------------------------------------------------------------------------------


def scalar(answer):
    """El número real que hay en ``answer`` (de Python, NumPy o un tensor de un elemento), o ``None``.

    Un ``bool`` no es un número aquí (``True`` no vale como 1).
    """
    if isinstance(answer, bool):
        return None
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1 or answer.dtype == torch.bool or answer.is_complex() or answer.device.type == "meta":
            return None
        answer = answer.detach().cpu().item()
    elif hasattr(answer, "dtype") and hasattr(answer, "item") and getattr(answer, "size", 0) == 1:
        try:  # escalares y arrays de un elemento de NumPy
            if answer.dtype.kind not in "iuf":
                return None
            answer = answer.item()
        except Exception:
            return None
    if isinstance(answer, bool):
        return None
    return answer if isinstance(answer, numbers.Real) else None


def as_int(answer) -> int | None:
    """Convierte un número entero en ``int``; 196.0 (de una división con /) vale como 196. Si no, ``None``."""
    x = scalar(answer)
    if x is None or not math.isfinite(float(x)) or not float(x).is_integer():
        return None
    return int(x)


def as_float(answer) -> float | None:
    """Convierte un número finito en ``float``; si no lo es (o es NaN o infinito), ``None``."""
    x = scalar(answer)
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def as_shape(answer) -> tuple[int, ...] | None:
    """Convierte una forma (tupla, lista o ``torch.Size`` de enteros) en tupla; si no lo es, ``None``."""
    if not isinstance(answer, (tuple, list, torch.Size)):
        return None
    values = [as_int(a) for a in answer]
    return None if any(v is None or v < 0 for v in values) else tuple(values)


def as_tensor(answer) -> torch.Tensor | None:
    """Un tensor de CPU a partir de un tensor, un array de NumPy o una lista de números; si no, ``None``.

    Un tensor en el dispositivo ``meta`` no tiene valores (solo forma): tampoco es una respuesta.
    """
    if isinstance(answer, torch.Tensor):
        return None if answer.device.type == "meta" else answer.detach().cpu()
    if isinstance(answer, (str, bytes, bool)) or answer is None:
        return None
    try:
        return torch.as_tensor(answer).detach().cpu()
    except Exception:
        return None


def close(answer, expected: torch.Tensor, atol: float = 1e-5, reveal_shape: bool = True) -> tuple[bool, str]:
    """Compara un tensor del estudiante con el esperado; devuelve ``(ok, motivo si falla)``.

    Un NaN o un infinito nunca es correcto. Con ``reveal_shape=False`` el motivo no dice la forma
    esperada (para los ejercicios en que la forma es la respuesta).
    """
    if answer is None:
        return False, "aún no hay respuesta (llegó None)."
    tensor = as_tensor(answer)
    if tensor is None:
        return False, f"se esperaba un tensor y llegó {type(answer).__name__}."
    if tensor.dtype == torch.bool or tensor.is_complex():
        return False, f"el tensor es de tipo {tensor.dtype}; se esperaban números reales."
    if tuple(tensor.shape) != tuple(expected.shape):
        if reveal_shape:
            return False, f"la forma es {tuple(tensor.shape)} y debería ser {tuple(expected.shape)}."
        return False, f"la forma {tuple(tensor.shape)} no es la esperada; repasa qué eje es cada cosa."
    tensor = tensor.double()
    if not torch.isfinite(tensor).all():
        bad = int((~torch.isfinite(tensor)).sum())
        return False, f"el resultado tiene {bad} valores NaN o infinitos; un resultado así nunca es correcto."
    err = (tensor - expected.detach().cpu().double()).abs().max().item() if tensor.numel() else 0.0
    if err > atol:
        return False, f"la forma es correcta pero los valores difieren (error máximo {sci(err)})."
    return True, ""


# --- La función del estudiante ------------------------------------------------------------------


class ForbiddenCall(RuntimeError):
    """Se llamó a una función que el ejercicio prohíbe usar."""


def call_student(fn, *args, **kwargs):
    """Llama a la función del estudiante; devuelve ``(resultado, None)`` o ``(None, mensaje de error)``."""
    if fn is None or not callable(fn):
        got = "None" if fn is None else type(fn).__name__
        return None, f"pasa tu función sin llamarla (sin paréntesis); llegó {got}."
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        return None, "aún no has escrito la función: sustituye el raise NotImplementedError por tu código."
    except ForbiddenCall as exc:
        return None, str(exc)
    except Exception as exc:  # el estudiante ve el error explicado, no una traza
        return None, f"tu función lanzó {type(exc).__name__}: {exc}"


def _resolve(path: str):
    """El objeto que contiene el atributo final de ``path`` ('torch.nn.functional.softmax') y su nombre."""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1]
    raise ValueError(f"no se encuentra {path}")


@contextlib.contextmanager
def forbid(*paths: str, hint: str = ""):
    """Durante el bloque, llamar a cualquiera de ``paths`` lanza :class:`ForbiddenCall` con un mensaje claro.

    Ejemplo: ``with forbid("torch.softmax", "torch.Tensor.softmax"): call_student(fn, x)``.
    """
    saved = []
    try:
        for path in paths:
            owner, name = _resolve(path)
            original = getattr(owner, name)

            def banned(*args, _path=path, **kwargs):
                raise ForbiddenCall(f"usaste `{_path}`, que este ejercicio prohíbe. {hint}".strip())

            saved.append((owner, name, original))
            setattr(owner, name, banned)
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)


# Lo que prohíben los ejercicios que piden escribir una operación a mano.
SOFTMAX_FUNCTIONS = (
    "torch.softmax",
    "torch.Tensor.softmax",
    "torch.nn.functional.softmax",
    "torch.special.softmax",
    "torch.nn.functional.log_softmax",
    "torch.Tensor.log_softmax",
)
LAYER_NORM_FUNCTIONS = ("torch.nn.functional.layer_norm", "torch.layer_norm", "torch.nn.LayerNorm.forward")
ATTENTION_FUNCTIONS = (
    "torch.nn.functional.scaled_dot_product_attention",
    "torch.nn.MultiheadAttention.forward",
    "utils.attention.scaled_dot_product_attention",
)


def forbidden_reference(fn, *paths: str) -> str | None:
    """Un mensaje si ``fn`` nombra directamente una de las funciones ``paths``; si no, ``None``.

    :func:`forbid` sustituye el atributo del módulo, pero no alcanza un nombre importado antes en el
    cuaderno (``from torch.nn.functional import softmax``) ni una función guardada en una variable o
    en un argumento por defecto. Esto los busca en las variables globales, el cierre y los valores por
    defecto de ``fn`` y de las funciones que ``fn`` llama (hasta tres niveles).
    """
    targets = {}
    for path in paths:
        owner, name = _resolve(path)
        targets[id(getattr(owner, name))] = path

    def codes(code):
        yield code
        for const in code.co_consts:
            if hasattr(const, "co_names"):
                yield from codes(const)

    def search(func, depth: int, seen: set) -> str | None:
        func = getattr(func, "__func__", func)  # métodos: la función de debajo
        code = getattr(func, "__code__", None)
        if code is None or id(func) in seen or depth > 3:
            return None
        seen.add(id(func))
        globs = getattr(func, "__globals__", {})
        values = [globs[n] for c in codes(code) for n in c.co_names if n in globs]
        values += [cell.cell_contents for cell in (func.__closure__ or ()) if cell.cell_contents is not None]
        values += list(func.__defaults__ or ()) + list((func.__kwdefaults__ or {}).values())
        for value in values:
            try:
                if id(value) in targets:
                    return targets[id(value)]
                found = search(value, depth + 1, seen) if callable(value) and not isinstance(value, type) else None
                if found:
                    return found
            except Exception:  # un objeto raro en las globales del estudiante: no es lo que buscamos
                continue
        return None

    found = search(fn, 0, set()) if callable(fn) else None
    return f"usas `{found}`, que este ejercicio prohíbe: escribe tú la operación." if found else None


def defines_own(cls, *methods: str) -> str | None:
    """``None`` si la clase ``cls`` define ella misma cada método de ``methods``; si no, un mensaje."""
    if not isinstance(cls, type):
        return f"pasa la clase (sin paréntesis); llegó {type(cls).__name__}."
    missing = [m for m in methods if m not in vars(cls)]
    if missing:
        names = ", ".join(f"`{m}`" for m in missing)
        return f"tu clase `{cls.__name__}` no define su propio {names}: lo hereda sin cambios."
    return None


_DATA_CACHE: dict = {}


def fashion():
    """Fashion-MNIST real, cargado una sola vez y compartido por los correctores."""
    if "data" not in _DATA_CACHE:
        from ..data import load_fashion_mnist

        _DATA_CACHE["data"] = load_fashion_mnist()
    return _DATA_CACHE["data"]


def class_index(answer, classes) -> int | None:
    """Acepta el índice de una clase (0-9) o su nombre en español; devuelve el índice o ``None``."""
    if isinstance(answer, str):
        name = answer.strip().lower()
        return classes.index(name) if name in classes else None
    value = as_int(answer)
    return value if value is not None and 0 <= value < len(classes) else None
