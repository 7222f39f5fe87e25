"""Guardar y cargar un modelo junto con su configuración, verificado entero con SHA-256.

El archivo es un ``dict`` con la versión del formato, la configuración, los pesos, los metadatos y
un SHA-256 que lo cubre todo: el JSON canónico de la configuración y los metadatos más los bytes de
cada tensor. Cambiar un número de la configuración (``num_heads`` 4 → 8), un metadato o un byte de
los pesos se detecta al cargar.

Se carga con ``torch.load(..., weights_only=True)``: nunca se ejecuta código guardado en él.
Se escribe primero en un archivo temporal, se fuerza al disco (``fsync``) y después se renombra,
de modo que un error o un corte de luz a mitad de escritura nunca deja un archivo a medias encima
de uno bueno. Un temporal que dejó un guardado interrumpido se borra en el siguiente guardado.

Todo fallo al cargar es un :class:`CheckpointError` que nombra el archivo y dice qué pasa: no
existe, está dañado, es de otro modelo o se pidió en un dispositivo que esta máquina no tiene.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from .validation import InputTypeError, describe
from .vit import ViT, ViTConfig

FORMAT_VERSION = 2  # 2: el SHA-256 cubre configuración, metadatos y pesos; 1: solo los pesos
READABLE_FORMATS = (1, 2)
STALE_TMP_SECONDS = 60  # un temporal nuestro más viejo que esto es de un guardado interrumpido


class CheckpointError(ValueError):
    """El punto de control no existe, está dañado, no corresponde al modelo o no se puede guardar."""


class CheckpointNotFoundError(CheckpointError, FileNotFoundError):
    """El archivo del punto de control no existe."""


class CheckpointDeviceError(CheckpointError):
    """Se pidió cargar en un dispositivo que no existe en esta máquina (el archivo está bien)."""


class CheckpointSaveError(CheckpointError, OSError):
    """No se pudo guardar el punto de control (el archivo anterior, si había, sigue intacto)."""


# --- Huella del contenido ---------------------------------------------------------------------


def state_dict_sha256(state_dict: dict[str, torch.Tensor]) -> str:
    """SHA-256 del contenido de los pesos (nombres, tipos, formas y bytes), en orden de nombre."""
    h = hashlib.sha256()
    for name in sorted(state_dict):
        t = state_dict[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b"")  # también 0-D
    return h.hexdigest()


def canonical_json(value) -> bytes:
    """JSON canónico (claves ordenadas, sin espacios, UTF-8): los mismos datos dan siempre los mismos bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=True).encode()


def checkpoint_sha256(config: dict, metadata: dict, state_dict: dict[str, torch.Tensor]) -> str:
    """SHA-256 del formato 2: JSON canónico de la configuración y los metadatos, más los tensores."""
    h = hashlib.sha256()
    h.update(b"vit-desde-cero/punto-de-control/2\n")
    h.update(canonical_json({"config": config, "metadata": metadata}))
    h.update(b"\n")
    h.update(state_dict_sha256(state_dict).encode())
    return h.hexdigest()


def _clean(value, where: str, depth: int = 0):
    """Copia de ``value`` con solo tipos que se pueden guardar, cargar con weights_only y pasar a JSON."""
    if depth > 50:
        raise CheckpointError(
            f"Los metadatos están anidados más de 50 niveles en {where}: ¿hay una referencia circular?"
        )
    if isinstance(value, np.generic):
        value = value.item()  # np.float64(0.9) → 0.9, sin pérdida
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_clean(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise CheckpointError(
                    f"La clave {k!r} de {where} es {type(k).__name__}; en los metadatos las claves deben ser cadenas: "
                    f"usa str({k!r})."
                )
            out[k] = _clean(v, f"{where}[{k!r}]", depth + 1)
        return out
    if isinstance(value, torch.Tensor):
        fix = ".item()" if value.numel() == 1 else ".tolist()"
        raise CheckpointError(
            f"{where} es {describe(value)}; los metadatos solo guardan números, cadenas, booleanos, None, listas y "
            f"diccionarios: conviértelo con {fix}."
        )
    kind = "una función" if callable(value) else f"un objeto {type(value).__name__}"
    raise CheckpointError(
        f"{where} es {kind} ({describe(value)}), que no se podría volver a cargar de forma segura (weights_only=True). "
        "Los metadatos solo guardan números, cadenas, booleanos, None, listas y diccionarios: conviértelo con "
        "str(...) o float(...), o no lo incluyas."
    )


def check_metadata(metadata: dict | None) -> dict:
    """Comprueba que los metadatos se puedan guardar y volver a cargar; devuelve una copia limpia.

    Se llama antes de entrenar (``train_model``), para no descubrir el problema al final de una época.
    """
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise CheckpointError(
            f"Los metadatos deben ser un diccionario, por ejemplo {{'epocas': 5}}, y llegó {describe(metadata)}."
        )
    return _clean(metadata, "metadata")


def check_checkpoint_target(path: str | os.PathLike) -> Path:
    """Comprueba, antes de entrenar o de guardar, que se pueda escribir un punto de control en ``path``."""
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"La ruta del punto de control debe ser una cadena o un Path y llegó {describe(path)}.")
    path = Path(path)
    if str(path) in ("", "."):
        raise CheckpointSaveError(f"'{path}' no es una ruta de archivo: usa, por ejemplo, 'checkpoints/mi_vit.pt'.")
    if path.is_dir():
        raise CheckpointSaveError(
            f"'{path}' es una carpeta, no un archivo: da la ruta del archivo, por ejemplo '{path / 'mi_vit.pt'}'."
        )
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise CheckpointSaveError(
                    f"No se puede guardar en '{path}': '{parent}' es un archivo, no una carpeta. Elige otra ruta, "
                    "por ejemplo 'checkpoints/mi_vit.pt'."
                )
            break
    return path


# --- Guardar ----------------------------------------------------------------------------------


def _save_error(path: Path, exc: OSError, doing: str) -> CheckpointSaveError:
    if isinstance(exc, PermissionError):
        why = "no hay permiso de escritura (¿es una carpeta de solo lectura?)"
    elif getattr(exc, "errno", None) == 28:
        why = "el disco está lleno"
    else:
        why = f"error del sistema: {exc.strerror or exc}"
    return CheckpointSaveError(  # la causa original queda encadenada (from exc)
        f"No se pudo guardar el punto de control '{path}' al {doing}: {why}. El archivo anterior, si había, "
        "está intacto. Guarda en otra carpeta (por ejemplo 'checkpoints/' del repositorio o tu carpeta personal)."
    )


def _remove_stale_tmp(path: Path) -> None:
    """Borra los temporales de un guardado interrumpido de este mismo archivo (``.nombre.xxxx.tmp``)."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.[A-Za-z0-9_]+\.tmp$")
    now = time.time()
    for old in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if pattern.match(old.name) and old.is_file() and now - old.stat().st_mtime > STALE_TMP_SECONDS:
                old.unlink()
        except OSError:
            pass  # otro proceso lo borró o no se puede: no impide guardar


def _fsync_dir(folder: Path) -> None:
    """Fuerza al disco la entrada del renombrado (en Windows no se puede abrir una carpeta: se omite)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write(path: Path, payload: dict) -> Path:
    """Escribe ``payload`` en ``path`` de forma atómica y duradera, y comprueba que se pueda cargar."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _save_error(path, exc, "crear su carpeta") from exc
    _remove_stale_tmp(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _save_error(path, exc, "crear el archivo temporal") from exc
    os.close(fd)
    try:
        try:
            torch.save(payload, tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())  # los bytes están en el disco antes de sustituir nada
        except OSError as exc:
            raise _save_error(path, exc, "escribir") from exc
        try:  # comprobar, antes de sustituir nada, que se podrá cargar con weights_only=True
            torch.load(tmp, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise CheckpointError(
                f"El punto de control '{path}' no se podría volver a cargar con weights_only=True "
                f"({type(exc).__name__}); no se ha sustituido nada."
            ) from exc
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp crea el archivo solo legible por su dueño
        try:
            os.replace(tmp, path)  # atómico: o el archivo viejo o el nuevo, nunca uno a medias
        except OSError as exc:
            raise _save_error(path, exc, "sustituir el archivo") from exc
        _fsync_dir(path.parent)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def _payload(config: dict, meta: dict, state: dict[str, torch.Tensor]) -> dict:
    """El contenido de un archivo de formato actual, con el SHA-256 de configuración, metadatos y pesos."""
    return {
        "format_version": FORMAT_VERSION,
        "config": config,
        "state_dict": state,
        "metadata": meta,
        "sha256": checkpoint_sha256(config, meta, state),
    }


def save_checkpoint(path: str | os.PathLike, model: ViT, metadata: dict | None = None) -> Path:
    """Guarda ``model`` (pesos y configuración) en ``path`` de forma atómica.

    Args:
        path: archivo de destino (se crean las carpetas que falten).
        model: un :class:`~utils.vit.ViT`.
        metadata: datos extra (exactitud, épocas, receta...): números, cadenas, booleanos, None,
            listas y diccionarios con claves de texto.

    Returns:
        La ruta escrita.

    Raises:
        CheckpointError: si el modelo no es un ViT o los metadatos no se podrían volver a cargar.
        CheckpointSaveError: si no se puede escribir (también es ``OSError``); el archivo anterior queda intacto.
    """
    path = check_checkpoint_target(path)
    if not isinstance(model, ViT):
        raise CheckpointError(
            f"save_checkpoint guarda un ViT del curso (con su ViTConfig) y llegó {type(model).__name__}. "
            "Para otro modelo guarda sus pesos con torch.save(model.state_dict(), ruta)."
        )
    meta = check_metadata(metadata)
    config = model.config.to_dict()
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    return _write(path, _payload(config, meta, state))


# --- Cargar -----------------------------------------------------------------------------------


def _device(map_location, path: Path) -> torch.device:
    """Comprueba ``map_location`` antes de leer nada: un dispositivo que falta no es un archivo dañado."""
    fine = f"El archivo '{path}' no tiene nada malo (no lo borres)"
    if isinstance(map_location, str):
        name = map_location.strip().lower()
        if name == "auto":
            from .train import get_device

            return get_device("auto")
        if name == "gpu":
            has = "esta máquina tiene GPU CUDA" if torch.cuda.is_available() else "esta máquina no tiene GPU CUDA"
            raise CheckpointDeviceError(
                f"map_location='gpu' no es un nombre de dispositivo de PyTorch: usa 'cuda' para la GPU o 'cpu' "
                f"({has}). {fine}."
            )
        try:
            device = torch.device(name)
        except RuntimeError:
            raise CheckpointDeviceError(
                f"map_location={map_location!r} no es un dispositivo conocido: usa 'cpu', 'cuda', 'mps' o 'auto'. "
                f"{fine}."
            ) from None
    elif isinstance(map_location, torch.device):
        device = map_location
    else:
        raise InputTypeError(
            f"map_location debe ser 'cpu', 'cuda', 'mps', 'auto' o un torch.device y llegó {describe(map_location)}."
        )
    if device.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise CheckpointDeviceError(
                f"Se pidió cargar en '{device}', pero esta máquina no tiene GPU CUDA. {fine}: cárgalo en la CPU con "
                "map_location='cpu' (o 'auto', que elige la GPU solo si hay)."
            )
        if device.index is not None and device.index >= count:
            raise CheckpointDeviceError(
                f"Se pidió cargar en '{device}', pero esta máquina tiene {count} GPU (de cuda:0 a cuda:{count - 1}). "
                f"{fine}: usa map_location='cuda:0'."
            )
    elif device.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise CheckpointDeviceError(
                f"Se pidió cargar en 'mps', pero MPS (la GPU de los Mac) no está disponible aquí. {fine}: usa "
                "map_location='cpu'."
            )
    elif device.type != "cpu":
        raise CheckpointDeviceError(
            f"map_location={map_location!r} no es un dispositivo del curso: usa 'cpu', 'cuda' o 'mps'."
        )
    return device


def _read(path: Path) -> dict:
    """Lee el archivo con weights_only=True; cualquier fallo es un CheckpointError que dice qué pasa."""
    if not path.exists():
        raise CheckpointNotFoundError(
            f"No existe el punto de control '{path}'. Comprueba la ruta, o entrena y guarda uno con "
            "save_checkpoint(ruta, modelo)."
        )
    if path.is_dir():
        inside = sorted(p.name for p in path.glob("*.pt"))[:5]
        hint = f" Dentro hay: {', '.join(inside)}; por ejemplo load_checkpoint('{path / inside[0]}')." if inside else ""
        raise CheckpointError(f"'{path}' es una carpeta, no un archivo de punto de control (.pt).{hint}")
    if not path.is_file():
        raise CheckpointError(f"'{path}' no es un archivo normal; da la ruta de un archivo .pt.")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except PermissionError as exc:
        raise CheckpointError(
            f"No hay permiso para leer el punto de control '{path}'; el archivo no está necesariamente dañado: "
            "revisa sus permisos o cópialo a tu carpeta."
        ) from exc
    except Exception as exc:
        text = str(exc).lower()
        if "weights only" in text and "global" in text:  # una clase o función de Python, no datos
            raise CheckpointError(
                f"'{path}' contiene objetos de Python que no son datos (clases o funciones, quizá código): no se "
                "carga, por seguridad (weights_only=True). No es un punto de control del curso o fue modificado: "
                "usa el archivo original o guárdalo de nuevo con save_checkpoint."
            ) from exc
        raise CheckpointError(
            f"No se puede leer el punto de control '{path}': está truncado, dañado o no es un archivo de PyTorch "
            f"({type(exc).__name__}). Vuelve a descargarlo o a guardarlo."
        ) from exc


def _verify(path: Path, payload) -> tuple[int, dict, dict, dict]:
    """Comprueba la estructura y el SHA-256; devuelve (formato, configuración, pesos, metadatos)."""
    if not isinstance(payload, dict) or not {"config", "state_dict", "sha256"} <= set(payload):
        raise CheckpointError(f"'{path}' no es un punto de control del curso (faltan config, state_dict o sha256).")
    version = payload.get("format_version", 1)
    if version not in READABLE_FORMATS:
        newer = isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION
        why = (
            f"se guardó con una versión más nueva del curso (formato {version}; este lee {READABLE_FORMATS}): "
            "actualiza el repositorio (git pull)"
            if newer
            else f"su formato {version!r} no existe: está dañado o no es del curso"
        )
        raise CheckpointError(f"No se puede cargar '{path}': {why}.")
    config, state, meta, sha = payload["config"], payload["state_dict"], payload.get("metadata", {}), payload["sha256"]
    damaged = f"El punto de control '{path}' está dañado o fue modificado"
    if (
        not isinstance(config, dict)
        or not isinstance(meta, dict)
        or not isinstance(sha, str)
        or not isinstance(state, dict)
        or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items())
    ):
        raise CheckpointError(f"{damaged}: su configuración, sus metadatos o sus pesos no tienen el tipo esperado.")
    if version == 1:
        actual = state_dict_sha256(state)
        covers = "los pesos"
    else:
        try:
            actual = checkpoint_sha256(config, meta, state)
        except (TypeError, ValueError) as exc:
            raise CheckpointError(f"{damaged}: sus metadatos no se pueden verificar ({type(exc).__name__}).") from exc
        covers = "la configuración, los metadatos o los pesos"
    if actual != sha:
        raise CheckpointError(
            f"{damaged}: el SHA-256 no coincide (guardado {sha[:12]}…, calculado {actual[:12]}…), así que cambió "
            f"algo en {covers}. Vuelve a descargarlo o a guardarlo."
        )
    if version == 1:
        warnings.warn(
            f"'{path}' es del formato 1, cuyo SHA-256 solo cubre los pesos (no la configuración ni los metadatos). "
            "Vuelve a guardarlo con utils.checkpoints.upgrade_checkpoint(ruta) para que quede verificado entero.",
            UserWarning,
            stacklevel=3,
        )
    return version, config, state, meta


def _check_weights(path: Path, model: ViT, state: dict) -> None:
    """Los nombres y las formas de los pesos guardados son los del modelo (en español, antes de load_state_dict)."""
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    shapes = [
        f"{k}: modelo {tuple(expected[k].shape)}, archivo {tuple(state[k].shape)}"
        for k in sorted(set(expected) & set(state))
        if expected[k].shape != state[k].shape
    ]
    if missing or extra or shapes:
        parts = []
        if missing:
            parts.append(f"faltan {len(missing)} pesos ({', '.join(missing[:3])})")
        if extra:
            parts.append(f"sobran {len(extra)} ({', '.join(extra[:3])})")
        if shapes:
            parts.append(f"{len(shapes)} tienen otra forma ({'; '.join(shapes[:2])})")
        raise CheckpointError(
            f"Los pesos de '{path}' no corresponden a su configuración: {', '.join(parts)}. El archivo es de otro "
            "modelo o de otra versión del curso; vuelve a guardarlo con este código."
        )


def load_checkpoint(
    path: str | os.PathLike, model: ViT | None = None, map_location: str | torch.device = "cpu"
) -> tuple[ViT, dict]:
    """Carga un punto de control guardado con :func:`save_checkpoint` y verifica su SHA-256.

    Args:
        path: archivo ``.pt``.
        model: opcional; si se da, su configuración debe coincidir con la guardada y se cargan en él los pesos.
        map_location: dispositivo destino: ``"cpu"`` (por defecto, sea cual sea el que lo guardó),
            ``"cuda"``, ``"mps"`` o ``"auto"``.

    Returns:
        ``(modelo, metadatos)``, con el modelo en modo evaluación.

    Raises:
        CheckpointNotFoundError: si el archivo no existe (también es ``FileNotFoundError``).
        CheckpointDeviceError: si ``map_location`` no existe en esta máquina (el archivo está bien).
        CheckpointError: si está truncado o dañado, el SHA-256 no coincide o es de otro modelo.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"La ruta del punto de control debe ser una cadena o un Path y llegó {describe(path)}.")
    path = Path(path)
    if model is not None and not isinstance(model, ViT):
        raise CheckpointError(
            f"model debe ser un ViT (o None para crearlo con la configuración guardada) y llegó {type(model).__name__}."
        )
    device = _device(map_location, path)
    _, config, state, meta = _verify(path, _read(path))
    try:
        saved = ViTConfig.from_dict(config)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(
            f"La configuración guardada en '{path}' no es válida: {exc} El archivo está dañado o es de otra versión."
        ) from exc
    if model is None:
        model = ViT(config=saved)
    elif model.config != saved:
        diff = {k: (v, getattr(saved, k)) for k, v in model.config.to_dict().items() if getattr(saved, k) != v}
        detail = ", ".join(f"{k}: modelo={a}, archivo={b}" for k, (a, b) in diff.items())
        raise CheckpointError(
            f"'{path}' es de otro modelo: su configuración no coincide con la del modelo ({detail}). "
            "Crea el modelo con la configuración guardada: load_checkpoint(ruta) sin pasar modelo."
        )
    _check_weights(path, model, state)
    model.load_state_dict(state)
    model.to(device).eval()
    return model, dict(meta)


def upgrade_checkpoint(path: str | os.PathLike, out: str | os.PathLike | None = None) -> Path:
    """Vuelve a firmar un punto de control del formato 1 con el formato actual, sin tocar un bit de los pesos.

    Verifica el archivo viejo (su SHA-256 de los pesos), comprueba que su configuración y sus pesos
    casan, y escribe en ``out`` (por defecto, encima de ``path``, de forma atómica) la misma
    configuración, los mismos tensores y los mismos metadatos con el SHA-256 que lo cubre todo.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"La ruta del punto de control debe ser una cadena o un Path y llegó {describe(path)}.")
    path = Path(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        _, config, state, meta = _verify(path, _read(path))
    model = ViT(config=ViTConfig.from_dict(config))
    _check_weights(path, model, state)
    meta = check_metadata(meta)
    return _write(check_checkpoint_target(out if out is not None else path), _payload(config, meta, state))
