/**
 * Platform's mappers for run-time credentials (issue 20.2): whether the stack runs External Secrets Operator, and
 * the SecretStore and ExternalSecrets each consumer's namespace gets. Nothing here carries a password: the
 * ExternalSecrets name the secrets in Secrets Manager (components/data/secret-names.ts) and build their keys from the
 * secret's fields at run time (components/external-secrets/templates.ts), so a rotated password reaches the pods.
 *
 * Least privilege: one store per consumer, its role limited to the secrets that consumer reads (the app tier and the
 * Redis exporter both read the cache token; the dump job and the exporter login only the master secret).
 * A ClusterSecretStore would hand one role to every namespace, so the operator does not even process them
 * (components/external-secrets/index.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { cacheSecretName, postgresSecretName } from "../data";
import { EXTERNAL_SECRETS_DEFAULTS, ExternalSecretDataArgs, ExternalSecretsOperatorArgs } from "../external-secrets";
import { postgresUrlTemplate, redisUrlTemplate, RuntimeCredentialsArgs, StoreSecretArgs } from "../external-secrets";
import type { MonitoringArgs } from "../monitoring";
import type { CaBundleName } from "../shared/ca-bundle";
import type { PlatformArgs } from "./args";
import type { Prerequisite } from "./prerequisites";

/** The Secret ESO writes in the app namespace: a new name, never `data-tier` (Pulumi deletes a replaced object last). */
export const APP_CREDENTIALS_SECRET = "data-tier-credentials";

/** Key of the writer's URL in the app tier's credentials: what a service's migration Job reads as DATABASE_URL. */
export const WRITER_URL_KEY = "DATABASE_WRITER_URL";

export const CREDENTIALS_DEFAULTS = { refreshInterval: "15m" };

/** What the credentials read of a PostgresDatabase. */
export interface DatabaseSource {
    identifier: string;
    secretArn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    address: pulumi.Input<string>;
    readerAddress: pulumi.Input<string>;
    proxyAddress?: pulumi.Input<string>;
    port: pulumi.Input<number>;
    databaseName: string;
}

/** What the credentials read of a RedisCache. */
export interface CacheSource {
    identifier: string;
    secretArn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
    address: pulumi.Input<string>;
    port: pulumi.Input<number>;
}

/** The database and cache a consumer may read, and how its store authenticates. */
export interface CredentialContext {
    database?: DatabaseSource;
    cache?: CacheSource;
    oidcProviderArn: pulumi.Input<string>;
    region: pulumi.Input<string>;
    refreshInterval: string;
}

/** The consumers' context: the handles of the database and cache (never their passwords), and the store's auth. */
export function credentialContext(
    database: DatabaseSource | undefined,
    cache: CacheSource | undefined,
    auth: Omit<CredentialContext, "database" | "cache">,
): CredentialContext {
    return {
        ...auth,
        database: database && {
            identifier: database.identifier,
            secretArn: database.secretArn,
            kmsKeyArn: database.kmsKeyArn,
            address: database.address,
            readerAddress: database.readerAddress,
            proxyAddress: database.proxyAddress,
            port: database.port,
            databaseName: database.databaseName,
        },
        cache: cache && {
            identifier: cache.identifier,
            secretArn: cache.secretArn,
            kmsKeyArn: cache.kmsKeyArn,
            address: cache.address,
            port: cache.port,
        },
    };
}

/** True when some pod needs a credential: a database or cache, and a namespace that reads it. */
export function needsExternalSecrets(args: PlatformArgs): boolean {
    const data = (args.database?.enabled ?? true) || (args.cache?.enabled ?? true);
    return data && (args.app !== undefined || args.monitoring?.enabled === true);
}

export function operatorArgs(
    args: PlatformArgs,
    c: { controlPlaneCidrs: pulumi.Input<string[]>; priorityClassName?: pulumi.Input<string> },
): ExternalSecretsOperatorArgs {
    const e = args.externalSecrets ?? {};
    return {
        mode: e.mode ?? EXTERNAL_SECRETS_DEFAULTS.mode,
        namespace: e.namespace,
        chartVersion: e.chartVersion,
        podSecurityVersion: args.kubernetes.version,
        priorityClassName: c.priorityClassName,
        controlPlaneCidrs: c.controlPlaneCidrs,
    };
}

const masterFields = (db: DatabaseSource): ExternalSecretDataArgs[] => [
    { secretKey: "username", key: postgresSecretName(db.identifier), property: "username" },
    { secretKey: "password", key: postgresSecretName(db.identifier), property: "password" },
];
const tokenField = (cache: CacheSource): ExternalSecretDataArgs => ({ secretKey: "token", key: cacheSecretName(cache.identifier) });
const secretOf = (s: DatabaseSource | CacheSource): StoreSecretArgs => ({ arn: s.secretArn, kmsKeyArn: s.kmsKeyArn });

/**
 * The master secret by name, for a store that must not wait on a primary-region output (the DR pilot light: after a
 * failover the primary region may be gone): the ARN pattern of a secret name (Secrets Manager appends `-` and six
 * characters, https://docs.aws.amazon.com/secretsmanager/latest/userguide/reference_iam-permissions.html#iam-resources)
 * and any key of the account in that region, narrowed by the policy's SecretARN encryption-context condition.
 */
export function masterSecretByName(db: DatabaseSource, at: { region: string; accountId: string }): StoreSecretArgs {
    const partition = at.region.startsWith("cn-") ? "aws-cn" : at.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
    return {
        arn: `arn:${partition}:secretsmanager:${at.region}:${at.accountId}:secret:${postgresSecretName(db.identifier)}-??????`,
        kmsKeyArn: `arn:${partition}:kms:${at.region}:${at.accountId}:key/*`,
    };
}

/** A database URL template on `host` (known when the host is). */
function databaseUrl(db: DatabaseSource, host: pulumi.Input<string>, sslMode: string, bundle: CaBundleName = "rds") {
    return pulumi
        .all([host, db.port])
        .apply(([h, port]) => postgresUrlTemplate({ host: h, port, database: db.databaseName, sslMode, bundle }));
}

/** Keys of the app tier's credentials, in the order they are built. */
export function appCredentialKeys(c: { database?: unknown; cache?: unknown }): string[] {
    return [...(c.database ? ["DATABASE_URL", "DATABASE_READ_URL", WRITER_URL_KEY] : []), ...(c.cache ? ["REDIS_URL"] : [])];
}

/**
 * The app tier's credentials: DATABASE_URL (RDS Proxy when there is one, with the Amazon roots as sslrootcert; else the
 * writer), DATABASE_READ_URL (the first replica: RDS Proxy's read-only endpoints exist only for Aurora clusters,
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-endpoints.html), DATABASE_WRITER_URL (the writer
 * itself, which only migration Jobs read) and REDIS_URL. `hosts` overrides the database hosts (the DR pilot light
 * reads the DR replica, with no writer URL).
 */
export function appCredentials(
    c: CredentialContext,
    sslMode: string,
    hosts?: { database: pulumi.Input<string>; secret: StoreSecretArgs },
): RuntimeCredentialsArgs | undefined {
    const { database: db, cache } = c;
    if (!db && !cache) return undefined;
    const template: Record<string, pulumi.Input<string>> = {};
    if (db && hosts) {
        template.DATABASE_URL = databaseUrl(db, hosts.database, sslMode);
        template.DATABASE_READ_URL = template.DATABASE_URL;
    } else if (db) {
        template.DATABASE_URL = db.proxyAddress ? databaseUrl(db, db.proxyAddress, sslMode, "proxy") : databaseUrl(db, db.address, sslMode);
        template.DATABASE_READ_URL = databaseUrl(db, db.readerAddress, sslMode);
        template[WRITER_URL_KEY] = databaseUrl(db, db.address, sslMode);
    }
    if (cache) template.REDIS_URL = pulumi.all([cache.address, cache.port]).apply(([host, port]) => redisUrlTemplate({ host, port }));
    return {
        storeName: "app-credentials",
        oidcProviderArn: c.oidcProviderArn,
        region: c.region,
        refreshInterval: c.refreshInterval,
        secrets: [...(db ? [hosts?.secret ?? secretOf(db)] : []), ...(cache ? [secretOf(cache)] : [])],
        targets: [
            { target: APP_CREDENTIALS_SECRET, data: [...(db ? masterFields(db) : []), ...(cache ? [tokenField(cache)] : [])], template },
        ],
    };
}

/** The master user's name and password as one consumer's Secret `target` (keys `userKey`, `passwordKey`). */
export function masterCredentials(
    c: CredentialContext & { database: DatabaseSource },
    storeName: string,
    target: string,
    keys: { userKey?: string; passwordKey: string },
): RuntimeCredentialsArgs {
    return {
        storeName,
        oidcProviderArn: c.oidcProviderArn,
        region: c.region,
        refreshInterval: c.refreshInterval,
        secrets: [secretOf(c.database)],
        targets: [
            {
                target,
                data: masterFields(c.database),
                template: { ...(keys.userKey ? { [keys.userKey]: "{{ .username }}" } : {}), [keys.passwordKey]: "{{ .password }}" },
            },
        ],
    };
}

/** Names of the Secrets ESO writes in the monitoring namespace. */
export const MONITORING_CREDENTIALS = { login: "postgres-exporter-login-master", redis: "redis-exporter-auth" };

/**
 * Monitoring's args with the exporter login's master credentials and the Redis exporter's token read at run time:
 * the namespace's store reads the master secret (the login Job) and the cache token (the Redis exporter).
 */
export function withMonitoringCredentials(m: MonitoringArgs, c: CredentialContext): MonitoringArgs {
    const targets: RuntimeCredentialsArgs["targets"] = [];
    const secrets: StoreSecretArgs[] = [];
    let { postgres, redis } = m;
    if (postgres?.login && c.database) {
        const { masterUsername: _user, masterPassword: _password, ...login } = postgres.login;
        targets.push({
            target: MONITORING_CREDENTIALS.login,
            data: masterFields(c.database),
            template: { "master-username": "{{ .username }}", "master-password": "{{ .password }}" },
        });
        secrets.push(secretOf(c.database));
        postgres = { ...postgres, login: { ...login, masterSecret: MONITORING_CREDENTIALS.login } };
    }
    if (redis && c.cache) {
        targets.push({ target: MONITORING_CREDENTIALS.redis, data: [tokenField(c.cache)], template: { "auth-token": "{{ .token }}" } });
        secrets.push(secretOf(c.cache));
        redis = { host: redis.host, port: redis.port, authSecret: MONITORING_CREDENTIALS.redis };
    }
    if (targets.length === 0) return m;
    const credentials = { storeName: "monitoring-credentials", ...store(c), secrets, targets };
    return { ...m, postgres, redis, credentials };
}

const store = (c: CredentialContext) => ({
    oidcProviderArn: c.oidcProviderArn,
    region: c.region,
    refreshInterval: c.refreshInterval,
});

/**
 * With `externalSecrets.mode: existing` the cluster must already serve the ExternalSecret and SecretStore kinds at
 * external-secrets.io/v1 (external-secrets-2.9.0 serves v1beta1 only with `crds.unsafeServeV1Beta1`, values.yaml:79);
 * in `managed` mode the Release installs them.
 */
export function externalSecretsPrerequisites(args: PlatformArgs): Prerequisite[] {
    if (!needsExternalSecrets(args) || (args.externalSecrets?.mode ?? EXTERNAL_SECRETS_DEFAULTS.mode) !== "existing") return [];
    const install =
        "install External Secrets Operator ≥ 0.16 serving external-secrets.io/v1 (helm install external-secrets external-secrets/external-secrets --version 2.9.0 -n external-secrets), or set externalSecrets.mode: managed";
    return ["externalsecrets.external-secrets.io", "secretstores.external-secrets.io"].map((name) => ({
        id: `crd:${name}`,
        neededBy: "run-time credentials of the app, the exporters and the dump job (External Secrets Operator)",
        install,
        requirement: { kind: "crd" as const, name, version: "v1" },
    }));
}
