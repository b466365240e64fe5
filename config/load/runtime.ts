import * as pulumi from "@pulumi/pulumi";

/**
 * The stack's config as the engine hands it over (structured values arrive as
 * JSON text), turned back into the mapping the stack file holds.
 */
export function runtimeStackConfig(): Record<string, unknown> {
    const raw = pulumi.runtime.allConfig();
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
        config[key] = decode(value);
    }
    return config;
}

function decode(value: string): unknown {
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    return value;
}
