// Boot Pyodide under Node, install the wheels, run tests/lite/driver.py on a folder of jobs.
//
// Usage: node run_pyodide.mjs PYODIDE_DIR WHEEL_DIR... -- JOB_DIR
// PYODIDE_DIR is npm's pyodide package (node_modules/pyodide).  Every *.whl in each WHEEL_DIR is
// unpacked into site-packages (pyodide.unpackArchive wants a Uint8Array, not a Node Buffer).  JOB_DIR
// is mounted at /job (NODEFS), the driver runs there and writes /job/results.json.  Timings of the
// boot and the install go to stdout as one JSON line.
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const sep = args.indexOf("--");
const [pyodideDir, ...wheelDirs] = args.slice(0, sep);
const jobDir = resolve(args[sep + 1]);
const driver = resolve(new URL(".", import.meta.url).pathname, "driver.py");

const t0 = performance.now();
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/" });
const booted = performance.now();
for (const dir of wheelDirs) {
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".whl")).sort()) {
    const bytes = readFileSync(join(dir, name));
    pyodide.unpackArchive(new Uint8Array(bytes), "wheel", { extractDir: "/lib/python3.14/site-packages" });
  }
}
const installed = performance.now();
pyodide.FS.mkdir("/job");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: jobDir }, "/job");
pyodide.FS.writeFile("/job_driver.py", readFileSync(driver));
await pyodide.runPythonAsync(`
import runpy, sys
sys.argv = ["driver.py", "/job"]
runpy.run_path("/job_driver.py", run_name="__main__")
`);
const done = performance.now();
console.log(JSON.stringify({ boot_seconds: (booted - t0) / 1000, install_seconds: (installed - booted) / 1000,
                             run_seconds: (done - installed) / 1000 }));
