"""environment.yml (conda) and pyproject.toml (pip) describe the same packages."""

import re
import tomllib

import yaml

from zwt_analysis import config

# conda-forge names that differ from the PyPI name
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_the_pyproject_packages():
    pyproject = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())
    pip_pkgs = {_name(s) for s in pyproject["project"]["dependencies"]}
    own = _name(pyproject["project"]["name"])
    for extra in pyproject["project"]["optional-dependencies"].values():
        pip_pkgs |= {_name(s) for s in extra if _name(s) != own}  # `dev` = the own extras
    env = yaml.safe_load((config.PROJECT_ROOT / "environment.yml").read_text())
    conda = {
        CONDA_TO_PYPI.get(_name(d), _name(d))
        for d in env["dependencies"]
        if isinstance(d, str) and _name(d) not in {"python", "pip"}
    }
    assert conda == pip_pkgs, f"only in conda: {conda - pip_pkgs}; only in pyproject: {pip_pkgs - conda}"
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
