import * as assert from "assert";
import {
    elasticacheAtRestEncryption,
    elasticacheAuthToken,
    elasticacheMultiAz,
    elasticacheSnapshotRetention,
    elasticacheTransitEncryption,
} from "../../policies/rules/aws/elasticache";
import { kmsKeyRotation } from "../../policies/rules/aws/kms";
import { kmsKey, replicationGroup, resourceChecks, T } from "./aws-fixtures";
import { literal } from "./util";

const NAMED = { name: "hangar-cache" };
const GROUP = /^replication group "hangar-prod" \(hangar-cache\): /;
const message = (text: string) => new RegExp(`${GROUP.source}${literal(text)}$`);

describe(elasticacheTransitEncryption.name, () => {
    const { accepts, refuses, undecided } = resourceChecks(elasticacheTransitEncryption, T.cache, replicationGroup);

    it("is mandatory, with allowPreferredMode (default false)", () => {
        assert.strictEqual(elasticacheTransitEncryption.enforcementLevel, "mandatory");
        assert.strictEqual(elasticacheTransitEncryption.configSchema?.properties.allowPreferredMode.default, false);
    });
    it("accepts prod's cache (TLS required)", () => accepts());
    it("accepts transit encryption without a mode (required by default)", () =>
        accepts({ ...replicationGroup(), transitEncryptionMode: undefined }));
    it("refuses transitEncryptionEnabled: false", () =>
        refuses((p) => (p.transitEncryptionEnabled = false), message("set transitEncryptionEnabled: true"), NAMED));
    it("refuses a cache without transitEncryptionEnabled", () =>
        refuses((p) => delete p.transitEncryptionEnabled, /set transitEncryptionEnabled: true/));
    it("refuses transitEncryptionMode: preferred unless allowPreferredMode", async () => {
        await refuses(
            (p) => (p.transitEncryptionMode = "preferred"),
            message("set transitEncryptionMode: required (it is preferred)"),
            NAMED,
        );
        await accepts({ ...replicationGroup(), transitEncryptionMode: "preferred" }, { config: { allowPreferredMode: true } });
    });
    it("cannot decide when transitEncryptionEnabled is unknown", () =>
        undecided((p) => (p.transitEncryptionEnabled = "@unknown"), /transitEncryptionEnabled can't be known/));
});

describe(elasticacheAtRestEncryption.name, () => {
    const { accepts, refuses } = resourceChecks(elasticacheAtRestEncryption, T.cache, replicationGroup);

    it("is mandatory, with requireCustomerManagedKey (default true)", () => {
        assert.strictEqual(elasticacheAtRestEncryption.enforcementLevel, "mandatory");
        assert.strictEqual(elasticacheAtRestEncryption.configSchema?.properties.requireCustomerManagedKey.default, true);
    });
    it("accepts prod's cache, also with its key unknown during preview", async () => {
        await accepts();
        await accepts({ ...replicationGroup(), kmsKeyId: "@unknown" });
    });
    it("refuses atRestEncryptionEnabled: false", () =>
        refuses((p) => (p.atRestEncryptionEnabled = false), message("set atRestEncryptionEnabled: true"), NAMED));
    it("refuses a missing kmsKeyId when a customer-managed key is required, and not otherwise", async () => {
        await refuses((p) => delete p.kmsKeyId, message("set kmsKeyId to a customer-managed KMS key"), NAMED);
        await accepts({ ...replicationGroup(), kmsKeyId: undefined }, { config: { requireCustomerManagedKey: false } });
    });
});

describe(elasticacheAuthToken.name, () => {
    const { accepts, refuses } = resourceChecks(elasticacheAuthToken, T.cache, replicationGroup);

    it("is mandatory", () => assert.strictEqual(elasticacheAuthToken.enforcementLevel, "mandatory"));
    it("accepts prod's secret authToken, also unknown during preview", async () => {
        await accepts();
        await accepts({ ...replicationGroup(), authToken: "@unknown" });
    });
    it("accepts RBAC user groups or a write-only token instead", async () => {
        await accepts({ ...replicationGroup(), authToken: undefined, userGroupIds: ["hangar-users"] });
        await accepts({ ...replicationGroup(), authToken: undefined, authTokenWo: { "@secret": "token" } });
    });
    it("refuses a cache without authToken", () =>
        refuses((p) => delete p.authToken, message("set authToken (or userGroupIds for RBAC)"), NAMED));
    it("refuses an empty user group list", () =>
        refuses((p) => {
            delete p.authToken;
            p.userGroupIds = [];
        }, /set authToken/));
});

describe(elasticacheSnapshotRetention.name, () => {
    const { accepts, refuses, undecided } = resourceChecks(elasticacheSnapshotRetention, T.cache, replicationGroup);

    it("is mandatory, with minRetentionDays (default 7)", () =>
        assert.strictEqual(elasticacheSnapshotRetention.configSchema?.properties.minRetentionDays.default, 7));
    it("accepts prod's 7 days at prod's threshold", () => accepts(replicationGroup(), { config: { minRetentionDays: 7 } }));
    it("refuses 6 days at prod's threshold", () =>
        refuses((p) => (p.snapshotRetentionLimit = 6), message("set snapshotRetentionLimit: 7 or more (it is 6)"), NAMED));
    it("accepts staging's 3 days at staging's threshold, and no snapshots at ephemeral's", async () => {
        await accepts({ ...replicationGroup(), snapshotRetentionLimit: 3 }, { config: { minRetentionDays: 3 } });
        await accepts({ ...replicationGroup(), snapshotRetentionLimit: undefined }, { config: { minRetentionDays: 0 } });
    });
    it("refuses a cache without snapshotRetentionLimit (no snapshots)", () =>
        refuses((p) => delete p.snapshotRetentionLimit, /set snapshotRetentionLimit: 7 or more \(it is unset\)/));
    it("cannot decide when snapshotRetentionLimit is unknown", () => undecided((p) => (p.snapshotRetentionLimit = "@unknown")));
});

describe(elasticacheMultiAz.name, () => {
    const { accepts, refuses, skips } = resourceChecks(elasticacheMultiAz, T.cache, replicationGroup);

    it("is advisory by default, with required", () => {
        assert.strictEqual(elasticacheMultiAz.enforcementLevel, "advisory");
        assert.strictEqual(elasticacheMultiAz.configSchema?.properties.required.default, true);
    });
    it("accepts prod's Multi-AZ cache", () => accepts());
    it("refuses multiAzEnabled: false", () => refuses((p) => (p.multiAzEnabled = false), message("set multiAzEnabled: true"), NAMED));
    it("refuses automaticFailoverEnabled: false", () =>
        refuses((p) => (p.automaticFailoverEnabled = false), message("set automaticFailoverEnabled: true"), NAMED));
    it("does not run when not required (staging's single node)", () =>
        skips(
            (p) => Object.assign(p, { multiAzEnabled: false, automaticFailoverEnabled: false, numCacheClusters: 1 }),
            /Multi-AZ is not required \(required: false\)/,
            { config: { required: false } },
        ));
});

describe(kmsKeyRotation.name, () => {
    const { accepts, refuses, skips, undecided } = resourceChecks(kmsKeyRotation, T.key, kmsKey);

    it("is mandatory", () => assert.strictEqual(kmsKeyRotation.enforcementLevel, "mandatory"));
    it("accepts prod's keys (rotation on)", () => accepts());
    it("refuses a symmetric key without rotation", async () => {
        await refuses((p) => (p.enableKeyRotation = false), /^KMS key hangar-db-kms: set enableKeyRotation: true$/, {
            name: "hangar-db-kms",
        });
        await refuses((p) => delete p.enableKeyRotation, /set enableKeyRotation: true/);
        await refuses(
            (p) => Object.assign(p, { enableKeyRotation: false, customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT" }),
            /set enableKeyRotation/,
        );
    });
    it("skips asymmetric, HMAC and custom key store keys, which cannot rotate", async () => {
        await skips(
            (p) => Object.assign(p, { enableKeyRotation: false, customerMasterKeySpec: "RSA_3072", keyUsage: "SIGN_VERIFY" }),
            /RSA_3072 keys for SIGN_VERIFY do not support automatic rotation/,
        );
        await skips(
            (p) => Object.assign(p, { enableKeyRotation: false, customerMasterKeySpec: "HMAC_384", keyUsage: "GENERATE_VERIFY_MAC" }),
            /HMAC_384/,
        );
        await skips((p) => Object.assign(p, { enableKeyRotation: false, customKeyStoreId: "cks-1234" }), /custom key store/);
    });
    it("cannot decide when the key spec is unknown", () =>
        undecided((p) => (p.customerMasterKeySpec = "@unknown"), /customerMasterKeySpec can't be known/));
    it("skips exempt keys", () =>
        skips((p) => (p.enableKeyRotation = false), /exempt/, { name: "imported", config: { exemptResources: ["imported"] } }));
});
