"""Lo común a los tests que abren el libro y las diapositivas en Chromium sin cabeza (Selenium).

Sirve una carpeta por HTTP en 127.0.0.1 (solo en la propia máquina) y da un Chromium que guarda los
mensajes de la consola. Si falta Chromium, chromedriver, Selenium o las copias locales de npm, el test
se salta con el arreglo; en la integración continua (``CI`` definida) falla en vez de saltarse.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
CHROMEDRIVER = ("chromedriver",)


def missing(reason: str) -> None:
    """Se salta el test (en local) o falla (en la integración continua) con ``reason``."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _which(names: tuple[str, ...]) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


def require_node_modules(*packages: str) -> None:
    """Las copias locales de npm (MathJax, reveal.js) están instaladas."""
    absent = [p for p in packages if not (ROOT / "node_modules" / p / "package.json").exists()]
    if absent:
        missing(f"faltan {', '.join(absent)} en node_modules/: ejecuta `npm ci` en la raíz del repositorio")


@contextmanager
def serve(folder: Path):
    """Sirve ``folder`` en http://127.0.0.1:PUERTO/ mientras dura el bloque; da la dirección base."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # sin una línea por petición
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium(width: int = 1280, height: int = 900):
    """Un Chromium sin cabeza con la consola registrada (``driver.get_log("browser")``)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("falta Selenium: `pip install -r requirements.txt`")
    browser, driver_path = _which(CHROMIUM), _which(CHROMEDRIVER)
    if not browser or not driver_path:
        missing("faltan Chromium o chromedriver: `sudo apt-get install chromium chromium-driver`")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument("--lang=es")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    # La ventana incluye el marco del navegador: se agranda para que lo visible mida width × height.
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    """Los errores de la consola desde la última llamada (una petición fallida cuenta como error)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def png_is_not_blank(png: bytes) -> bool:
    """La captura tiene contenido: no es un solo color."""
    import io

    import matplotlib.image as mpimg

    pixels = mpimg.imread(io.BytesIO(png), format="png")
    return float(pixels[..., :3].std()) > 0.02
