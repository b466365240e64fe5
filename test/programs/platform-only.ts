// Smallest program for the harness self-test: one aws provider, one resource.
import * as aws from "../../components/shared/aws";
const provider = new aws.Provider("aws", { region: "eu-west-1", allowedAccountIds: ["123456789012"] });
const key = new aws.kms.Key("key", { enableKeyRotation: true }, { provider, protect: true });
export const keyArn = key.arn;
