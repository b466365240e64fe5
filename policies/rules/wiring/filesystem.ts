/**
 * wiring-writable-paths: a container whose root filesystem is read-only
 * (`securityContext.readOnlyRootFilesystem: true`, a container-only field) has every path
 * it is told to write on a writable mount: a volumeMount without `readOnly: true` whose
 * volume is writable (emptyDir, a PVC, …; secret, configMap, projected, downwardAPI and
 * image volumes are always mounted read-only, https://kubernetes.io/docs/concepts/storage/volumes/).
 * The paths a container is told to write:
 * - env vars that name a directory the process writes (`writableEnv` in the policy config):
 *   HOME (the aws CLI's credential and SSO caches under ~/.aws/cli/cache,
 *   https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html; libpq's ~/.postgresql),
 *   TMPDIR (https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/V1_chap08.html),
 *   XDG_CACHE_HOME, XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_STATE_HOME
 *   (https://specifications.freedesktop.org/basedir-spec/latest/), and Grafana's
 *   GF_PATHS_DATA, GF_PATHS_LOGS, GF_PATHS_PLUGINS
 *   (https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#paths, set by
 *   grafana-12.11.1/templates/_pod.tpl:1472-1477) and GF_UNIFIED_STORAGE_INDEX_PATH (the search
 *   index the chart gives an emptyDir, _pod.tpl:1289-1290 and 1630-1631);
 * - the pod annotation `hangar.dev/writable-paths` (comma-separated absolute paths), for
 *   paths a program writes that no env var names.
 * Values are read as wiring-tls-client-ca-mounted reads them (pod-tls.ts environmentOf): from
 * the stack's Secrets and ConfigMaps too, skipping one whose values are unknown during preview.
 * A read-only container without HOME is not reported: HOME then comes from the image
 * (its passwd entry, often `/`), which the pod template does not show, and the rule does
 * not invent writes it cannot see; a container known to write its home sets HOME.
 */
import { StackValidationPolicy } from "@pulumi/policy";
import { configOf, ExemptionConfig, schemaWith, stringList } from "../kubernetes/shared";
import { mountOf, normalize, podRuleInputs, readOnlyReason, UNKNOWN } from "./pod-files";
import { environmentOf } from "./pod-tls";

export const WRITABLE_PATHS_ANNOTATION = "hangar.dev/writable-paths";

export const WRITABLE_ENV = [
    "HOME",
    "TMPDIR",
    "XDG_CACHE_HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_STATE_HOME",
    "GF_PATHS_DATA",
    "GF_PATHS_LOGS",
    "GF_PATHS_PLUGINS",
    "GF_UNIFIED_STORAGE_INDEX_PATH",
];

interface WritableConfig extends ExemptionConfig {
    writableEnv: string[];
}

const schema = schemaWith({
    writableEnv: stringList("Env vars whose value is a directory the container writes.", WRITABLE_ENV),
});

export const writablePaths: StackValidationPolicy = {
    name: "wiring-writable-paths",
    description:
        "A container with a read-only root filesystem has every path it is told to write (HOME, TMPDIR, XDG_*, Grafana's paths, the pod's hangar.dev/writable-paths annotation) on a writable volume mount.",
    enforcementLevel: "mandatory",
    configSchema: schema,
    validateStack: (args, reportViolation) => {
        const config = configOf<WritableConfig>(schema, args);
        const { pods, objects, undecided, done } = podRuleInputs(args);
        for (const pod of pods) {
            if (config.exemptNamespaces.includes(pod.namespace)) continue;
            const declared = (pod.annotations[WRITABLE_PATHS_ANNOTATION] ?? "")
                .split(",")
                .map((p) => p.trim())
                .filter(Boolean);
            for (const c of pod.containers.filter((x) => x.readOnlyRoot)) {
                const env = environmentOf(c, pod.namespace, objects);
                const paths: { path: string; why: string }[] = declared.map((path) => ({
                    path,
                    why: `the pod's ${WRITABLE_PATHS_ANNOTATION} annotation declares ${path} written`,
                }));
                for (const name of config.writableEnv) {
                    const value = env.get(name)?.value;
                    if (value === UNKNOWN) undecided.push(`${pod.workload} ${c.label} env ${name}`);
                    else if (typeof value === "string" && value !== "") paths.push({ path: value, why: `env ${name} is ${value}` });
                }
                for (const { path, why } of paths) {
                    const problem = !path.startsWith("/")
                        ? "which is not an absolute path"
                        : writeProblem(path, mountOf(c, path), pod.volumes);
                    if (problem)
                        reportViolation(
                            `${pod.workload} ${c.label}: the root filesystem is read-only (securityContext.readOnlyRootFilesystem) and ${why}, ` +
                                `${problem}; mount a writable volume (an emptyDir) there`,
                            pod.urn,
                        );
                }
            }
        }
        done();
    },
};

function writeProblem(path: string, mount: ReturnType<typeof mountOf>, volumes: Parameters<typeof readOnlyReason>[1][]) {
    if (!mount) return `but ${normalize(path)} is on no volume mount of the container`;
    const reason = readOnlyReason(
        mount,
        volumes.find((v) => v?.name === mount.name),
    );
    return reason ? `but ${path} is on mount ${mount.mountPath}, and ${reason}` : undefined;
}

export const filesystemPolicies = [writablePaths];
