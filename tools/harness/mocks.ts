import * as pulumi from "@pulumi/pulumi";

/**
 * Pulumi mocks that behave like the engine where Hangar depends on it:
 * - an update returns inputs plus the computed outputs the program reads
 *   (ARNs, endpoints), deterministic so snapshots compare across runs;
 * - a preview returns the inputs only, so computed outputs stay unknown, as
 *   they are for resources the real engine has not created yet.
 */
export class HangarMocks implements pulumi.runtime.Mocks {
    /** Region of each AWS provider (by `name::id`), so ARNs name the right region. */
    private readonly providerRegions = new Map<string, string>();

    /** `secrets`: Secrets Manager values by ARN, answered by getSecretVersion. */
    constructor(
        private readonly preview: boolean,
        private readonly account: string,
        private readonly region: string,
        private readonly secrets: Record<string, string> = {},
        private readonly stackOutputs: Record<string, Record<string, unknown>> = {},
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const id = args.type.startsWith("pulumi:providers:") ? `${args.name}-provider-id` : `${args.name}-id`;
        if (args.type === "pulumi:providers:aws" && typeof args.inputs.region === "string") {
            this.providerRegions.set(`${args.name}::${id}`, args.inputs.region);
        }
        // A StackReference reads the other stack's outputs, in a preview too (the engine's read step).
        if (args.type === "pulumi:pulumi:StackReference") {
            const name = String(args.inputs.name);
            const outputs = this.stackOutputs[name];
            if (!outputs) throw new Error(`no outputs for stack reference ${name}: give the check --foundation-outputs <file>`);
            return { id: name, state: { name, outputs, secretOutputNames: [] } };
        }
        if (this.preview) return { id: undefined, state: args.inputs };
        const region = this.regionOf(args.provider);
        return { id, state: { ...computedOutputs(args, this.account, region), ...args.inputs } };
    }

    private regionOf(provider: string | undefined): string {
        if (!provider) return this.region;
        // Provider references are `<urn>::<id>`: the last two parts are the provider's name and id.
        return this.providerRegions.get(provider.split("::").slice(-2).join("::")) ?? this.region;
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        switch (args.token) {
            case "aws:secretsmanager/getSecretVersion:getSecretVersion": {
                const arn = String(args.inputs.secretId);
                return { arn, secretString: this.secrets[arn] ?? "", versionId: "v1" };
            }
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: this.account, arn: `arn:aws:iam::${this.account}:role/hangar-ci`, userId: "AROAMOCK" };
            case "aws:index/getRegion:getRegion":
                return { name: this.region, region: this.region, id: this.region };
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com" };
            case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
                return {
                    userName: "AWS",
                    password: "mock-ecr-token",
                    proxyEndpoint: `https://${this.account}.dkr.ecr.${this.region}.amazonaws.com`,
                };
            default:
                return {};
        }
    }
}

/** Outputs the engine computes on create, for the resource types whose outputs Hangar reads. */
function computedOutputs(args: pulumi.runtime.MockResourceArgs, account: string, region: string): Record<string, unknown> {
    const [pkg, module] = args.type.split(":");
    const service = (module ?? "").split("/")[0];
    const out: Record<string, unknown> = {};
    if (pkg === "aws") out.arn = `arn:aws:${service}:${region}:${account}:${args.name}`;
    switch (args.type) {
        case "aws:ecr/repository:Repository":
            out.registryId = account;
            out.repositoryUrl = `${account}.dkr.ecr.${region}.amazonaws.com/${String(args.inputs.name ?? args.name)}`;
            break;
        case "aws:rds/instance:Instance": {
            const id = String(args.inputs.identifier ?? args.name);
            out.address = `${id}.c9akciq32xyz.${region}.rds.amazonaws.com`;
            out.endpoint = `${out.address}:5432`;
            out.port = 5432;
            out.arn = `arn:aws:rds:${region}:${account}:db:${id}`;
            break;
        }
        case "aws:rds/proxy:Proxy": {
            // <name>.proxy-<hash>.<region>.rds.amazonaws.com ("Connecting to a database through RDS Proxy",
            // https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-connecting.html).
            const id = String(args.inputs.name ?? args.name);
            out.endpoint = `${id}.proxy-c9akciq32xyz.${region}.rds.amazonaws.com`;
            out.arn = `arn:aws:rds:${region}:${account}:db-proxy:prx-${id}`;
            break;
        }
        case "aws:elasticache/replicationGroup:ReplicationGroup": {
            const id = String(args.inputs.replicationGroupId ?? args.name);
            out.primaryEndpointAddress = `master.${id}.abc123.euw1.cache.amazonaws.com`;
            out.readerEndpointAddress = `replica.${id}.abc123.euw1.cache.amazonaws.com`;
            out.port = 6379;
            break;
        }
        case "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": {
            // The rotation apps' template output `RotationLambdaARN` (aws-secrets-manager-rotation-lambdas' SAR templates).
            const fn = String((args.inputs.parameters as Record<string, unknown> | undefined)?.functionName ?? args.name);
            out.outputs = { RotationLambdaARN: `arn:aws:lambda:${region}:${account}:function:${fn}` };
            break;
        }
        case "aws:kms/key:Key":
            out.keyId = `mock-key-${args.name}`;
            out.arn = `arn:aws:kms:${region}:${account}:key/mock-key-${args.name}`;
            break;
        case "random:index/randomPassword:RandomPassword":
            // Deterministic, and exercises URL encoding: contains a special the URL must escape.
            out.result = `Mock0pw${args.name.length}${String(args.inputs.overrideSpecial ?? "!").slice(0, 2)}x`;
            break;
        case "random:index/randomId:RandomId": {
            // Deterministic per name, as a real RandomId is stable once in state.
            const hex = [...args.name]
                .reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0, 2166136261)
                .toString(16)
                .padStart(8, "0");
            out.hex = hex.slice(0, Number(args.inputs.byteLength ?? 4) * 2);
            out.b64Url = Buffer.from(out.hex as string, "hex").toString("base64url");
            break;
        }
        case "docker:index/image:Image":
            out.repoDigest = `${String(args.inputs.imageName).replace(/:[^:/]+$/, "")}@sha256:${"0".repeat(64)}`;
            break;
    }
    return out;
}
