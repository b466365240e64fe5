import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("hangar-guardrails", { policies });
