// Flat config: typescript-eslint's recommended rules without type information,
// which keeps lint under a few seconds on two cores; Prettier owns the layout.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "out/", "components/dist/", "**/*.js", "!tools/*.js", "!.ci/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: {
            globals: {
                process: "readonly",
                console: "readonly",
                require: "readonly",
                module: "writable",
                exports: "writable",
                __dirname: "readonly",
                __filename: "readonly",
            },
        },
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            "@typescript-eslint/no-require-imports": "off",
        },
    },
    // Layout is Prettier's (npm run lint checks it); no ESLint rule may disagree with it.
    prettier,
);
