import * as pulumi from "@pulumi/pulumi";
import type { PlatformArgs } from "./args";

/** The network as the components consume it: known values, or a foundation stack's outputs. */
export interface ResolvedNetwork {
    vpcId: pulumi.Output<string>;
    vpcCidr: pulumi.Output<string>;
    privateSubnetIds: pulumi.Output<string[]>;
    privateSubnetCidrs: pulumi.Output<string[]>;
    oidcProviderArn: pulumi.Output<string>;
}

/** The network from the args, or from the foundation stack's outputs where the args leave a value out. */
export function resolveNetwork(name: string, args: PlatformArgs, parent: pulumi.Resource): ResolvedNetwork {
    if (args.network && args.oidcProviderArn) {
        const n = args.network;
        return {
            vpcId: pulumi.output(n.vpcId),
            vpcCidr: pulumi.output(n.vpcCidr),
            privateSubnetIds: pulumi.output(n.privateSubnetIds),
            privateSubnetCidrs: pulumi.output(n.privateSubnetCidrs),
            oidcProviderArn: pulumi.output(args.oidcProviderArn),
        };
    }
    if (!args.stackReference) {
        throw new pulumi.ResourceError("Platform needs network and oidcProviderArn, or a stackReference that supplies them", parent);
    }
    const ref = new pulumi.StackReference(`${name}-foundation`, { name: args.stackReference }, { parent });
    const known = <T>(value: T | undefined, key: string): pulumi.Output<T> =>
        (value !== undefined ? pulumi.output(value) : ref.requireOutput(key)) as pulumi.Output<T>;
    return {
        vpcId: known(args.network?.vpcId, "vpcId"),
        vpcCidr: known(args.network?.vpcCidr, "vpcCidr"),
        privateSubnetIds: known(args.network?.privateSubnetIds, "privateSubnetIds"),
        privateSubnetCidrs: known(args.network?.privateSubnetCidrs, "privateSubnetCidrs"),
        oidcProviderArn: known(args.oidcProviderArn, "oidcProviderArn"),
    };
}
