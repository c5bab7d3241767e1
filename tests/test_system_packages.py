"""scripts/_system_packages.sh: what the test command installs with apt-get, and when it installs nothing.

The script runs in bash with a PATH that holds only the tools it uses and stand-ins for ``id``,
``apt-get`` and ``apt-cache``, so each case (root or not, Debian or Ubuntu's snap-only Chromium,
a package apt cannot install) runs the same on every machine, and nothing is installed.
"""
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "_system_packages.sh"
TOOLS = ("bash", "sed", "grep", "head", "tail", "mktemp", "rm", "cat")
ALL = ("graphviz", "chromium", "bubblewrap")

APT_GET = """#!/bin/bash
echo "$*" >> "$APT_LOG"
[ "$1" = update ] && exit "${FAIL_UPDATE:-0}"
for package in "$@"; do
    case " $FAIL " in *" $package "*) echo "E: Unable to locate package $package"; exit 100;; esac
done
echo "Need to get 1 MB of archives."
echo "After this operation, 2 MB of additional disk space will be used."
"""
APT_CACHE = {  # what `apt-cache policy chromium` and `apt-cache show chromium=V` say
    "debian": ("chromium:\n  Installed: (none)\n  Candidate: 143.0-1~deb12u1\n",
               "Package: chromium\nDepends: libc6\nDescription: web browser\n"),
    "ubuntu-snap": ("chromium:\n  Installed: (none)\n  Candidate: 2:1snap1-0ubuntu2\n",
                    "Package: chromium\nPre-Depends: debconf, snapd\n"
                    "Description: Transitional package - chromium -> chromium snap\n"),
    "none": ("", ""),
}


def _executable(path, text):
    path.write_text(text)
    path.chmod(0o755)


def run(tmp_path, *, uid=0, apt="debian", present=(), env=(), argument=""):
    """Run system_packages; returns (output, the apt-get command lines it ran)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    _executable(bin_dir / "id", f"#!/bin/bash\necho {uid}\n")
    if apt:
        policy, show = APT_CACHE[apt]
        _executable(bin_dir / "apt-get", APT_GET)
        _executable(bin_dir / "apt-cache",
                    f'#!/bin/bash\n[ "$1" = policy ] && printf %s "{policy}" || printf %s "{show}"\n')
    for program in present:
        _executable(bin_dir / program, "#!/bin/bash\n")
    log = tmp_path / "apt.log"
    variables = {"PATH": str(bin_dir), "APT_LOG": str(log), "HOME": str(tmp_path),
                 "MINIGRAD_CHROMIUM": str(bin_dir / "chromium"), **dict(env)}
    command = (f'say() {{ echo "minigrad: $*"; }}; set -euo pipefail; . "{SCRIPT}"; '
               f'system_packages {argument}; echo finished')
    done = subprocess.run([str(bin_dir / "bash"), "-c", command], env=variables,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("finished\n"), done.stdout
    return done.stdout, log.read_text().splitlines() if log.exists() else []


def test_as_root_says_what_and_why_then_installs_what_is_missing(tmp_path):
    out, apt = run(tmp_path)
    assert apt == ["update -q", "install -y -q graphviz chromium bubblewrap"]
    said = out[:out.index("Need to get")]  # all of this before apt-get ran
    for package, why in zip(ALL, ("graph tests", "tests/browser", "grading")):
        assert any(line.startswith(f"  {package}: ") and why in line for line in said.splitlines())
    assert "--no-system-packages" in said and "MINIGRAD_NO_SYSTEM_PACKAGES=1" in said
    assert "After this operation, 2 MB" in out


def test_only_the_missing_packages_are_installed(tmp_path):
    _, apt = run(tmp_path, present=("dot",))
    assert apt[-1] == "install -y -q chromium bubblewrap"


def test_nothing_missing_means_nothing_said_or_run(tmp_path):
    out, apt = run(tmp_path, present=("dot", "bwrap", "chromium"))
    assert out == "finished\n" and apt == []


@pytest.mark.parametrize("apt", ["ubuntu-snap", "none"])
def test_a_chromium_apt_cannot_really_install_is_skipped_with_the_reason(tmp_path, apt):
    out, commands = run(tmp_path, apt=apt)
    assert commands[-1] == "install -y -q graphviz bubblewrap"
    reason = "transitional package for the snap" if apt == "ubuntu-snap" else "no chromium package"
    assert reason in out and "browser tests skip" in out


def test_a_package_that_fails_keeps_none_of_the_others_out(tmp_path):
    out, apt = run(tmp_path, env={"FAIL": "bubblewrap"})
    assert apt[1:] == ["install -y -q graphviz chromium bubblewrap", "install -y -q graphviz",
                       "install -y -q chromium", "install -y -q bubblewrap"]
    assert "apt-get install bubblewrap failed; continuing" in out
    assert "Unable to locate package bubblewrap" in out


def test_a_failed_apt_get_update_installs_nothing_and_goes_on(tmp_path):
    out, apt = run(tmp_path, env={"FAIL_UPDATE": "100"})
    assert apt == ["update -q"] and "apt-get update failed" in out


def test_not_root_installs_nothing_and_says_which_tests_skip(tmp_path):
    out, apt = run(tmp_path, uid=1000)
    assert apt == []
    assert "graphviz chromium bubblewrap are missing" in out and "skipped" in out


def test_without_apt_get_installs_nothing(tmp_path):
    out, apt = run(tmp_path, apt=None)
    assert apt == [] and "are missing" in out


def test_no_system_packages_turns_it_off(tmp_path):
    out, apt = run(tmp_path, env={"MINIGRAD_NO_SYSTEM_PACKAGES": "1"})
    assert apt == [] and "not installing the system packages" in out


def test_browser_left_out_leaves_chromium_out(tmp_path):
    _, apt = run(tmp_path, argument="--skip-browser")
    assert apt[-1] == "install -y -q graphviz bubblewrap"
