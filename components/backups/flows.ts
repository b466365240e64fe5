/**
 * The dump CronJob's declared flows (components/shared/flows.ts): pg_dump to the writer on 5432,
 * the upload to S3 and IRSA's AssumeRoleWithWebIdentity at STS on 443, DNS. Pure. STS may also answer from an
 * interface endpoint inside the VPC (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_sts_vpce.html),
 * which is why the job's NetworkPolicy keeps 443 to 0.0.0.0/0 (a documented allowance of wiring-undeclared-flows).
 */
import { dataStore, DeclaredFlow, dnsFlows, internet, pods, tcpFlow } from "../shared/flows";
import { selectorLabels } from "../shared/labels";
import { DUMP_JOB_NAME } from "./dump-job";

export function dumpJobFlows(a: { namespace: string; databaseCidrs: string[] }): DeclaredFlow[] {
    const component = "Backups";
    const job = pods(a.namespace, selectorLabels(DUMP_JOB_NAME), DUMP_JOB_NAME);
    return [
        ...dnsFlows(a.namespace, component),
        tcpFlow(job, dataStore(5432, a.databaseCidrs), 5432, "pg_dump from the writer", component),
        tcpFlow(job, internet("S3, STS"), 443, "upload to S3, IRSA credentials from STS", component),
    ];
}
