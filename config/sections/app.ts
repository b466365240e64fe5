/** `hangar:app`: the app tier's namespace, how traffic reaches it, and its services. */
import { z } from "zod";
import { listenerCovers } from "../../policies/values/hostname";
import { parseImage } from "../../policies/values/image";
import { compareQuantities, parseQuantity } from "../../policies/values/quantity";
import { above, type Doc, get, list, num, str } from "../document";
import { isPlainObject } from "../merge";
import { each, type Row, type Scope } from "../rule-table";
import { bucketRules, bucketSchema, serviceBuckets } from "../app-buckets";
import { bool, dnsLabel, hostname, httpPath, intIn, mapping, nonEmpty, pattern, pinnedImage } from "../primitives";

/** Kubernetes quantities: `250m`, `1`, `512Mi`, `2Gi`. */
const cpuQuantity = pattern(/^(\d+m|\d+(\.\d+)?)$/, "a CPU quantity such as 250m or 1");
const memoryQuantity = pattern(/^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "a memory quantity such as 256Mi or 1Gi");
const envName = pattern(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name such as LOG_LEVEL");
const wildcardHostname = pattern(
    /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/,
    "a hostname such as api.example.com or *.example.com",
);
const strings = () => z.array(z.string({ error: "expected a string" }), { error: "expected a list of strings" });
const annotations = () => z.record(z.string(), z.string({ error: "expected a string value" }), { error: "expected a mapping" });

/** Settings every service shares; `app.serviceDefaults` sets them once, a service overrides. */
const serviceSettings = {
    /** `gateway` (HTTPRoute on app.gateway) or `ingress` (Ingress with app.ingress.className). */
    exposure: z.enum(["gateway", "ingress"], { error: "expected gateway or ingress" }),
    replicas: mapping({ min: intIn(1, 100), max: intIn(1, 100) }),
    resources: mapping({
        requests: mapping({ cpu: cpuQuantity, memory: memoryQuantity }),
        limits: mapping({ cpu: cpuQuantity.optional(), memory: memoryQuantity }),
    }),
    probes: mapping({
        liveness: httpPath,
        readiness: httpPath,
        startup: httpPath,
        periodSeconds: intIn(1, 300),
        timeoutSeconds: intIn(1, 60),
        failureThreshold: intIn(1, 30),
        /** Startup probe failures allowed: periodSeconds × this is the boot budget. */
        startupFailureThreshold: intIn(1, 120),
    }),
    autoscaling: mapping({ cpuUtilization: intIn(10, 100), memoryUtilization: intIn(10, 100) }),
    /** Opt-in egress to any address on 443 (external APIs); DNS and the data tier are always allowed. */
    allowHttpsEgress: bool(),
    /** Paths mounted as writable emptyDir volumes (the root filesystem is read-only). */
    writablePaths: z.array(pattern(/^\/[\w./-]*$/, "an absolute path"), { error: "expected a list of absolute paths" }),
    /** `rolling` (Deployment) or an Argo Rollout: `canary` (steps of traffic weight) or `blueGreen` (active + preview Services). */
    strategy: z.enum(["rolling", "canary", "blueGreen"], { error: "expected rolling, canary or blueGreen" }),
    canary: mapping({
        /** Traffic weights in increasing order, each held pauseSeconds (0: until a manual promotion). */
        steps: z
            .array(mapping({ weight: intIn(1, 99), pauseSeconds: intIn(0, 86400) }), { error: "expected a list of {weight, pauseSeconds}" })
            .min(1, { error: "expected at least one step" }),
    }),
    blueGreen: mapping({ autoPromote: bool(), scaleDownDelaySeconds: intIn(0, 3600) }),
    /** The analysis of a canary or blue-green rollout; thresholds default to monitoring.thresholds. */
    analysis: mapping({
        intervalSeconds: intIn(10, 3600),
        failureLimit: intIn(0, 10),
        errorRatio: z
            .number({ error: "expected a ratio between 0 and 1" })
            .gt(0)
            .lt(1, { error: "expected a ratio between 0 and 1" })
            .optional(),
        latencyP95Seconds: z.number({ error: "expected seconds" }).positive({ error: "expected seconds > 0" }).optional(),
    }),
};

export const serviceSchema = mapping({
    name: dnsLabel,
    /** Pinned image; or `build` to build and push one to ECR (needs a Docker daemon at `pulumi up`). */
    image: pinnedImage.optional(),
    build: mapping({
        context: nonEmpty("a build context directory"),
        dockerfile: z.string({ error: "expected a Dockerfile path" }).optional(),
        target: z.string({ error: "expected a build stage name" }).optional(),
    }).optional(),
    port: intIn(1, 65535),
    command: strings().optional(),
    args: strings().optional(),
    /** Plain (non-secret) environment variables. */
    env: z
        .record(envName, z.string({ error: "expected a string value (quote numbers and booleans)" }), {
            error: "expected a mapping of names to values",
        })
        .optional(),
    /** Environment variables read from keys of Kubernetes Secrets. */
    secretEnv: z
        .array(mapping({ name: envName, secret: dnsLabel, key: pattern(/^[-._a-zA-Z0-9]+$/, "a Secret key") }), {
            error: "expected a list of {name, secret, key}",
        })
        .optional(),
    /** Reachable from outside the cluster through app.gateway or app.ingress. */
    public: bool().default(false),
    host: hostname.optional(),
    /** Controller-specific Ingress annotations (rate limits, timeouts) for this service. */
    ingressAnnotations: annotations().optional(),
    metrics: mapping({ port: intIn(1, 65535), path: httpPath }).optional(),
    /** A Job with the service's image that runs `command` on the database writer before each new image rolls out. */
    migration: mapping({
        command: z.array(z.string({ error: "expected a string" }), { error: "expected a list of strings" }).min(1, {
            error: "expected at least the executable",
        }),
        activeDeadlineSeconds: intIn(60, 86400).optional(),
        backoffLimit: intIn(0, 10).optional(),
    }).optional(),
    /** App buckets (app.buckets[].name) the service reads and writes, through its own ServiceAccount and IRSA role. */
    buckets: serviceBuckets,
    ...serviceSettings,
});

export const appSchema = mapping({
    /** Namespace of the app tier. */
    namespace: dnsLabel,
    /** The TLS Gateway public services attach to in `gateway` exposure. */
    gateway: mapping({
        namespace: dnsLabel,
        name: dnsLabel,
        /** The HTTPS listener every HTTPRoute names (`parentRefs[].sectionName`). */
        listener: dnsLabel,
        /** The listener's hostname; every public host must fall under it. Required when a public service uses the gateway. */
        hostname: wildcardHostname.optional(),
    }),
    /** Ingress settings for `ingress` exposure. */
    ingress: mapping({
        /** Required when a public service uses `ingress` exposure. */
        className: dnsLabel.optional(),
        /** cert-manager ClusterIssuer that signs the Ingress certificates. */
        clusterIssuer: dnsLabel,
        annotations: annotations(),
    }),
    /**
     * Where public traffic comes from: `namespace` (the gateway/ingress controller's pods, in
     * `trafficNamespace`) or `vpc` (load-balancer ENIs, e.g. AWS Load Balancer Controller IP
     * targets: an ipBlock of the VPC CIDR).
     */
    trafficSource: z.enum(["namespace", "vpc"], { error: "expected namespace or vpc" }),
    trafficNamespace: dnsLabel,
    /** Namespace quota (ResourceQuota `hard`). */
    quota: mapping({ requestsCpu: cpuQuantity, requestsMemory: memoryQuantity, limitsMemory: memoryQuantity, pods: intIn(1, 10000) }),
    /**
     * The Argo Rollouts controller that runs canary and blue-green services: `chart` installs argo-rollouts
     * (pinned) in its own restricted namespace, `existing` uses one the cluster already runs.
     */
    rollouts: mapping({
        mode: z.enum(["chart", "existing"], { error: "expected chart or existing" }),
        namespace: dnsLabel,
        chartVersion: pattern(/^\d+\.\d+\.\d+$/, "a chart version such as 2.41.0"),
        /**
         * The Gateway API traffic-router plugin the controller downloads from `location` at start (egress to it, or a
         * file:// copy in the image); without it, canary traffic is split by replica counts.
         */
        gatewayPlugin: mapping({
            location: pattern(/^(https:\/\/\S+|file:\/\/\S+)$/, "an https:// or file:// URL"),
            sha256: pattern(/^[a-f0-9]{64}$/, "a SHA-256 hex digest"),
        }).optional(),
        /** Apply canary routes' rules in this `up`: the second step of a rules change (README, "Progressive delivery"). */
        applyRouteRules: bool(),
    }),
    /** Defaults for every service; each service may override any of them. */
    serviceDefaults: mapping(serviceSettings),
    services: z.array(serviceSchema, { error: "expected a list of services" }),
    /** The application's S3 buckets (config/app-buckets.ts). */
    buckets: z.array(bucketSchema, { error: "expected a list of buckets" }),
});

// ------------------------------------------------------------------- rules

/** One service (a mapping; other entries are the schema's to report), as `app.services[i]`. */
type ServiceScope = Scope & { service: Doc; i: number; at: string; names: unknown[] };
type SecretEnvScope = ServiceScope & { entry: Doc; j: number };

function services(s: Scope): ServiceScope[] {
    const all = list(get(s.doc, "app.services"));
    const names = all.map((service) => (isPlainObject(service) ? service.name : undefined));
    return all.flatMap((service, i) => (isPlainObject(service) ? [{ ...s, service, i, at: `app.services[${i}]`, names }] : []));
}

/** The image's tag when it is one that moves in this environment (a digest pins the image whatever its tag). */
function movingTag({ service, minimums }: ServiceScope): string | undefined {
    const image = str(service.image);
    if (!image) return undefined;
    const { tag, digest } = parseImage(image);
    return digest === undefined && tag && minimums.forbiddenImageTags.includes(tag) ? tag : undefined;
}

const isPublic = (s: ServiceScope, exposure?: string) =>
    s.service.public === true && (exposure === undefined || s.service.exposure === exposure);
const host = (s: ServiceScope) => str(s.service.host);
const listenerHost = (s: ServiceScope) => str(get(s.doc, "app.gateway.hostname"));
const replicas = (s: ServiceScope, bound: "min" | "max") => get(s.service, `replicas.${bound}`);
const request = (s: ServiceScope, kind: string) => get(s.service, `resources.requests.${kind}`);
const limit = (s: ServiceScope, kind: string) => get(s.service, `resources.limits.${kind}`);
const quantity = (value: unknown) => (typeof value === "string" ? parseQuantity(value) : undefined);
/** The request exceeds the limit (both well-formed quantities). */
function overLimit(s: ServiceScope, kind: string): boolean {
    const r = quantity(request(s, kind));
    const l = quantity(limit(s, kind));
    return r !== undefined && l !== undefined && compareQuantities(r, l) > 0;
}

const serviceRules: Row<ServiceScope>[] = [
    {
        path: "app.services[i].name",
        when: ({ service, i, names }) => typeof service.name === "string" && names.indexOf(service.name) !== i,
        message: ({ service }) => `duplicate service name "${String(service.name)}"`,
    },
    {
        path: "app.services[i].image",
        when: ({ service }) => (service.image === undefined) === (service.build === undefined),
        message: "set exactly one of image (pinned by tag or digest) or build",
    },
    {
        path: "app.services[i].image",
        when: (s) => movingTag(s) !== undefined,
        message: (s) => `the tag :${movingTag(s)} moves; ${s.environment} pins images by version tag or digest`,
    },
    {
        path: "app.services[i].host",
        when: (s) => isPublic(s) && host(s) === undefined,
        message: "required for a public service (TLS needs a hostname)",
    },
    {
        path: "app.ingress.className",
        when: (s) => isPublic(s, "ingress") && get(s.doc, "app.ingress.className") === undefined,
        message: ({ at }) => `required: ${at} is exposed through an Ingress`,
    },
    {
        path: "app.gateway.hostname",
        when: (s) => isPublic(s, "gateway") && get(s.doc, "app.gateway.hostname") === undefined,
        message: ({ at }) => `required: ${at} is exposed through the gateway`,
    },
    {
        path: "app.services[i].host",
        when: (s) => isPublic(s, "gateway") && !!host(s) && !!listenerHost(s) && !listenerCovers(listenerHost(s)!, host(s)!),
        message: (s) => `${host(s)} is not under the gateway listener's hostname ${listenerHost(s)}`,
    },
    {
        path: "app.services[i].replicas.max",
        when: (s) => above(replicas(s, "min"), replicas(s, "max")),
        message: (s) => `must be at least replicas.min (${num(replicas(s, "min"))})`,
    },
    ...["cpu", "memory"].map(
        (kind): Row<ServiceScope> => ({
            path: `app.services[i].resources.requests.${kind}`,
            when: (s) => overLimit(s, kind),
            message: (s) => `${String(request(s, kind))} exceeds the limit ${String(limit(s, kind))}`,
        }),
    ),
    {
        path: "app.services[i].metrics.port",
        when: ({ service }) => num(get(service, "metrics.port")) !== undefined && num(get(service, "metrics.port")) === num(service.port),
        message: "must differ from the service port",
    },
    {
        path: "app.services[i].canary.steps",
        when: ({ service }) => {
            const w = list(get(service, "canary.steps")).map((st) => (isPlainObject(st) ? num(st.weight) : undefined));
            return w.some((x, j) => j > 0 && x !== undefined && w[j - 1] !== undefined && x <= w[j - 1]!);
        },
        message: "weights must increase from one step to the next",
    },
    each(
        (s: ServiceScope) =>
            list(s.service.secretEnv).flatMap((entry, j): SecretEnvScope[] => (isPlainObject(entry) ? [{ ...s, entry, j }] : [])),
        [
            {
                path: "app.services[i].secretEnv[j].name",
                when: ({ service, entry }: SecretEnvScope) =>
                    typeof entry.name === "string" && isPlainObject(service.env) && Object.keys(service.env).includes(entry.name),
                message: ({ entry }: SecretEnvScope) => `${String(entry.name)} is also set in env`,
            },
        ],
    ),
    {
        path: "app.services[i].migration",
        // With both image and build, the image row reports the service.
        when: ({ service }) => service.migration !== undefined && service.build !== undefined && service.image === undefined,
        message: "needs a pinned image: the migration Job is named by the image reference's hash, unknown for a build",
    },
];

export const appRules: Row[] = [each(services, serviceRules), ...bucketRules];
