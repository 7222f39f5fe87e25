"""requirements.txt y environment.yml describen el mismo entorno; el README y la CI usan la misma orden."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _requirements(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        line = line.split("#")[0].strip().lstrip("-").strip()
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*([<>=!~].*)?$", line)
        if m and line not in {"pip", "python=3.11"} and not line.startswith(("python=", "pip:")):
            out[m.group(1).lower()] = (m.group(2) or "").replace(" ", "")
    return out


def test_environment_yml_matches_requirements():
    req = _requirements((ROOT / "requirements.txt").read_text())
    pip_section = (ROOT / "environment.yml").read_text().split("- pip:")[1]
    env = _requirements(pip_section)
    assert req == env, f"requirements.txt y environment.yml difieren: {set(req.items()) ^ set(env.items())}"
    assert "torch" in req and "torchvision" in req


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text()
    commands = re.findall(r"```(?:bash|sh)\n(.+?)\n```", readme)
    test_cmd = [c for c in commands if "pytest" in c]
    assert len(test_cmd) == 1 and "\n" not in test_cmd[0], "el README debe tener una sola orden de tests, en una línea"
    assert test_cmd[0] in ci.splitlines(), ".ci/run debe ejecutar exactamente la orden de tests del README"
    install = [c for c in commands if "jupyter lab" in c]
    assert len(install) == 1 and "requirements.txt" in install[0]


def test_requirements_do_not_force_a_torch_reinstall_in_colab():
    colab = _requirements((ROOT / "requirements-colab.txt").read_text())
    assert "torch" not in colab and "torchvision" not in colab
