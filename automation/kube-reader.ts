/**
 * Read-only access to a cluster's API for the preflight: GET of a path, with the
 * kubeconfig context's server and credentials (bearer token or token file,
 * client certificate, or an exec credential plugin such as `aws eks get-token`).
 * Five GETs do not justify @kubernetes/client-node: its 2.x needs Node 22
 * (undici 8), and 1.x is ESM-only with @types/node 24 as a runtime dependency.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import { parse as parseYaml } from "yaml";

export interface KubeResponse {
    status: number;
    // API objects are read as plain data.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    body: any;
}

export interface KubeReader {
    /** The API server the reads go to. */
    readonly server: string;
    get(path: string): Promise<KubeResponse>;
}

interface NamedEntry<T> {
    name?: string;
    [key: string]: T | string | undefined;
}
interface ClusterEntry {
    server?: string;
    "certificate-authority-data"?: string;
    "certificate-authority"?: string;
    "insecure-skip-tls-verify"?: boolean;
}
interface ExecConfig {
    command: string;
    args?: string[];
    env?: { name: string; value: string }[];
    apiVersion?: string;
}
interface UserEntry {
    token?: string;
    tokenFile?: string;
    "client-certificate-data"?: string;
    "client-key-data"?: string;
    "client-certificate"?: string;
    "client-key"?: string;
    exec?: ExecConfig;
}

const find = <T>(list: NamedEntry<T>[] | undefined, name: string | undefined, key: string): T | undefined =>
    (list ?? []).find((e) => e?.name === name)?.[key] as T | undefined;
const decode = (b64: string | undefined) => (b64 ? Buffer.from(b64, "base64") : undefined);
const file = (p: string | undefined) => (p ? fs.readFileSync(p) : undefined);

/** Runs an exec credential plugin (client.authentication.k8s.io ExecCredential) and returns its status. */
function execCredential(exec: ExecConfig): { token?: string; clientCertificateData?: string; clientKeyData?: string } {
    const apiVersion = exec.apiVersion ?? "client.authentication.k8s.io/v1beta1";
    const env = { ...process.env, ...Object.fromEntries((exec.env ?? []).map((e) => [e.name, e.value])) };
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: "ExecCredential", spec: { interactive: false } });
    const out = execFileSync(exec.command, exec.args ?? [], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 });
    return (JSON.parse(out) as { status?: object }).status ?? {};
}

/** A reader for `context` of `kubeconfig` (YAML or JSON). Throws when the context or its cluster is missing. */
export function kubeReader(kubeconfig: string, context: string, timeoutMs = 10_000): KubeReader {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const doc = (parseYaml(kubeconfig) ?? {}) as any;
    const ctx = find<{ cluster?: string; user?: string }>(doc.contexts, context, "context");
    if (!ctx) throw new Error(`the kubeconfig has no context "${context}"`);
    const cluster = find<ClusterEntry>(doc.clusters, ctx.cluster, "cluster");
    if (!cluster?.server) throw new Error(`context "${context}" names cluster "${ctx.cluster}", which has no server`);
    const user = find<UserEntry>(doc.users, ctx.user, "user") ?? {};
    const server = cluster.server.replace(/\/+$/, "");
    let credentials: { token?: string; cert?: Buffer; key?: Buffer } | undefined;
    const resolveCredentials = () => {
        if (credentials) return credentials;
        if (user.exec) {
            const s = execCredential(user.exec);
            credentials = {
                token: s.token,
                cert: s.clientCertificateData ? Buffer.from(s.clientCertificateData) : undefined,
                key: s.clientKeyData ? Buffer.from(s.clientKeyData) : undefined,
            };
        } else {
            credentials = {
                token: user.token ?? (user.tokenFile ? fs.readFileSync(user.tokenFile, "utf8").trim() : undefined),
                cert: decode(user["client-certificate-data"]) ?? file(user["client-certificate"]),
                key: decode(user["client-key-data"]) ?? file(user["client-key"]),
            };
        }
        return credentials;
    };
    const ca = decode(cluster["certificate-authority-data"]) ?? file(cluster["certificate-authority"]);
    return {
        server,
        get(path: string): Promise<KubeResponse> {
            const url = new URL(server + path);
            const { token, cert, key } = resolveCredentials();
            const secure = url.protocol === "https:";
            const options: https.RequestOptions = {
                method: "GET",
                headers: { Accept: "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) },
                timeout: timeoutMs,
                ...(secure ? { ca, cert, key, rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true } : {}),
            };
            return new Promise((resolve, reject) => {
                const req = (secure ? https : http).request(url, options, (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let body: unknown = text;
                        try {
                            body = JSON.parse(text);
                        } catch {
                            // a non-JSON error page: keep the text
                        }
                        resolve({ status: res.statusCode ?? 0, body });
                    });
                });
                req.on("timeout", () => req.destroy(new Error(`no answer from ${server} within ${timeoutMs} ms`)));
                req.on("error", reject);
                req.end();
            });
        },
    };
}
