/** The AWS rules, by service, in the order the pack registers them. */
import { backupPolicies } from "./backup";
import { elasticachePolicies } from "./elasticache";
import { kmsPolicies } from "./kms";
import { rdsPolicies } from "./rds";
import { restoreTestingPolicies } from "./restore-testing";
import { s3Policies } from "./s3";
import { secretRotationPolicies } from "./secret-rotation";

export const awsPolicies = [
    ...rdsPolicies,
    ...elasticachePolicies,
    ...kmsPolicies,
    ...backupPolicies,
    ...restoreTestingPolicies,
    ...secretRotationPolicies,
    ...s3Policies,
];
