#!/usr/bin/env node
// The `hangar` command (register as package.json "bin"): loads TypeScript through
// tsx, then runs automation/cli.ts. Exit codes: 0 ok, 1 failure, 2 usage,
// 3 policy violation, 4 stack busy or locked, 5 a cluster prerequisite is missing.
"use strict";
require("tsx/cjs");
require("./cli").run();
