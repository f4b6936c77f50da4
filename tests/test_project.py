"""The project's own promises: setup files agree, the README shows the two commands."""

from __future__ import annotations

import re
import tomllib

import yaml

from .conftest import ROOT


def _requirement_name(spec: str) -> str:
    return re.split(r"[\s<>=!~;\[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_no_dependency_pyproject_lacks():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    project = pyproject["project"]
    declared = {_requirement_name(d) for d in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {_requirement_name(d) for d in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_only = {"python", "pip"}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                assert pip_dep.startswith("-e ."), f"environment.yml installs {pip_dep!r} outside pyproject.toml"
                extras = re.findall(r"\[([^\]]+)\]", pip_dep)
                for name in extras[0].split(",") if extras else []:
                    assert name in project["optional-dependencies"], name
        else:
            assert _requirement_name(dep) in conda_only | declared, f"{dep!r} is not in pyproject.toml"


def test_pyproject_pins_lower_bounds_and_extras():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    assert {"dev", "bench", "dask"} <= set(project["optional-dependencies"])
    for spec in project["dependencies"] + sum(project["optional-dependencies"].values(), []):
        assert ">=" in spec, f"{spec} has no lower bound"


def test_readme_shows_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_seed_article_is_committed_byte_for_byte(seed_gold):
    raw = (ROOT / "data" / "articles" / "nato-stoltenberg-2021-08-17.md").read_bytes()
    assert raw.endswith(seed_gold["text"].encode("utf-8"))


def test_lexicons_load_as_the_pure_python_safe_loader_reads_them():
    # load_lexicon uses libyaml's loader when there is one: same objects, same types
    from analysis.lexicons import load_lexicon

    for path in sorted((ROOT / "analysis" / "lexicons").glob("*.yaml")):
        expected = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        assert repr(load_lexicon(path.name)) == repr(expected), path.name
