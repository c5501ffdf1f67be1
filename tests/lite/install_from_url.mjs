// The wheel-URL route of docs/excel-lite.md: a requirements.txt line that is the URL of our wheel,
// installed the way xlwings Lite installs requirements (Pyodide's micropip), from a local https-less
// stand-in for the admin's server that sends the CORS header Lite needs.
//
// Usage: node install_from_url.mjs PYODIDE_DIR DEPS_WHEEL_DIR MICROPIP_WHEEL_DIR OUR_WHEEL URL_PATH
// Prints one JSON line: {"installed": version, "module": path, "requested": [paths the server saw]}.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

const [pyodideDir, depsDir, micropipDir, ourWheel, urlPath] = process.argv.slice(2);
const requested = [];
const server = createServer((req, res) => {
  requested.push(req.url);
  res.setHeader("Access-Control-Allow-Origin", "*");
  if (req.url === urlPath) {
    res.writeHead(200, { "Content-Type": "application/octet-stream" });
    res.end(readFileSync(ourWheel));
  } else {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}${urlPath}`;
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/" });
for (const dir of [depsDir, micropipDir]) {
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".whl")).sort()) {
    pyodide.unpackArchive(new Uint8Array(readFileSync(join(dir, name))), "wheel",
                          { extractDir: "/lib/python3.14/site-packages" });
  }
}
pyodide.globals.set("REQUIREMENT", url);
const result = await pyodide.runPythonAsync(`
import json, importlib.metadata
import micropip
await micropip.install(REQUIREMENT)
import xlsbridge.lite
json.dumps({"installed": importlib.metadata.version("xlsbridge"), "module": xlsbridge.lite.__file__})
`);
server.close();
console.log(JSON.stringify({ ...JSON.parse(result), requested }));
