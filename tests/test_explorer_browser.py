"""El explorador del cuaderno 06 en un navegador de verdad: JupyterLab en Chromium sin cabeza (Selenium).

Abre una copia del cuaderno 06 en JupyterLab (en una carpeta temporal, para que el autoguardado no toque
el repositorio), lo ejecuta entero en modo rápido, mueve cada control del explorador y comprueba que la
figura se redibuja en su sitio (una sola imagen, nueva tras cada cambio) y nunca queda en blanco, y que
marcar «solo errores» o elegir una clase con un número de imagen alto lleva a la primera imagen de la
selección (el fallo del issue 14).

Orden (tarda de 1 a 3 minutos):

    VIT_FAST=1 .venv/bin/python -m pytest tests/test_explorer_browser.py -q -p no:cacheprovider

Si faltan Chromium, chromedriver o Selenium, el test se salta y dice qué instalar
(``sudo apt-get install chromium chromium-driver``; ``pip install selenium``).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "06_visualizacion.ipynb"
TOKEN = "prueba-del-explorador"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab sirviendo una copia del curso (enlaces a utils/ y checkpoints/) en 127.0.0.1."""
    pytest.importorskip("selenium", reason="falta Selenium: pip install -r requirements.txt")
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        pytest.skip("faltan Chromium o chromedriver: sudo apt-get install chromium chromium-driver")
    root = tmp_path_factory.mktemp("curso")
    for name in ("utils", "checkpoints"):
        (root / name).symlink_to(ROOT / name)
    (root / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, root / "notebooks" / NOTEBOOK)
    port = _free_port()
    env = {**os.environ, "VIT_FAST": "1", "PYTHONPATH": str(root)}
    args = [
        sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={TOKEN}",
        "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False", "--allow-root",
    ]  # fmt: skip
    log = open(root / "jupyterlab.log", "w")
    server = subprocess.Popen(args, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.5)
    if server.poll() is not None or time.time() >= deadline:
        server.terminate()
        log.close()
        pytest.fail(f"JupyterLab no arrancó: {(root / 'jupyterlab.log').read_text()[-1500:]}")
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,1000",
    ):
        options.add_argument(arg)
    d = webdriver.Chrome(options=options, service=Service(executable_path=shutil.which("chromedriver")))
    d.set_script_timeout(60)
    try:
        yield d
    finally:
        d.quit()


def _wait(condition, timeout: float, what: str, step: float = 0.25):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    pytest.fail(f"No pasó en {timeout:.0f} s: {what}")


# El explorador es el último VBox de widgets del cuaderno; estas funciones leen su estado en la página.
EXPLORER = "Array.from(document.querySelectorAll('.widget-vbox')).filter(e => e.querySelector('.widget-output')).pop()"

STATE_JS = f"""
const root = {EXPLORER};
if (!root) return null;
const imgs = root.querySelectorAll('.widget-output img');
const readout = root.querySelectorAll('.widget-readout');
return {{
  images: imgs.length,
  src: imgs.length ? imgs[0].src : '',
  width: imgs.length ? imgs[0].naturalWidth : 0,
  info: (root.querySelector('.widget-html-content') || {{textContent: ''}}).textContent,
  readouts: Array.from(readout).map(r => r.textContent.trim()),
  busy: document.querySelectorAll('.jp-InputArea-prompt').length > 0 &&
        Array.from(document.querySelectorAll('.jp-InputArea-prompt')).some(p => p.innerText.includes('*')),
}};
"""


def _state(driver):
    return driver.execute_script(STATE_JS)


def _png_is_not_blank(src: str) -> bool:
    import matplotlib.image as mpimg

    if not src.startswith("data:image/png;base64,"):
        return False
    pixels = mpimg.imread(io.BytesIO(base64.b64decode(src.split(",", 1)[1])), format="png")
    return float(pixels[..., :3].std()) > 0.02


def _settled(driver, previous_src: str, timeout: float = 60):
    """Espera a que haya una figura nueva, una sola, y a que no cambie durante 1,5 s; la devuelve."""

    def ready():
        s = _state(driver)
        return s if s and s["images"] == 1 and s["src"] != previous_src and s["width"] > 0 else None

    s = _wait(ready, timeout, "una figura nueva en el explorador")
    stable_since, last = time.time(), s
    while time.time() - stable_since < 1.5:
        time.sleep(0.3)
        now = _state(driver)
        if now["src"] != last["src"] or now["images"] != 1:
            stable_since, last = time.time(), now
    assert last["images"] == 1, f"la salida del explorador tiene {last['images']} imágenes"
    assert _png_is_not_blank(last["src"]), "la figura del explorador está en blanco"
    return last


def _set_readout(driver, index: int, value) -> None:
    """Escribe un valor en la casilla de lectura del deslizador ``index`` (0 imagen, 1 capa, 2 opacidad)."""
    from selenium.webdriver.common.keys import Keys

    readout = driver.execute_script(f"return {EXPLORER}.querySelectorAll('.widget-readout')[{index}]")
    readout.click()
    driver.execute_script("document.execCommand('selectAll', false, null)")
    readout.send_keys(str(value), Keys.ENTER)


def _select(driver, position: int, text: str) -> None:
    """Elige ``text`` en el desplegable ``position`` (0 clase, 1 cabeza)."""
    from selenium.webdriver.support.ui import Select

    element = driver.execute_script(f"return {EXPLORER}.querySelectorAll('select')[{position}]")
    Select(element).select_by_visible_text(text)


def _click(driver, css: str, position: int = 0) -> None:
    driver.execute_script(f"{EXPLORER}.querySelectorAll({css!r})[{position}].click()")


def test_explorer_in_jupyterlab(lab, driver):
    start = time.time()
    driver.get(f"{lab}/lab/tree/notebooks/{NOTEBOOK}?token={TOKEN}")
    _wait(
        lambda: driver.execute_script(
            "const a = window.jupyterapp; if (!a) return false;"
            "const w = a.shell.currentWidget; return !!(w && w.sessionContext && w.sessionContext.session"
            " && w.sessionContext.session.kernel && w.sessionContext.session.kernel.status === 'idle');"
        ),
        120,
        "JupyterLab abre el cuaderno con su núcleo listo",
    )
    driver.execute_script("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    s = _settled(driver, "", timeout=400)
    _wait(lambda: not _state(driver)["busy"], 400, "el cuaderno termina de ejecutarse")
    s = _state(driver)
    driver.execute_script(f"{EXPLORER}.scrollIntoView()")
    assert "(1 de " in s["info"], s["info"]

    # El fallo del issue 14: con una imagen de número alto, «solo errores» debe ir a la primera imagen.
    _set_readout(driver, 0, 150)
    s = _settled(driver, s["src"])
    assert s["readouts"][0] == "150" and "(151 de " in s["info"], s
    _click(driver, "input[type=checkbox]")
    s = _settled(driver, s["src"])
    assert s["readouts"][0] == "0" and "(1 de " in s["info"], s

    # Lo mismo al elegir una clase.
    _set_readout(driver, 0, 20)
    s = _settled(driver, s["src"])
    _select(driver, 0, "camisa")
    s = _settled(driver, s["src"])
    assert s["readouts"][0] == "0" and "(1 de " in s["info"], s

    # Cada uno de los demás controles redibuja la figura en su sitio.
    _set_readout(driver, 0, 3)
    s = _settled(driver, s["src"])
    assert "(4 de " in s["info"]
    _set_readout(driver, 1, 0)  # capa
    s = _settled(driver, s["src"])
    _select(driver, 1, "cabeza 1")
    s = _settled(driver, s["src"])
    _click(driver, ".widget-toggle-button", 1)  # modo rollout
    s = _settled(driver, s["src"])
    _set_readout(driver, 2, 30)  # opacidad, en tanto por ciento
    s = _settled(driver, s["src"])
    assert s["readouts"][2] == "30", s  # un entero, sin «0.30» con punto
    _click(driver, "input[type=checkbox]")  # quitar «solo errores»
    s = _settled(driver, s["src"])
    _select(driver, 0, "todas")
    s = _settled(driver, s["src"])
    assert s["readouts"][0] == "0" and "(1 de " in s["info"], s
    if os.environ.get("VIT_CAPTURAS"):  # para mirarlo: VIT_CAPTURAS=carpeta pytest tests/test_explorer_browser.py
        driver.save_screenshot(str(Path(os.environ["VIT_CAPTURAS"]) / "explorador.png"))
    print(f"Explorador probado en JupyterLab + Chromium en {time.time() - start:.0f} s")
