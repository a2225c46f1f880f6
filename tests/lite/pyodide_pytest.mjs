// Run pytest inside Pyodide under Node: node pyodide_pytest.mjs CORE REPO WHEELS [pytest args...]
// CORE is npm's pyodide package (the version the site uses), REPO this checkout (mounted
// read-only in spirit: no bytecode, no pytest cache is written), WHEELS a folder of pure
// wheels (raftlib's from the built site, pytest and hypothesis from PyPI) unpacked into
// site-packages. The exit code is pytest's.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [core, repo, wheels, ...args] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(core, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: core + path.sep });
for (const [dir, at] of [[repo, "/repo"], [wheels, "/wheels"]]) {
  py.FS.mkdirTree(at);
  py.FS.mount(py.FS.filesystems.NODEFS, { root: dir }, at);
}
py.globals.set("ARGS", py.toPy(args));
const code = `
import glob, os, site, sys, zipfile
sys.dont_write_bytecode = True
packages = site.getsitepackages()[0]
for wheel in sorted(glob.glob("/wheels/*.whl")):
    zipfile.ZipFile(wheel).extractall(packages)
sys.path = [p for p in sys.path if p not in ("", ".", "/repo")]
os.chdir("/repo")
import raftlib
assert raftlib.__file__.startswith(packages), raftlib.__file__  # the wheel, not the checkout
print("python", sys.version.split()[0], sys.platform, "raftlib from", os.path.dirname(raftlib.__file__))
import pytest
int(pytest.main(["-p", "no:cacheprovider", "--rootdir=/repo", "-c", "/repo/pyproject.toml", *ARGS]))
`;
let rc;
try {
  rc = await py.runPythonAsync(code);
} catch (error) {
  console.error(String(error));
  rc = 3;
}
process.exit(rc);
