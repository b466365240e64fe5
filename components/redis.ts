import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DataPlacementArgs, managedKey, singlePortSecurityGroup } from "./data-building-blocks";
import { lifecycle } from "./naming";
import { definedOnly } from "./postgres";

/** The tunable settings of a RedisCache (what a stack file may set). */
export interface RedisSettings {
    /** `valkey` or `redis`. @default "valkey" */
    engine?: string;
    /** Engine version; its major picks the parameter group family (`valkey8`, `redis7`). @default "8.0" */
    engineVersion?: string;
    /** ElastiCache node type of every node. @default "cache.r7g.large" */
    nodeType?: string;
    /** Primary plus replicas; automatic failover from 2. @default 2 */
    nodes?: number;
    /** Needs at least 2 nodes. @default true */
    multiAz?: boolean;
    /** Days automatic snapshots are kept, 0–35 (0 turns them off). @default 7 */
    snapshotRetentionDays?: number;
    /** Daily snapshot window, UTC (`hh24:mi-hh24:mi`). @default "03:00-04:00" */
    snapshotWindow?: string;
    /** Weekly maintenance window, UTC (`ddd:hh24:mi-ddd:hh24:mi`). @default "sun:05:30-sun:06:30" */
    maintenanceWindow?: string;
    /** The `maxmemory-policy` parameter: which keys are evicted when memory is full. @default "volatile-lru" */
    maxmemoryPolicy?: string;
}

export interface RedisCacheArgs extends RedisSettings, DataPlacementArgs {
    /** Replication group id and name stem: lower-case, at most 40 characters, unique per account and region. */
    identifier: string;
}

export const REDIS_DEFAULTS = {
    engine: "valkey",
    engineVersion: "8.0",
    nodeType: "cache.r7g.large",
    nodes: 2,
    multiAz: true,
    snapshotRetentionDays: 7,
    snapshotWindow: "03:00-04:00",
    maintenanceWindow: "sun:05:30-sun:06:30",
    maxmemoryPolicy: "volatile-lru",
};

/** The only specials ElastiCache accepts in an AUTH token. */
export const ELASTICACHE_TOKEN_SPECIALS = "!&#$^<>-";

/** Parameter group family: valkey8, redis7, … */
export function cacheFamily(engine: string, version: string): string {
    return `${engine}${version.split(".")[0]}`;
}

/**
 * Redis-protocol cache on ElastiCache (Valkey or Redis 7): transit and at-rest
 * encryption with a customer-managed key, an AUTH token from `random` in
 * Secrets Manager, automatic failover and Multi-AZ when it has the nodes.
 */
export class RedisCache extends pulumi.ComponentResource {
    /** Replication group id. */
    public readonly identifier: string;
    /** The customer-managed key of at-rest encryption, snapshots and the secret. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** Security group admitting 6379 from `allowedCidrs` and `allowedSecurityGroupIds`. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** Primary endpoint hostname. */
    public readonly address: pulumi.Output<string>;
    /** Port of the primary endpoint (6379). */
    public readonly port: pulumi.Output<number>;
    /** Secret. */
    public readonly authToken: pulumi.Output<string>;
    /** Secrets Manager secret holding the AUTH token. */
    public readonly secretArn: pulumi.Output<string>;

    constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hangar:index:RedisCache", name, {}, opts);
        const d = { ...REDIS_DEFAULTS, ...definedOnly(args) };
        const problems: string[] = [];
        if (d.engine !== "valkey" && d.engine !== "redis") problems.push(`engine must be valkey or redis, not ${d.engine}`);
        if (d.multiAz && d.nodes < 2) problems.push("multiAz needs at least 2 nodes");
        if (args.identifier.length > 40) problems.push("identifier must be at most 40 characters");
        if (problems.length) throw new pulumi.ResourceError(`RedisCache "${name}": ${problems.join("; ")}`, this);
        const life = lifecycle(args.environment ?? "prod");
        const id = args.identifier;
        const child = { parent: this };
        const stateful = { parent: this, protect: life.protect };

        const kmsKey = managedKey(name, { description: `ElastiCache ${id}: at rest, snapshots, secret`, alias: `${id}-cache`, environment: args.environment }, this);
        const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-subnets`, { name: id, subnetIds: args.subnetIds, description: `Hangar ${id}` }, child);
        const securityGroup = singlePortSecurityGroup(
            name,
            {
                groupName: `${id}-cache`,
                description: `Cache ${id}: 6379 from the app tier only`,
                ruleDescription: "Redis protocol from the app tier",
                vpcId: args.vpcId,
                port: 6379,
                cidrs: args.allowedCidrs,
                securityGroupIds: args.allowedSecurityGroupIds,
            },
            this,
        );
        const family = cacheFamily(d.engine, d.engineVersion);
        const parameterGroup = new aws.elasticache.ParameterGroup(
            `${name}-params`,
            { name: `${id}-${family}`, family, description: `Hangar ${id}`, parameters: [{ name: "maxmemory-policy", value: d.maxmemoryPolicy }] },
            child,
        );
        const token = new random.RandomPassword(
            `${name}-auth`,
            { length: 48, special: true, overrideSpecial: ELASTICACHE_TOKEN_SPECIALS, minSpecial: 2, minNumeric: 2 },
            child,
        );

        const replicationGroup = new aws.elasticache.ReplicationGroup(
            name,
            {
                replicationGroupId: id,
                description: `Hangar cache ${id}`,
                engine: d.engine,
                engineVersion: d.engineVersion,
                nodeType: d.nodeType,
                numCacheClusters: d.nodes,
                automaticFailoverEnabled: d.nodes >= 2,
                multiAzEnabled: d.multiAz,
                port: 6379,
                parameterGroupName: parameterGroup.name,
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [securityGroup.id],
                atRestEncryptionEnabled: true,
                kmsKeyId: kmsKey.arn,
                transitEncryptionEnabled: true,
                transitEncryptionMode: "required",
                authToken: token.result,
                snapshotRetentionLimit: d.snapshotRetentionDays,
                snapshotWindow: d.snapshotWindow,
                maintenanceWindow: d.maintenanceWindow,
                autoMinorVersionUpgrade: true,
                applyImmediately: args.environment !== "prod",
            },
            stateful,
        );
        this.identifier = id;
        this.kmsKeyArn = kmsKey.arn;
        this.securityGroupId = securityGroup.id;
        this.address = replicationGroup.primaryEndpointAddress;
        this.port = replicationGroup.port.apply((p) => p ?? 6379);
        this.authToken = pulumi.secret(token.result);

        const secret = new aws.secretsmanager.Secret(
            `${name}-auth`,
            { name: `${id}/cache/auth-token`, description: `AUTH token of ${id}`, kmsKeyId: kmsKey.arn, recoveryWindowInDays: life.secretRecoveryWindowDays },
            stateful,
        );
        new aws.secretsmanager.SecretVersion(`${name}-auth`, { secretId: secret.id, secretString: pulumi.secret(token.result) }, child);
        this.secretArn = secret.arn;

        this.registerOutputs({ address: this.address, port: this.port, secretArn: this.secretArn });
    }
}
