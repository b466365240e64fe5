/** KMS keys: symmetric keys rotate their key material. */
import { ResourceValidationPolicy } from "@pulumi/policy";
import { awsRule, AwsExemptionConfig, isSet } from "./shared";

export const KMS_KEY = "aws:kms/key:Key";

export const kmsKeyRotation: ResourceValidationPolicy = awsRule<AwsExemptionConfig>({
    name: "aws-kms-key-rotation",
    description:
        "Symmetric encryption KMS keys must rotate their key material automatically (asymmetric, HMAC and custom key store keys cannot).",
    enforcementLevel: "mandatory",
    types: [KMS_KEY],
    kind: "KMS key",
    skip: (props) => {
        if (isSet(props, "customKeyStoreId")) return "keys in a custom key store do not support automatic rotation";
        const spec = props.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
        const usage = props.keyUsage ?? "ENCRYPT_DECRYPT";
        return spec === "SYMMETRIC_DEFAULT" && usage === "ENCRYPT_DECRYPT"
            ? undefined
            : `${String(spec)} keys for ${String(usage)} do not support automatic rotation`;
    },
    check: (props) => (props.enableKeyRotation === true ? [] : ["set enableKeyRotation: true"]),
});

export const kmsPolicies = [kmsKeyRotation];
