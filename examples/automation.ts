import { createEnvironment, preview, up, PolicyViolationError } from "hangar/automation";

export async function deployPullRequest(pr: number, image: string): Promise<string> {
    const env = await createEnvironment(`pr-${pr}`, { from: "staging", overrides: { "app.services[0].image": image } });
    const plan = await preview(env.stack, { onEvent: (e) => console.log(e.kind) }); // policies included; violations come back as data
    if (plan.blocked) return `blocked by ${plan.violations.length} violations`;
    try {
        await up(env.stack, { allowReplace: [] }); // refuses stateful replacements unless listed
        return "deployed";
    } catch (err) {
        if (err instanceof PolicyViolationError) return `refused: ${err.violations.map((v) => v.policy).join(", ")}`;
        throw err;
    }
}
