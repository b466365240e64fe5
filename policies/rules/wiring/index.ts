/** The wiring rules (issue 18): relations between resources, each a stack policy named wiring-<relation>. */
import { bucketAccessPolicies } from "./buckets";
import { declaredFlowPolicies } from "./declared-flows";
import { dnsWiringPolicies } from "./dns";
import { externalSecretPolicies } from "./external-secrets";
import { filesystemPolicies } from "./filesystem";
import { irsaPolicies } from "./irsa";
import { monitorPolicies } from "./monitors";
import { networkPolicyWiringPolicies } from "./network-policies";
import { podInputPolicies } from "./pod-inputs";
import { podTlsPolicies } from "./pod-tls";
import { rolloutWiringPolicies } from "./rollouts";
import { rotationWiringPolicies } from "./rotation";
import { routeWiringPolicies } from "./routes";
import { s3WiringPolicies } from "./s3";
import { scalingPolicies } from "./scaling";
import { serviceWiringPolicies } from "./services";

export const wiringPolicies = [
    ...serviceWiringPolicies,
    ...scalingPolicies,
    ...irsaPolicies,
    ...bucketAccessPolicies,
    ...s3WiringPolicies,
    ...monitorPolicies,
    ...networkPolicyWiringPolicies,
    ...routeWiringPolicies,
    ...dnsWiringPolicies,
    ...declaredFlowPolicies,
    ...podInputPolicies,
    ...podTlsPolicies,
    ...filesystemPolicies,
    ...rolloutWiringPolicies,
    ...rotationWiringPolicies,
    ...externalSecretPolicies,
];
