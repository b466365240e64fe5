/** Container requests and limits, as every component that runs pods takes them. */

export interface ResourceQuantitiesArgs {
    /** CPU quantity, such as `250m` or `1`. */
    cpu?: string;
    /** Memory quantity, such as `256Mi` or `1Gi`. */
    memory?: string;
}

export interface ContainerResourcesArgs {
    /** What the scheduler reserves for the container. @default { cpu: "250m", memory: "256Mi" } */
    requests?: ResourceQuantitiesArgs;
    /** No CPU limit by default (throttling hurts latency more than it protects); memory always. @default { memory: "512Mi" } */
    limits?: ResourceQuantitiesArgs;
}
