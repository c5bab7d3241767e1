"""The two ways to install (pip with pyproject.toml, conda with environment.yml) agree."""
import pathlib
import re

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = pathlib.Path(__file__).resolve().parents[1]
# conda-forge names of PyPI distributions, where they differ
CONDA_NAME = {"graphviz": "python-graphviz", "playwright": "playwright-python"}
CONDA_ONLY = {"python", "pip", "graphviz"}  # the interpreter, the installer, the system `dot`


def _name_and_spec(requirement):
    m = re.match(r"\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*([^;]*)", requirement)
    return m.group(1).lower(), m.group(3).replace(" ", "")


def _pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith(project["name"])]
    return dict(_name_and_spec(r) for r in reqs)


def _environment_requirements():
    conda, pip, in_pip = {}, {}, False
    text = (ROOT / "environment.yml").read_text()
    for line in text[text.index("dependencies:"):].splitlines():
        item = re.match(r"(\s*)- (.+)", line)
        if not item or line.lstrip().startswith("#"):
            continue
        text = item.group(2).strip()
        if text == "pip:":
            in_pip = True
            continue
        if in_pip and len(item.group(1)) > 2:
            if not text.startswith("-e"):
                name, spec = _name_and_spec(text)
                pip[name] = spec
        else:
            in_pip = False
            name, spec = _name_and_spec(text)
            conda[name] = spec
    return conda, pip


def test_every_pyproject_dependency_is_in_environment_yml_with_the_same_bound():
    conda, pip = _environment_requirements()
    for name, spec in _pyproject_requirements().items():
        conda_name = CONDA_NAME.get(name, name)
        assert conda_name in conda or name in pip, f"{name} is missing from environment.yml"
        assert conda.get(conda_name, pip.get(name)) == spec, f"{name}: bounds differ"


def test_environment_yml_has_nothing_pyproject_lacks():
    conda, pip = _environment_requirements()
    known = {CONDA_NAME.get(n, n) for n in _pyproject_requirements()} | set(_pyproject_requirements())
    extra = (set(conda) | set(pip)) - known - CONDA_ONLY
    assert not extra, f"in environment.yml but not in pyproject.toml: {sorted(extra)}"


def test_environment_yml_installs_the_project_itself():
    assert re.search(r"^\s+- -e \.\s*$", (ROOT / "environment.yml").read_text(), re.M)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.sh" in readme and "scripts/test.sh" in ci
    assert "scripts/lessons.sh" in readme
    # and, after that first run, checks the two commands as a new user meets them next
    checks = (ROOT / ".ci" / "check_commands.sh").read_text()
    assert ".ci/check_commands.sh" in ci
    assert "./scripts/lessons.sh" in checks and "./scripts/test.sh" in checks
