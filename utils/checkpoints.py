"""Guardar y cargar un modelo junto con su configuración, verificado con SHA-256.

El archivo es un ``dict`` con la configuración, los pesos, metadatos y el SHA-256 de los pesos.
Se carga con ``torch.load(..., weights_only=True)``: nunca se ejecuta código guardado en él.
Se escribe primero en un archivo temporal y después se renombra, de modo que un error a mitad
de escritura nunca deja un archivo a medias encima de uno bueno.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import torch

from .vit import ViT, ViTConfig

FORMAT_VERSION = 1


class CheckpointError(ValueError):
    """El punto de control no existe, está dañado o no corresponde al modelo."""


def state_dict_sha256(state_dict: dict[str, torch.Tensor]) -> str:
    """SHA-256 del contenido de los pesos (nombres, tipos, formas y bytes), en orden de nombre."""
    h = hashlib.sha256()
    for name in sorted(state_dict):
        t = state_dict[name].detach().cpu().contiguous()
        h.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return h.hexdigest()


def save_checkpoint(path: str | os.PathLike, model: ViT, metadata: dict | None = None) -> Path:
    """Guarda ``model`` (pesos y configuración) en ``path`` de forma atómica.

    Args:
        path: archivo de destino (se crean las carpetas que falten).
        model: un :class:`~utils.vit.ViT`.
        metadata: datos extra serializables (exactitud, épocas, receta...).

    Returns:
        La ruta escrita.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    payload = {
        "format_version": FORMAT_VERSION,
        "config": model.config.to_dict(),
        "state_dict": state,
        "sha256": state_dict_sha256(state),
        "metadata": dict(metadata or {}),
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        torch.save(payload, tmp)
        try:  # comprobar, antes de sustituir nada, que se podrá cargar con weights_only=True
            torch.load(tmp, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise CheckpointError(
                "Los metadatos del punto de control solo pueden contener tipos simples (números, cadenas, "
                f"listas, diccionarios y tensores); convierte a str o float lo demás ({exc})."
            ) from exc
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp crea el archivo solo legible por su dueño
        os.replace(tmp, path)  # atómico: o el archivo viejo o el nuevo, nunca uno a medias
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


def load_checkpoint(
    path: str | os.PathLike, model: ViT | None = None, map_location: str | torch.device = "cpu"
) -> tuple[ViT, dict]:
    """Carga un punto de control guardado con :func:`save_checkpoint` y verifica su SHA-256.

    Args:
        path: archivo ``.pt``.
        model: opcional; si se da, su configuración debe coincidir con la guardada y se cargan en él los pesos.
        map_location: dispositivo destino (por defecto la CPU, sea cual sea el que lo guardó).

    Returns:
        ``(modelo, metadatos)``, con el modelo en modo evaluación.

    Raises:
        FileNotFoundError: si el archivo no existe.
        CheckpointError: si está truncado o dañado, el SHA-256 no coincide o la configuración no es la del modelo.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"No existe el punto de control '{path}'. Comprueba la ruta, o entrena y guarda uno con "
            "save_checkpoint(ruta, modelo)."
        )
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:
        raise CheckpointError(
            f"No se puede leer el punto de control '{path}': está truncado, dañado o no es un archivo de PyTorch "
            f"({type(exc).__name__}). Vuelve a descargarlo o a guardarlo."
        ) from exc
    if not isinstance(payload, dict) or not {"config", "state_dict", "sha256"} <= set(payload):
        raise CheckpointError(f"'{path}' no es un punto de control del curso (faltan config, state_dict o sha256).")
    actual = state_dict_sha256(payload["state_dict"])
    if actual != payload["sha256"]:
        raise CheckpointError(
            f"El SHA-256 de los pesos de '{path}' no coincide (guardado {payload['sha256'][:12]}…, "
            f"calculado {actual[:12]}…): el archivo está dañado o fue modificado. Vuelve a descargarlo o a guardarlo."
        )
    saved = ViTConfig.from_dict(payload["config"])
    if model is None:
        model = ViT(config=saved)
    elif model.config != saved:
        diff = {k: (v, getattr(saved, k)) for k, v in model.config.to_dict().items() if getattr(saved, k) != v}
        detail = ", ".join(f"{k}: modelo={a}, archivo={b}" for k, (a, b) in diff.items())
        raise CheckpointError(
            f"La configuración de '{path}' no coincide con la del modelo ({detail}). "
            "Crea el modelo con la configuración guardada: load_checkpoint(ruta) sin pasar modelo."
        )
    model.load_state_dict(payload["state_dict"])
    model.to(map_location).eval()
    return model, dict(payload.get("metadata", {}))
