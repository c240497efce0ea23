// Reads Kubernetes manifests (YAML, several documents) from the files named, or from standard input, and checks each
// object against the JSON schema of its apiVersion and kind (the kubernetes-models package carries the Kubernetes
// API's OpenAPI schemas, so nothing is fetched). Prints one line per object; exits 1 if any is invalid or unknown.
//   kubectl kustomize deploy/k8s | node deploy/k8s/validate/validate.mjs
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { parseAllDocuments } from "yaml";

const require = createRequire(import.meta.url);
const inputs = process.argv.length > 2 ? process.argv.slice(2).map((f) => readFileSync(f, "utf8")) : [readFileSync(0, "utf8")];

let failed = 0;
for (const text of inputs) {
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) {
      console.log(`invalid YAML: ${document.errors.map((e) => e.message).join("; ")}`);
      failed++;
      continue;
    }

    const object = document.toJS();
    if (object == null) continue;
    const { apiVersion, kind } = object;
    const name = `${kind}/${object.metadata?.name ?? "?"}`;
    // "apps/v1" -> kubernetes-models/apps/v1/<Kind>; the core group "v1" -> kubernetes-models/v1/<Kind>.
    let Model;
    try {
      Model = require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
    } catch {
      console.log(`unknown ${apiVersion} ${name}: no schema for it`);
      failed++;
      continue;
    }

    try {
      new Model(object).validate();
      console.log(`valid ${apiVersion} ${name}`);
    } catch (error) {
      console.log(`invalid ${apiVersion} ${name}: ${error.message}`);
      failed++;
    }
  }
}

process.exit(failed === 0 ? 0 : 1);
