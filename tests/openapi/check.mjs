// check.mjs - checks docs/openapi.yaml against the broker (used by tests/integration/openapi.sh).
//
//   node check.mjs source DOC SRC_ROOT         documented routes == the cm_server_route() calls of the broker's sources
//   node check.mjs probe DOC BROKER_URL        every documented path is served with exactly its documented methods
//   node check.mjs validate DOC RECORDS.jsonl  every recorded answer matches its documented status, type and schema
//
// Prints one "ok"/"FAIL" line per check; exits 1 when any failed, 2 on a usage or input error.
// An operation with `x-ob-requires-source: <path>` is checked only when that file exists under SRC_ROOT (an endpoint
// another part of the tree adds); without it the operation is reported as skipped.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
let failed = 0;
const ok = (msg) => console.log(`ok   - ${msg}`);
const fail = (msg) => {
    failed++;
    console.log(`FAIL - ${msg}`);
};

function loadDoc(file) {
    return parse(fs.readFileSync(file, "utf8"));
}

// [{method, path, op}] of the document; operations requiring an absent source file are left out (and listed in skipped)
function operations(doc, srcRoot, skipped) {
    const out = [];
    for (const [p, item] of Object.entries(doc.paths)) {
        for (const m of METHODS) {
            const op = item[m];
            if (!op) continue;
            const need = op["x-ob-requires-source"];
            if (need && srcRoot && !fs.existsSync(path.join(srcRoot, need))) {
                skipped?.push(`${m.toUpperCase()} ${p} (needs ${need}, not in this tree)`);
                continue;
            }
            out.push({ method: m.toUpperCase(), path: p, op });
        }
    }
    return out;
}

// "/instances/{instance_id}/grants" and "/instances/*/grants" both become "/instances/{}/grants"
const shape = (p) => p.replace(/\{[^}]+\}|\*\*|\*/g, "{}");

function* walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const f = path.join(dir, e.name);
        if (e.isDirectory()) yield* walk(f);
        else if (e.name.endsWith(".c")) yield f;
    }
}

// The routes the broker's sources register: every cm_server_route(server, "METHOD", "/pattern", ...) call in
// oauth-service/src (the broker's handlers) and common/src (endpoints common adds to every server).
function sourceRoutes(srcRoot) {
    const routes = new Map();
    const re = /cm_server_route\s*\(\s*[^,]+,\s*"([A-Z*]+)"\s*,\s*"([^"]+)"/g;
    for (const dir of ["oauth-service/src", "common/src"]) {
        for (const f of walk(path.join(srcRoot, dir))) {
            const text = fs.readFileSync(f, "utf8");
            for (const m of text.matchAll(re)) routes.set(`${m[1]} ${shape(m[2])}`, path.relative(srcRoot, f));
        }
    }
    return routes;
}

function cmdSource(docFile, srcRoot) {
    const skipped = [];
    const documented = new Set(operations(loadDoc(docFile), srcRoot, skipped).map((o) => `${o.method} ${shape(o.path)}`));
    for (const s of skipped) console.log(`skip - ${s}`);
    const served = sourceRoutes(srcRoot);
    if (served.size < 10) fail(`only ${served.size} cm_server_route() calls found under ${srcRoot}: the parser is broken`);
    for (const [r, file] of served) {
        if (documented.has(r)) ok(`served route ${r} (${file}) is documented`);
        else fail(`served route ${r} (${file}) is not in the document`);
    }
    for (const r of documented) if (!served.has(r)) fail(`documented route ${r} is registered by no source file`);
    console.log(`# ${served.size} routes in the sources, ${documented.size} operations documented`);
}

// A concrete path for a template: each parameter replaced by a sample of its kind.
function concrete(p) {
    return p.replace(/\{([^}]+)\}/g, (_, name) =>
        /instance_id|grant_id/.test(name) ? "00000000-0000-4000-8000-000000000000" : name === "issuer_path" ? "x/y" : "probe",
    );
}

// 1 when concrete path c matches template t (a parameter matches one segment; issuer_path one or more)
function matches(t, c) {
    const ts = t.split("/").filter(Boolean), cs = c.split("/").filter(Boolean);
    for (let i = 0; i < ts.length; i++) {
        if (ts[i] === "{issuer_path}") return cs.length > i;
        if (i >= cs.length) return false;
        if (!/^\{.+\}$/.test(ts[i]) && ts[i] !== cs[i]) return false;
    }
    return ts.length === cs.length;
}

// Each documented path is asked with a method no route uses: the router answers 405 with `Allow` listing every method
// served at that path (its own table), or 404 when no route matches. The expected Allow is the union of the methods of
// every documented path that matches the concrete path (e.g. /instances/usage also matches /instances/{instance_id}).
async function cmdProbe(docFile, broker, srcRoot) {
    const skipped = [];
    const ops = operations(loadDoc(docFile), srcRoot, skipped);
    for (const s of skipped) console.log(`skip - ${s}`);
    const paths = [...new Set(ops.map((o) => o.path))];
    for (const p of paths) {
        const c = concrete(p);
        const want = new Set(ops.filter((o) => matches(o.path, c)).map((o) => o.method));
        const res = await fetch(broker + c, { method: "PROPFIND", redirect: "manual", signal: AbortSignal.timeout(10000) });
        const body = await res.text();
        if (res.status !== 405) {
            fail(`${p} (${c}): PROPFIND answered ${res.status}, not 405 (${body.slice(0, 120)})`);
            continue;
        }
        const allow = new Set((res.headers.get("allow") || "").split(/,\s*/).filter(Boolean));
        const missing = [...want].filter((m) => !allow.has(m));
        const extra = [...allow].filter((m) => !want.has(m));
        if (missing.length || extra.length)
            fail(`${p} (${c}): Allow "${[...allow].join(", ")}" vs documented "${[...want].join(", ")}"`);
        else ok(`${p}: served methods ${[...allow].join(", ")} = documented`);
    }
    console.log(`# ${paths.length} documented paths probed`);
}

function responseFor(op, status) {
    return op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses.default;
}

// The request body of a recorded call against the documented request schema: one the broker accepted (2xx) must be
// valid, one it refused for its shape (unknown_field, invalid_field, field_too_large) must not. Other refusals depend
// on state (an unknown service, a public client's secret) and prove nothing about the schema.
const SHAPE_ERRORS = new Set(["unknown_field", "invalid_field", "field_too_large"]);
function checkRequest(r, op, label, compile, deref) {
    if (!r.request) return;
    const media = deref(op.requestBody)?.content?.[r.request_type];
    if (!media) {
        fail(`${label}: a ${r.request_type} request body where the document has none`);
        return;
    }
    let code = null;
    try {
        code = JSON.parse(r.body).code ?? null;
    } catch {}
    const accepted = r.status >= 200 && r.status < 300;
    if (!accepted && !SHAPE_ERRORS.has(code)) return;
    let req;
    if (r.request_type === "application/json") {
        try {
            req = JSON.parse(r.request);
        } catch {
            fail(`${label}: the recorded request is not JSON`);
            return;
        }
    } else req = Object.fromEntries(new URLSearchParams(r.request));
    const validate = compile(media.schema, `${label} request`);
    if (!validate) return;
    const valid = validate(req);
    if (accepted && valid) ok(`${label}: the accepted request body is valid against the document`);
    else if (accepted) fail(`${label}: the broker accepted a request body the document refuses: ${ajv_errors(validate)}`);
    else if (!valid) ok(`${label}: the request body refused as ${code} is invalid against the document too`);
    else fail(`${label}: the broker refused the request body as ${code}, the document accepts it`);
}
const ajv_errors = (v) => (v.errors || []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");

function cmdValidate(docFile, recordsFile) {
    const doc = loadDoc(docFile);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: "openapi.json", components: doc.components }, "openapi.json");
    const deref = (o) => {
        while (o && o.$ref) o = o.$ref.split("/").slice(1).reduce((a, k) => a[k], doc);
        return o;
    };
    // the document's own $refs ("#/components/...") resolved against the registered document
    const rebase = (s) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"openapi.json#/components/'));
    const compile = (schema, label) => {
        try {
            return ajv.compile(rebase(schema));
        } catch (e) {
            fail(`${label}: the documented schema does not compile: ${e.message}`);
            return null;
        }
    };
    const lines = fs.readFileSync(recordsFile, "utf8").split("\n").filter(Boolean);
    const seen = new Set();
    for (const line of lines) {
        const r = JSON.parse(line);
        const label = `${r.method} ${r.path} -> ${r.status} (${r.what})`;
        const op = doc.paths[r.path]?.[r.method.toLowerCase()];
        if (!op) {
            fail(`${label}: no such operation in the document`);
            continue;
        }
        checkRequest(r, op, label, compile, deref);
        const resp = deref(responseFor(op, r.status));
        if (!resp) {
            fail(`${label}: status ${r.status} is not documented`);
            continue;
        }
        const ctype = (r.content_type || "").split(";")[0].trim().toLowerCase();
        if (!resp.content) {
            if (r.body !== "" && r.body != null) fail(`${label}: a body where the document has none`);
            else ok(`${label}: no body, as documented`);
            continue;
        }
        const media = resp.content[ctype];
        if (!media) {
            fail(`${label}: content type "${ctype}" is not documented (${Object.keys(resp.content).join(", ")})`);
            continue;
        }
        let body = r.body;
        if (ctype === "application/json") {
            try {
                body = JSON.parse(r.body);
            } catch {
                fail(`${label}: the body is not JSON`);
                continue;
            }
        }
        const validate = compile(media.schema, label);
        if (!validate) continue;
        if (validate(body)) ok(`${label}: valid against the document`);
        else fail(`${label}: ${ajv.errorsText(validate.errors)}; body ${String(r.body).slice(0, 200)}`);
        seen.add(`${r.method} ${r.path}`);
    }
    console.log(`# ${lines.length} recorded answers of ${seen.size} operations validated`);
}

const [cmd, ...args] = process.argv.slice(2);
try {
    if (cmd === "source" && args.length === 2) cmdSource(...args);
    else if (cmd === "probe" && args.length >= 2) await cmdProbe(...args);
    else if (cmd === "validate" && args.length === 2) cmdValidate(...args);
    else {
        console.error("usage: check.mjs source DOC SRC_ROOT | probe DOC BROKER_URL [SRC_ROOT] | validate DOC RECORDS");
        process.exit(2);
    }
} catch (e) {
    console.error(`check.mjs ${cmd}: ${e.stack || e}`);
    process.exit(2);
}
process.exit(failed ? 1 : 0);
