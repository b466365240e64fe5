/** Default encryption of S3 buckets: the aspect the encryption rule and the replication rule both judge. */
import { BucketAspect } from "./s3-buckets";
import { AwsExemptionConfig, isSet } from "./shared";

export const BUCKET = "aws:s3/bucket:Bucket";
const asList = <T>(value: unknown) => (value ?? []) as T[];

export interface EncryptionConfig extends AwsExemptionConfig {
    requireKms: boolean;
}

interface SseDefault {
    sseAlgorithm?: string;
}

const isKms = (algorithm: string | undefined) => algorithm === "aws:kms" || algorithm === "aws:kms:dsse";

function algorithmProblems(algorithms: (string | undefined)[], path: string, config: EncryptionConfig): string[] {
    const given = algorithms.filter((a): a is string => a !== undefined);
    if (given.length === 0) return [`set ${path}: ${config.requireKms ? "aws:kms" : "aws:kms or AES256"}`];
    if (config.requireKms && !given.some(isKms)) return [`set ${path}: aws:kms (it is ${given.join(", ")})`];
    return [];
}

export const encryptionAspect: BucketAspect<EncryptionConfig> = {
    what: "default encryption",
    types: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    check: (props, config) =>
        algorithmProblems(
            asList<{ applyServerSideEncryptionByDefault?: SseDefault }>(props.rules).map(
                (r) => r.applyServerSideEncryptionByDefault?.sseAlgorithm,
            ),
            "rules[].applyServerSideEncryptionByDefault.sseAlgorithm",
            config,
        ),
    inline: (props, type, config) => {
        if (type === BUCKET) {
            if (!isSet(props, "serverSideEncryptionConfiguration")) return undefined;
            const rule = (props.serverSideEncryptionConfiguration as { rule?: { applyServerSideEncryptionByDefault?: SseDefault } }).rule;
            return algorithmProblems(
                [rule?.applyServerSideEncryptionByDefault?.sseAlgorithm],
                "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
                config,
            );
        }
        const configurations = asList<{ rules?: { applyServerSideEncryptionByDefaults?: SseDefault[] }[] }>(
            props.serverSideEncryptionConfigurations,
        );
        if (configurations.length === 0) return undefined;
        const algorithms = configurations
            .flatMap((c) => c.rules ?? [])
            .flatMap((r) => r.applyServerSideEncryptionByDefaults ?? [])
            .map((d) => d.sseAlgorithm);
        return algorithmProblems(
            algorithms,
            "serverSideEncryptionConfigurations[].rules[].applyServerSideEncryptionByDefaults[].sseAlgorithm",
            config,
        );
    },
    fix: (config) =>
        `rules[] { applyServerSideEncryptionByDefault: { sseAlgorithm: ${config.requireKms ? "aws:kms, kmsMasterKeyId: <a customer-managed key>" : "aws:kms"} } }`,
};
