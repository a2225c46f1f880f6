"""environment.yml (for conda and Binder users) lists the same packages, with
the same version bounds, as pyproject.toml's dependencies plus its
``notebooks`` extra, and installs raftlib itself with pip.

conda cannot run on these machines (see the Jupyter ecosystem reference, §7),
so this test parses the file with PyYAML, checks each conda spec's syntax (a
package name and an optional version constraint, as conda's MatchSpec writes
them) and compares names (canonicalized, with a small conda -> PyPI rename
map) and version bounds with pyproject.toml read by tomllib.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent

#: conda-forge names that differ from the PyPI name (beyond - / _ / case).
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib", "pytables": "tables", "pytorch": "torch"}
#: conda packages that are not Python distributions of the project.
NOT_PYPI = {"python", "pip"}

_NAME = r"[A-Za-z0-9_][A-Za-z0-9._-]*"
_VERSION = r"[0-9A-Za-z_.+!]+(?:\.\*)?"
_CONSTRAINT = rf"(?:==|!=|>=|<=|>|<|~=|=)?{_VERSION}"
_SPEC = re.compile(rf"^(?P<name>{_NAME})(?: ?(?P<version>{_CONSTRAINT}(?:[,|]{_CONSTRAINT})*))?$")


class SpecError(ValueError):
    """A conda spec that is not ``name`` or ``name<version constraint>``."""


def parse_conda_spec(spec: str) -> tuple[str, SpecifierSet | None]:
    """``"jupyterlab>=4.2,<5"`` -> ("jupyterlab", SpecifierSet(">=4.2,<5")).

    The version part must also be a PEP 440 specifier set when it is one of the
    forms both conda and pip understand (so the two files can be compared);
    conda-only forms (``=1.2``, ``1.2.*``, ``|``) are accepted without it.
    """
    match = _SPEC.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise SpecError(f"not a conda package spec (name, then an optional version "
                        f"constraint like >=1.2,<2): {spec!r}")
    version = match["version"]
    if version is None:
        return match["name"], None
    if "|" in version or re.search(r"(?:^|,)(?:=?[0-9]|=[^=])", version):
        return match["name"], None  # conda-only syntax: checked by the pattern alone
    try:
        return match["name"], SpecifierSet(version)
    except InvalidSpecifier as error:
        raise SpecError(f"bad version constraint in {spec!r}: {error}") from None


def pypi_name(conda_name: str) -> str:
    name = canonicalize_name(conda_name)
    return canonicalize_name(CONDA_TO_PYPI.get(name, name))


def compare(conda_specs: list[str], requirements: list[str]) -> list[str]:
    """What differs between the conda specs and the PEP 508 requirements."""
    conda = {}
    for spec in conda_specs:
        name, version = parse_conda_spec(spec)
        if canonicalize_name(name) not in NOT_PYPI:
            conda[pypi_name(name)] = version
    pypi = {canonicalize_name(r.name): r.specifier for r in map(Requirement, requirements)}
    problems = []
    if sorted(set(pypi) - set(conda)):
        problems.append(f"not in environment.yml: {sorted(set(pypi) - set(conda))}")
    if sorted(set(conda) - set(pypi)):
        problems.append(f"not in pyproject.toml: {sorted(set(conda) - set(pypi))}")
    for name in sorted(set(conda) & set(pypi)):
        if conda[name] is not None and conda[name] != pypi[name]:
            problems.append(f"{name}: environment.yml says {conda[name]}, pyproject.toml "
                            f"says {pypi[name] or 'any version'}")
    return problems


# ------------------------------------------------------------------ the files
@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def conda_specs(environment: dict) -> list[str]:
    return [d for d in environment["dependencies"] if not isinstance(d, dict)]


def test_name_and_channel(environment):
    assert environment["name"] == "raft-course"
    assert environment["channels"] == ["conda-forge"]


def test_every_conda_spec_is_well_formed(environment):
    specs = conda_specs(environment)
    assert specs, "no conda packages listed"
    for spec in specs:
        parse_conda_spec(spec)
    assert all(isinstance(d, (str, dict)) for d in environment["dependencies"])


def test_same_packages_and_bounds_as_pyproject(environment, project):
    requirements = project["dependencies"] + project["optional-dependencies"]["notebooks"]
    assert compare(conda_specs(environment), requirements) == []


def test_python_version_matches_requires_python(environment, project):
    python = [parse_conda_spec(s)[1] for s in conda_specs(environment)
              if parse_conda_spec(s)[0] == "python"]
    assert python == [SpecifierSet(project["requires-python"])]


def test_pip_installs_the_package_itself(environment):
    pip_sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    assert pip_sections == [["-e ."]]
    assert "pip" in conda_specs(environment)  # conda needs pip to run the pip section


# ------------------------------------------------ the checker itself is sharp
@pytest.mark.parametrize("spec", ["jupyterlab>=>4", "pandas >= 2.0", "pandas>=2.0 extra",
                                  ">=2.0", "", "nbgrader>=0.9.5,,<0.10", "pandas>=2.0,"])
def test_malformed_specs_are_rejected(spec):
    with pytest.raises(SpecError):
        parse_conda_spec(spec)


@pytest.mark.parametrize("spec, name", [("python>=3.10", "python"), ("pip", "pip"),
                                        ("numpy=1.26", "numpy"), ("scipy 1.11.*", "scipy"),
                                        ("jupyterlab_rise>=0.43", "jupyterlab_rise"),
                                        ("libblas=*=*mkl", None)])
def test_conda_forms(spec, name):
    if name is None:  # build strings are beyond what the course needs: refused
        with pytest.raises(SpecError):
            parse_conda_spec(spec)
    else:
        assert parse_conda_spec(spec)[0] == name


def test_differences_are_named():
    assert compare(["pandas>=2.0", "numpy"], ["pandas>=2.0", "ipywidgets>=8.1"]) == [
        "not in environment.yml: ['ipywidgets']", "not in pyproject.toml: ['numpy']"]
    assert compare(["pandas>=1.5"], ["pandas>=2.0"]) == [
        "pandas: environment.yml says >=1.5, pyproject.toml says >=2.0"]
    assert compare(["matplotlib-base>=3.7", "Jupyterlab_Rise>=0.43"],
                   ["matplotlib>=3.7", "jupyterlab-rise>=0.43"]) == []


def test_binder_environment_is_the_same_without_the_pip_install(environment):
    """Binder installs binder/environment.yml before the repository is copied, so
    its copy lists the same packages and leaves raftlib to binder/postBuild."""
    binder = yaml.safe_load((ROOT / "binder" / "environment.yml").read_text(encoding="utf-8"))
    assert binder["name"] == environment["name"]
    assert binder["channels"] == environment["channels"]
    assert binder["dependencies"] == [d for d in environment["dependencies"] if isinstance(d, str)]
    assert "pip install --no-deps -e ." in (ROOT / "binder" / "postBuild").read_text()
