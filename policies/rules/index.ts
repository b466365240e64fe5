/**
 * Every rule of the pack, in the order the pack registers them. This module
 * is what tests and the offline runner import: policies/index.ts only hands
 * this list to `new PolicyPack`, whose constructor starts a server.
 */
import { Policies } from "@pulumi/policy";
import { awsPolicies } from "./aws";
import { backupJobPolicies } from "./kubernetes/backups";
import { imagePolicies } from "./kubernetes/images";
import { namespacePolicies } from "./kubernetes/namespaces";
import { podSecurityPolicies } from "./kubernetes/pod-security";
import { podSecurityVersionPolicies } from "./kubernetes/pod-security-by-version";
import { priorityPolicies } from "./kubernetes/priority";
import { resourcePolicies } from "./kubernetes/resources";
import { tlsPolicies } from "./kubernetes/tls";
import { wiringPolicies } from "./wiring";

export const policies: Policies = [
    ...podSecurityPolicies,
    ...namespacePolicies,
    ...podSecurityVersionPolicies,
    ...resourcePolicies,
    ...priorityPolicies,
    ...tlsPolicies,
    ...imagePolicies,
    ...backupJobPolicies,
    ...awsPolicies,
    ...wiringPolicies,
];
