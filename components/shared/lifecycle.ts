/** Settings that differ for stateful resources by environment. */
export function lifecycle(environment: string) {
    const prod = environment === "prod";
    const ephemeral = environment === "ephemeral";
    return {
        /** `protect` on stateful resources. */
        protect: prod,
        /**
         * `retainOnDelete` on stores of application data (app buckets): removing them from the program, or
         * destroying the stack, leaves them and their data in the account (https://www.pulumi.com/docs/iac/concepts/options/retainondelete/).
         */
        retainOnDelete: prod,
        /**
         * KMS key deletion window: 7–30 days is what KMS allows
         * (https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html); ephemeral stacks take the shortest.
         */
        kmsDeletionWindowDays: ephemeral ? 7 : 30,
        /**
         * Secrets Manager recovery window: 0 (force delete) or 7–30 days
         * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html); 0 deletes at once,
         * so a re-created ephemeral stack can reuse the name.
         */
        secretRecoveryWindowDays: ephemeral ? 0 : prod ? 30 : 7,
        /** CloudWatch Logs retention of managed log groups (one of the values PutRetentionPolicy accepts). */
        logRetentionDays: prod ? 365 : ephemeral ? 7 : 30,
    };
}
