#!/usr/bin/env node
// Peer solver for the envsmith solver cross-check (bench/solve_compare.py).
//
// Solves one conda request with rattler's resolvo solver, as shipped compiled to wasm in the
// npm package @conda-org/rattler, and prints the result as one JSON object on stdout.
//
//   node bench/solve_peer.mjs [REQUEST.json] [--repeat N]
//
// The request comes from the file, or from stdin when no file (or "-") is given:
//   {"channels": ["http://127.0.0.1:8000/conda-index4-channel", ...],
//    "platform": "linux-64",
//    "specs": ["python=2", "numpy>=1.11"],
//    "virtual_packages": [{"name": "__glibc", "version": "2.17", "build": "0"}]}
//
// Output:
//   {"status": "solved", "packages": [{name, version, build, build_number, subdir, fn, url,
//    md5, sha256}, ...], "seconds": S, "load_seconds": null, ...}
//   {"status": "unsolvable", "message": "..."}      (the solver proved there is no solution)
//   {"status": "error", "message": "..."}           (anything else: bad spec, fetch failure)
// Exit status: 0 solved, 1 unsolvable, 2 error.
//
// The package is never part of the repository: install it in a scratch folder
// (docs/solver-crosscheck.md) and point ENVSMITH_RATTLER_DIR at its node_modules
// (default /work/scratch/rattler/node_modules).
//
// What the package's API allows, and what this script does about it:
//  * simpleSolve(specs, channels, platforms, locked) fetches the repodata and solves in one
//    call, so "seconds" is fetch + parse + solve together; "load_seconds" is null.
//  * simpleSolve has no parameter for virtual packages. They are passed as locked packages
//    instead: a locked record that no channel has is still offered to the solver as a
//    candidate (checked with a record depending on __glibc >=2.17/>=2.28), so a dependency on
//    __glibc resolves against exactly the version given, and one on an absent virtual package
//    has no candidate, as with real virtual packages. Virtual records are left out of
//    "packages" and listed in "virtual_packages_used".
//  * The solver runs with the package's defaults (highest versions). Its channel priority, as
//    observed: a name's records in the first channel that has it are preferred, but a later
//    channel's records are still used when a spec rules out all of the first's (conda's strict
//    priority would make that unsolvable); see docs/solver-crosscheck.md.

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

const DEFAULT_DIR = "/work/scratch/rattler/node_modules";

// Writes the one JSON line and exits once it is flushed: stdout to a pipe is asynchronous in
// node, and exiting at once would cut a long solution short.
let written = false;
function write(obj, code) {
    if (written) return;
    written = true;
    process.stdout.write(JSON.stringify(obj) + "\n", () => process.exit(code));
}

class Emitted extends Error {}

function emit(obj, code) {
    write(obj, code);
    throw new Emitted(); // stops the caller; the write callback ends the process
}

function fail(status, message, extra = {}) {
    emit({ status, message, ...extra }, status === "unsolvable" ? 1 : 2);
}

// A Rust panic inside the wasm module is printed through console.error (the package's panic
// hook) and then traps outside any promise this script awaits; keep the text for the report.
const panicText = [];
const consoleError = console.error;
console.error = (...a) => {
    panicText.push(a.map(String).join(" "));
    consoleError(...a);
};
process.on("uncaughtException", (e) => {
    const panic = panicText.join("\n").split("\n\nStack:")[0].trim();
    write({ status: "error", message: `peer crashed: ${panic || errorText(e)}` }, 2);
});

function parseArgs(argv) {
    const args = { file: null, repeat: 1 };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--repeat") {
            args.repeat = Number.parseInt(argv[++i] ?? "", 10);
            if (!(args.repeat >= 1)) fail("error", "--repeat needs a positive integer");
        } else if (a === "-h" || a === "--help") {
            process.stdout.write("usage: node bench/solve_peer.mjs [REQUEST.json|-] [--repeat N]\n");
            process.exit(0);
        } else if (args.file === null) {
            args.file = a;
        } else {
            fail("error", `unexpected argument: ${a}`);
        }
    }
    return args;
}

function readRequest(file) {
    const text = file === null || file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
    let req;
    try {
        req = JSON.parse(text);
    } catch (e) {
        fail("error", `request is not JSON: ${e.message}`);
    }
    if (!Array.isArray(req.channels) || req.channels.length === 0) fail("error", "request needs a non-empty channels array");
    if (!Array.isArray(req.specs) || req.specs.length === 0) fail("error", "request needs a non-empty specs array");
    req.platform ??= "linux-64";
    req.virtual_packages ??= [];
    return req;
}

function loadRattler() {
    const dir = process.env.ENVSMITH_RATTLER_DIR || DEFAULT_DIR;
    // createRequire resolves from a file inside `dir`, so the package's "exports" map picks
    // its node (CommonJS) build, which reads the .wasm next to it.
    const require = createRequire(path.join(path.resolve(dir), "envsmith-solve-peer.cjs"));
    let version = null;
    try {
        version = JSON.parse(readFileSync(path.join(dir, "@conda-org", "rattler", "package.json"), "utf8")).version;
    } catch {
        // reported as null
    }
    const t0 = performance.now();
    let mod;
    try {
        mod = require("@conda-org/rattler");
    } catch (e) {
        fail("error", `cannot load @conda-org/rattler from ${dir} (set ENVSMITH_RATTLER_DIR): ${e.message}`);
    }
    return { mod, version, initSeconds: (performance.now() - t0) / 1000 };
}

// Virtual packages as locked records. The URL only has to parse and be unique.
function virtualRecords(req) {
    return req.virtual_packages.map((v) => {
        if (!v.name || !v.name.startsWith("__")) fail("error", `virtual package name must start with __: ${JSON.stringify(v)}`);
        const version = String(v.version ?? "0");
        const build = String(v.build ?? "0");
        const fn = `${v.name}-${version}-${build}.conda`;
        return {
            url: `file:///envsmith-virtual/${req.platform}/${fn}`,
            packageName: v.name,
            version,
            build,
            buildNumber: 0n,
            filename: fn,
            subdir: req.platform,
            depends: [],
        };
    });
}

function errorText(e) {
    if (e === null || e === undefined) return String(e);
    if (typeof e === "string") return e;
    if (e.message) return e.message;
    return String(e);
}

function toJson(p) {
    return {
        name: p.packageName,
        version: p.version,
        build: p.build,
        build_number: p.buildNumber === undefined ? null : Number(p.buildNumber),
        subdir: p.subdir ?? null,
        fn: p.filename,
        url: p.url,
        md5: p.md5 ?? null,
        sha256: p.sha256 ?? null,
    };
}

async function main() {
    const args = parseArgs(process.argv.slice(2));
    const req = readRequest(args.file);
    const { mod, version, initSeconds } = loadRattler();
    const platforms = req.platform === "noarch" ? ["noarch"] : [req.platform, "noarch"];
    const base = {
        peer: "@conda-org/rattler simpleSolve (resolvo, wasm)",
        rattler_version: version,
        platform: req.platform,
        init_seconds: initSeconds,
    };

    const timing =
        "seconds = one simpleSolve call: repodata fetch + parse + solve (the API does not split them), the fastest of the repeats; " +
        "seconds_first = the first call in the process, slower while the wasm code is still being optimised";
    const times = [];
    let first = null; // {status, key, ...} of the first run; every repeat must agree with it
    for (let i = 0; i < args.repeat; i++) {
        // Fresh objects each time: the solver consumes what it is given.
        const locked = virtualRecords(req);
        const t0 = performance.now();
        let run;
        try {
            const result = await mod.simpleSolve([...req.specs], [...req.channels], platforms, locked);
            const all = result.map(toJson);
            const packages = all.filter((p) => !p.name.startsWith("__"));
            packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
            const virtualUsed = all.filter((p) => p.name.startsWith("__")).map((p) => `${p.name}=${p.version}=${p.build}`).sort();
            run = { status: "solved", packages, virtualUsed, key: JSON.stringify(packages.map((p) => p.url)) };
        } catch (e) {
            const message = errorText(e);
            // resolvo's unsat report starts with this; everything else is a failure to run.
            if (!message.startsWith("Cannot solve the request")) {
                fail("error", message, { ...base, seconds: (performance.now() - t0) / 1000, load_seconds: null });
            }
            run = { status: "unsolvable", message, key: "unsolvable" };
        }
        times.push((performance.now() - t0) / 1000);
        if (first === null) {
            first = run;
        } else if (first.key !== run.key) {
            fail("error", "the peer gave different answers for the same request on repeat", base);
        }
    }

    const stats = { seconds: Math.min(...times), seconds_first: times[0], seconds_all: times, load_seconds: null, timing };
    if (first.status === "unsolvable") {
        emit({ status: "unsolvable", message: first.message, ...base, ...stats }, 1);
    }
    emit({ status: "solved", ...base, packages: first.packages, virtual_packages_used: first.virtualUsed, ...stats }, 0);
}

main().catch((e) => {
    if (e instanceof Emitted) return;
    try {
        fail("error", errorText(e));
    } catch {
        // emitted
    }
});
